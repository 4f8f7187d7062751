/**
 * Baseline diff: a check, identified by target name and check id, that passed before
 * and fails or errors now is a regression, which `isoprobe diff` / `run --baseline` turn into exit 1.
 *
 * A check whose settings now come from elsewhere ("pass (user config) → pass (runtime default)")
 * is shown as a provenance change, never a regression by itself: the verdict still stands, but a
 * pass that was asked for and now holds by default (or the reverse) is drift a gate should see.
 * Only settings both runs report are compared, so a baseline written before provenance shows none.
 */
import type { CheckResult, RunResults, Status } from '../model/results.js';
import { newlyRunnable } from '../model/seccomp/summary.js';
import { sourcesOf, type ProvenanceMap } from './provenance.js';
import { effectiveChecks, expectedObserved, metaFor } from './rows.js';
import { oneLine, terminalSafe } from './text.js';

export interface DiffItem {
  target: string;
  id: string;
  title: string;
  required: boolean;
  /** Absent for an added check. */
  before?: Status;
  /** Absent for a removed check. */
  after?: Status;
  /** Why it is not passing now (or was not before, for an improvement); for a provenance change, which settings moved. */
  detail?: string;
  /** Set when the sources of its settings changed (only settings both runs name are compared). */
  provenance?: { before: ProvenanceMap; after: ProvenanceMap };
}

export interface ResultsDiff {
  regressions: DiffItem[];
  improvements: DiffItem[];
  added: DiffItem[];
  removed: DiffItem[];
  /** Same status, settings from another source. */
  provenance: DiffItem[];
}

const BAD: readonly Status[] = ['fail', 'error'];

/** target name + check id → the check as the run reported it (a broken target's checks are errors). */
function index(results: RunResults): Map<string, CheckResult> {
  const map = new Map<string, CheckResult>();
  for (const t of results.targets) {
    for (const c of effectiveChecks(results, t)) map.set(JSON.stringify([t.name, c.id]), c);
  }
  return map;
}

function detailOf(c: CheckResult): string | undefined {
  return c.status === 'fail' ? expectedObserved(c) : c.reason;
}

export function diffResults(old: RunResults, now: RunResults): ResultsDiff {
  const before = index(old);
  const after = index(now);
  const d: ResultsDiff = { regressions: [], improvements: [], added: [], removed: [], provenance: [] };
  const item = (key: string, b?: CheckResult, a?: CheckResult): DiffItem => {
    const [target, id] = JSON.parse(key) as [string, string];
    const title = metaFor(a ? now : old, id).title;
    const detail = a && BAD.includes(a.status) ? detailOf(a) : b && detailOf(b);
    const moved = b && a && movedSettings(b, a).length > 0 ? { provenance: { before: b.provenance ?? {}, after: a.provenance ?? {} } } : {};
    return { target, id, title, required: (a ?? b)?.required ?? false, before: b?.status, after: a?.status, detail, ...moved };
  };
  for (const [key, a] of after) {
    const b = before.get(key);
    if (!b) d.added.push(item(key, undefined, a));
    else if (b.status === 'pass' && BAD.includes(a.status)) d.regressions.push(item(key, b, a));
    else if (BAD.includes(b.status) && a.status === 'pass') d.improvements.push(item(key, b, a));
    else if (movedSettings(b, a).length > 0) d.provenance.push({ ...item(key, b, a), detail: movedSettings(b, a).join(', ') });
  }
  for (const [key, b] of before) if (!after.has(key)) d.removed.push(item(key, b, undefined));
  d.regressions.push(...seccompRegressions(old, now));
  return d;
}

export const SECCOMP_PROFILE_ID = 'seccomp.profile';

/**
 * A call the effective seccomp profile lets run now and did not before is a regression even when
 * every check still passes: the profile loosened (model/seccomp/summary.ts newlyRunnable).
 */
function seccompRegressions(old: RunResults, now: RunResults): DiffItem[] {
  return now.targets.flatMap((t) => {
    const was = old.targets.find((o) => o.name === t.name)?.seccomp;
    if (!was || !t.seccomp) return [];
    const loosened = newlyRunnable(was, t.seccomp);
    if (loosened.length === 0) return [];
    const shown = loosened.slice(0, 20).join(', ') + (loosened.length > 20 ? `, … ${loosened.length - 20} more` : '');
    return [
      {
        target: t.name,
        id: SECCOMP_PROFILE_ID,
        title: 'no syscall became runnable under the effective seccomp profile',
        required: true,
        detail: `${loosened.length} now run: ${shown}`,
      },
    ];
  });
}

/** "limits.pids: user config → runtime default" for each setting both results name with another source. */
function movedSettings(b: CheckResult, a: CheckResult): string[] {
  if (!b.provenance || !a.provenance) return [];
  return Object.entries(a.provenance).flatMap(([k, now]) => {
    const was = b.provenance?.[k];
    return was !== undefined && now !== undefined && was !== now ? [`${k}: ${was} → ${now}`] : [];
  });
}

/** "pass (user config)": the status, with its settings' sources when they changed. */
function state(status: Status | undefined, p: ProvenanceMap | undefined): string {
  if (!status) return '—';
  return p ? `${status} (${sourcesOf(p).join(' + ') || 'no settings'})` : status;
}

export function diffText(d: ResultsDiff): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const moved = d.provenance.length > 0 ? `, ${plural(d.provenance.length, 'provenance change')}` : '';
  const lines = [
    `${plural(d.regressions.length, 'regression')}, ${plural(d.improvements.length, 'improvement')}, ` +
      `${d.added.length} added, ${d.removed.length} removed${moved}`,
  ];
  const show = (tag: string, it: DiffItem) => {
    const move = it.id === SECCOMP_PROFILE_ID ? 'profile loosened' : `${state(it.before, it.provenance?.before)} → ${state(it.after, it.provenance?.after)}`;
    const why = it.detail ? `: ${oneLine(it.detail)}` : '';
    lines.push(`  ${tag.padEnd(10)} ${it.target}  [${it.id}] ${it.title}  (${move})${why}`);
  };
  for (const it of d.regressions) show('REGRESSED', it);
  for (const it of d.improvements) show('IMPROVED', it);
  for (const it of d.added) show('ADDED', it);
  for (const it of d.removed) show('REMOVED', it);
  for (const it of d.provenance) show('PROVENANCE', it);
  return `${lines.map(terminalSafe).join('\n')}\n`;
}
