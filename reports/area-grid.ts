/**
 * The matrix's first table: one row per area, one column per target, each cell the area's tally
 * for that target. Comparing sandboxes is comparing their weak areas (nspawn's network, bwrap's
 * capabilities), which a list of fifty check rows hides; this grid shows them before any detail.
 * Pure: both matrix formats render it.
 */
import type { CheckResult, RunResults, TargetResult } from '../model/results.js';
import { byArea, countStatuses, effectiveChecks, isBlocking, type Counts } from './rows.js';

export interface AreaCell {
  counts: Counts;
  /** Required checks that failed or errored: what makes the area weak for this target. */
  blocking: number;
  /** The target could not run: every cell is its error, not a verdict on the area. */
  broken: boolean;
}

export interface AreaGrid {
  areas: string[];
  targets: TargetResult[];
  cell(area: string, target: TargetResult): AreaCell | undefined;
}

export function areaGrid(results: RunResults): AreaGrid {
  const cells = new Map<string, Map<string, AreaCell>>();
  const union: CheckResult[] = [];
  for (const t of results.targets) {
    const checks = effectiveChecks(results, t);
    for (const c of checks) if (!union.some((u) => u.id === c.id)) union.push(c);
    const perArea = new Map<string, AreaCell>();
    for (const [area, cs] of byArea(results, checks)) {
      perArea.set(area, { counts: countStatuses(cs), blocking: cs.filter(isBlocking).length, broken: t.error !== undefined });
    }
    cells.set(t.name, perArea);
  }
  const areas = byArea(results, union).map(([area]) => area);
  return { areas, targets: results.targets, cell: (area, t) => cells.get(t.name)?.get(area) };
}

/**
 * "7/9 ✗2": checks passed of those decided (pass or fail; skips are no verdict), then the failures
 * and errors with a glyph that reads without colour. "—" when the area had no check for the target.
 */
export function areaCellText(c: AreaCell | undefined): string {
  if (!c) return '—';
  if (c.broken) return 'could not run';
  const decided = c.counts.pass + c.counts.fail;
  const parts = [decided > 0 ? `${c.counts.pass}/${decided}` : 'no verdict'];
  if (c.counts.fail > 0) parts.push(`✗${c.counts.fail}`);
  if (c.counts.error > 0) parts.push(`⚠${c.counts.error}`);
  if (c.counts.skip > 0 && decided === 0) parts.push(`(${c.counts.skip} skipped)`);
  return parts.join(' ');
}

/** The cell's standing: weak (a required check not passing), mixed (only optional failures), clean, or nothing decided. */
export function areaCellClass(c: AreaCell | undefined): 'weak' | 'mixed' | 'clean' | 'none' {
  if (!c || c.broken) return 'none';
  if (c.blocking > 0) return 'weak';
  if (c.counts.fail > 0 || c.counts.error > 0) return 'mixed';
  return c.counts.pass > 0 ? 'clean' : 'none';
}
