/**
 * The view every reporter shares: a target's checks resolved against the catalogue, with a broken
 * target's checks turned into errors, so the formats cannot disagree about what a run said.
 */
import { showValue } from '../model/json-value.js';
import { provenanceFor, type Request, type SettingKey } from '../model/request.js';
import { AREAS, type CheckMeta, type CheckResult, type RunResults, type Status, type TargetResult } from '../model/results.js';

export type Counts = Record<Status, number>;

/** Catalogue entry for an id; a check missing from the catalogue still gets a usable title. */
export function metaFor(results: RunResults, id: string): CheckMeta {
  const found = results.catalogue.find((m) => m.id === id);
  if (found) return found;
  const area = id.split('.', 1)[0] as CheckMeta['area'];
  return { id, area, title: id, profiles: [], references: [], negativeControl: '' };
}

/**
 * The checks to report for a target. When the target could not run at all, every check of the
 * run (its own list, else the catalogue) is an 'error' carrying the target's error: a broken
 * target must not read as a short list of passes.
 */
export function effectiveChecks(results: RunResults, target: TargetResult): CheckResult[] {
  if (target.error === undefined) return target.checks;
  const own = new Map(target.checks.map((c) => [c.id, c]));
  const ids = target.checks.length > 0 ? [...own.keys()] : results.catalogue.map((m) => m.id);
  return ids.map((id) => {
    const c = own.get(id);
    const provenance = c?.provenance ?? catalogueProvenance(results, target, id);
    return {
      id,
      status: 'error',
      required: c?.required ?? metaFor(results, id).profiles.includes(results.profile),
      reason: `target ${target.name} could not run: ${target.error}`,
      evidence: c?.evidence,
      durationMs: c?.durationMs ?? 0,
      ...(provenance ? { provenance } : {}),
    };
  });
}

/** A check the target kept no result for: its provenance from the catalogue's settings and the target's request. */
function catalogueProvenance(results: RunResults, target: TargetResult, id: string): CheckResult['provenance'] {
  const settings = metaFor(results, id).settings;
  if (!settings || !target.request) return undefined;
  // Keys of another version's model read as not asked: the runtime's default.
  return provenanceFor(target.request as Request, settings as SettingKey[]);
}

/** Groups checks by area in the canonical area order, keeping each check's run order. */
export function byArea(results: RunResults, checks: CheckResult[]): [string, CheckResult[]][] {
  const groups = new Map<string, CheckResult[]>();
  for (const c of checks) {
    const area = metaFor(results, c.id).area;
    groups.set(area, [...(groups.get(area) ?? []), c]);
  }
  const rank = (a: string) => {
    const i = (AREAS as readonly string[]).indexOf(a);
    return i < 0 ? AREAS.length : i;
  };
  return [...groups].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

export function countStatuses(checks: CheckResult[]): Counts {
  const counts: Counts = { pass: 0, fail: 0, skip: 0, error: 0 };
  for (const c of checks) counts[c.status] += 1;
  return counts;
}

/** A required check that did not pass decides the verdict; skips never do. */
export function isBlocking(c: CheckResult): boolean {
  return c.required && (c.status === 'fail' || c.status === 'error');
}

/**
 * Whether a target's results decide the run against it. An isolated target: a required check that
 * did not pass, or not running at all. A control target (deliberately weakened): not running, or
 * failing no required check, since then the suite could not tell it from an isolated one.
 */
export function targetBreaksRun(results: RunResults, t: TargetResult): boolean {
  if (t.error !== undefined) return true;
  if (t.control) return requiredFailures(t).length === 0;
  return effectiveChecks(results, t).some(isBlocking);
}

/** The required checks a target failed (for a control target: the ones it was expected to). */
export function requiredFailures(t: TargetResult): CheckResult[] {
  return t.checks.filter((c) => c.required && c.status === 'fail');
}

/** `expected X, observed Y`, the one-line form used by JUnit messages and the summary. */
export function expectedObserved(c: CheckResult): string | undefined {
  if (c.expected === undefined && c.observed === undefined) return undefined;
  return `expected ${expectedText(c)}, observed ${observedText(c)}`;
}

/** The check's expected value as a line of text says it ("not 0" for a negated assertion). */
export function expectedText(c: Pick<CheckResult, 'expected' | 'negated'>): string {
  return showValue(c.expected, c.negated === true, '(unspecified)');
}

export function observedText(c: Pick<CheckResult, 'observed'>): string {
  return showValue(c.observed, false, '(nothing)');
}
