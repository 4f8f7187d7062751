/**
 * The terminal summary printed at the end of `isoprobe run`, and the exit code it implies.
 * Evidence is untrusted container output, so everything shown goes through terminalSafe.
 */
import { AREAS, EXIT, type CheckResult, type RunResults, type TargetResult } from '../core/results.js';
import { byArea, countStatuses, effectiveChecks, isBlocking, metaFor, STATUSES, type Counts } from './rows.js';
import { oneLine, seconds, terminalSafe } from './text.js';

/** 1 when a check the profile requires failed or errored, or a target could not run at all. */
export function exitCodeFor(results: RunResults): 0 | 1 {
  const broken = results.targets.some(
    (t) => t.error !== undefined || effectiveChecks(results, t).some(isBlocking),
  );
  return broken ? EXIT.failed : EXIT.ok;
}

export function summaryText(results: RunResults): string {
  const lines = [header(results), ''];
  for (const target of results.targets) lines.push(...targetBlock(results, target));
  const blocking = blockingLines(results);
  if (blocking.length > 0) lines.push('', 'Required checks that did not pass:', ...blocking);
  lines.push('', totalsLine(results), verdictLine(results));
  return `${lines.map(terminalSafe).join('\n')}\n`;
}

function header(results: RunResults): string {
  const n = results.targets.length;
  return `isoprobe ${results.tool.version} — profile ${results.profile} — ${n} target${n === 1 ? '' : 's'} in ${seconds(results.durationMs)}s`;
}

function countsText(c: Counts): string {
  return STATUSES.map((s) => `${String(c[s]).padStart(3)} ${s}`).join('  ');
}

function targetBlock(results: RunResults, target: TargetResult): string[] {
  const head = `${target.name} (${target.runtime})`;
  if (target.error !== undefined) return [`${head}: could not run: ${oneLine(target.error)}`];
  const areas = byArea(results, target.checks);
  if (areas.length === 0) return [`${head}: no checks`];
  // One width for every target, so the count columns line up down the whole summary.
  const width = Math.max(...AREAS.map((a) => a.length), ...areas.map(([area]) => area.length));
  const information = Object.entries(target.information ?? {}).map(([k, v]) => `  (information) ${k}: ${oneLine(v)}`);
  return [head, ...areas.map(([area, checks]) => `  ${area.padEnd(width)}  ${countsText(countStatuses(checks))}`), ...information];
}

/** Failed/errored required checks; a broken target is said once instead of once per check. */
function blockingLines(results: RunResults): string[] {
  const lines: string[] = [];
  for (const target of results.targets) {
    if (target.error !== undefined) {
      lines.push(`  ERROR ${target.name}: could not run: ${oneLine(target.error)}`);
      continue;
    }
    for (const c of target.checks.filter(isBlocking)) lines.push(...checkLines(results, target, c));
  }
  return lines;
}

function checkLines(results: RunResults, target: TargetResult, c: CheckResult): string[] {
  const head = `  ${c.status === 'fail' ? 'FAIL ' : 'ERROR'} ${target.name}  [${c.id}] ${metaFor(results, c.id).title}`;
  if (c.status === 'error') return [head, `        ${oneLine(c.reason ?? 'error')}`];
  return [head, `        expected ${oneLine(c.expected ?? '(unspecified)')}`, `        observed ${oneLine(c.observed ?? '(nothing)')}`];
}

function totalsLine(results: RunResults): string {
  const all = results.targets.flatMap((t) => effectiveChecks(results, t));
  const c = countStatuses(all);
  return `Totals: ${all.length} checks — ${STATUSES.map((s) => `${c[s]} ${s}`).join(', ')}`;
}

function verdictLine(results: RunResults): string {
  if (exitCodeFor(results) === EXIT.ok) return 'Verdict: PASS — every check required by the profile passed';
  const all = results.targets.flatMap((t) => (t.error === undefined ? t.checks : []));
  const failed = all.filter((c) => c.required && c.status === 'fail').length;
  const errored = all.filter((c) => c.required && c.status === 'error').length;
  const broken = results.targets.filter((t) => t.error !== undefined).length;
  const parts = [
    failed > 0 ? `${failed} required check${failed === 1 ? '' : 's'} failed` : '',
    errored > 0 ? `${errored} errored` : '',
    broken > 0 ? `${broken} target${broken === 1 ? '' : 's'} could not run` : '',
  ].filter(Boolean);
  return `Verdict: FAIL — ${parts.join(', ')}`;
}
