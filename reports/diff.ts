/**
 * Baseline diff: a check, identified by target name and check id, that passed before
 * and fails or errors now is a regression, which `isoprobe diff` / `run --baseline` turn into exit 1.
 */
import type { CheckResult, RunResults, Status } from '../model/results.js';
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
  /** Why it is not passing now (or was not before, for an improvement). */
  detail?: string;
}

export interface ResultsDiff {
  regressions: DiffItem[];
  improvements: DiffItem[];
  added: DiffItem[];
  removed: DiffItem[];
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
  const d: ResultsDiff = { regressions: [], improvements: [], added: [], removed: [] };
  const item = (key: string, b?: CheckResult, a?: CheckResult): DiffItem => {
    const [target, id] = JSON.parse(key) as [string, string];
    const title = metaFor(a ? now : old, id).title;
    const detail = a && BAD.includes(a.status) ? detailOf(a) : b && detailOf(b);
    return { target, id, title, required: (a ?? b)?.required ?? false, before: b?.status, after: a?.status, detail };
  };
  for (const [key, a] of after) {
    const b = before.get(key);
    if (!b) d.added.push(item(key, undefined, a));
    else if (b.status === 'pass' && BAD.includes(a.status)) d.regressions.push(item(key, b, a));
    else if (BAD.includes(b.status) && a.status === 'pass') d.improvements.push(item(key, b, a));
  }
  for (const [key, b] of before) if (!after.has(key)) d.removed.push(item(key, b, undefined));
  return d;
}

export function diffText(d: ResultsDiff): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const lines = [
    `${plural(d.regressions.length, 'regression')}, ${plural(d.improvements.length, 'improvement')}, ` + `${d.added.length} added, ${d.removed.length} removed`,
  ];
  const show = (tag: string, it: DiffItem) => {
    const move = `${it.before ?? '—'} → ${it.after ?? '—'}`;
    const why = it.detail ? `: ${oneLine(it.detail)}` : '';
    lines.push(`  ${tag.padEnd(10)} ${it.target}  [${it.id}] ${it.title}  (${move})${why}`);
  };
  for (const it of d.regressions) show('REGRESSED', it);
  for (const it of d.improvements) show('IMPROVED', it);
  for (const it of d.added) show('ADDED', it);
  for (const it of d.removed) show('REMOVED', it);
  return `${lines.map(terminalSafe).join('\n')}\n`;
}
