/**
 * Where a check's settings came from, as every report shows it (model/request.ts): a marker per
 * source for a matrix cell, one line for the summary, JUnit and diff, and the rows of a target's
 * request. One place, so the formats cannot say it differently.
 */
import { SETTING_KEYS, type Provenance, type Request } from '../model/request.js';
import type { RunResults, TargetResult } from '../model/results.js';

/** Most requested first: a cell shows every source among its settings in this order. */
export const PROVENANCE_ORDER: readonly Provenance[] = ['user config', 'isoprobe', 'runtime default'];

export const PROVENANCE_MARK: Record<Provenance, string> = { 'user config': 'ᶜ', isoprobe: 'ʳ', 'runtime default': 'ᵈ' };

const MARK_MEANING: Record<Provenance, string> = {
  'user config': "set by the user's target config",
  isoprobe: 'requested by isoprobe',
  'runtime default': "the runtime's default (nobody asked)",
};

/**
 * Every source is shown, not only the most requested one: "pass ʳᵈ" (a namespace requested, a
 * mount left to the runtime) must not read as a pass entirely on request.
 */
export const PROVENANCE_LEGEND =
  `Where each check's settings came from: ${PROVENANCE_ORDER.map((p) => `${PROVENANCE_MARK[p]} ${MARK_MEANING[p]}`).join(', ')}. ` +
  'A cell shows every source among the settings its verdict depends on; no mark: it depends on no requested setting.';

export type ProvenanceMap = Partial<Record<string, Provenance>>;

/** The sources among a check's settings, most requested first. */
export function sourcesOf(p: ProvenanceMap | undefined): Provenance[] {
  const present = new Set(Object.values(p ?? {}));
  return PROVENANCE_ORDER.filter((s) => present.has(s));
}

/** "ʳᵈ", or '' for a check with no settings or a result written before provenance. */
export function provenanceMarks(p: ProvenanceMap | undefined): string {
  return sourcesOf(p)
    .map((s) => PROVENANCE_MARK[s])
    .join('');
}

/** "user config (limits.pids), runtime default (limits.memory, limits.cpu)"; '' when there is nothing to say. */
export function provenanceText(p: ProvenanceMap | undefined): string {
  const entries = Object.entries(p ?? {});
  return sourcesOf(p)
    .map((s) => `${s} (${entries.flatMap(([k, v]) => (v === s ? [k] : [])).join(', ')})`)
    .join(', ');
}

/** Whether any result of the run carries provenance (older results files have none: no legend then). */
export function hasProvenance(results: RunResults): boolean {
  return results.targets.some((t) => t.request !== undefined || t.checks.some((c) => c.provenance !== undefined));
}

export interface RequestRow {
  setting: string;
  value: string;
  source: Provenance;
}

/** A target's request, setting by setting in the model's order; absent for a results file that predates it. */
export function requestRows(t: TargetResult): RequestRow[] | undefined {
  if (!t.request) return undefined;
  const request = t.request as Request;
  return SETTING_KEYS.flatMap((k) => {
    const r = request[k];
    return r ? [{ setting: k, value: valueText(k, r.value), source: r.source }] : [];
  });
}

/** The settings a target's runtime was not asked for: their values are its defaults. */
export function notAsked(t: TargetResult): string[] {
  const request = (t.request ?? {}) as Request;
  return SETTING_KEYS.filter((k) => request[k] === undefined);
}

function valueText(key: string, v: unknown): string {
  if (key.startsWith('limits.') && v === 0) return '0 (unlimited)';
  if (key === 'limits.memory' && typeof v === 'number' && v % 2 ** 20 === 0) return `${v} (${v / 2 ** 20} MiB)`;
  if (key === 'caps' && v && typeof v === 'object') {
    const { add, drop } = v as { add: string[]; drop: string[] };
    return add.length + drop.length === 0
      ? 'the default set'
      : [add.length ? `add ${add.join(' ')}` : '', drop.length ? `drop ${drop.join(' ')}` : ''].filter(Boolean).join(', ');
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    // {monotonicSec: 604800, boottimeSec: 777600} → "monotonicSec=604800 boottimeSec=777600"
    return (
      Object.entries(v)
        .map(([k, x]) => `${k}=${typeof x === 'string' ? x : JSON.stringify(x)}`)
        .join(' ') || 'none'
    );
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}
