/**
 * The terminal summary printed at the end of `isoprobe run`, and the exit code it implies.
 * Evidence is untrusted container output, so everything shown goes through terminalSafe.
 */
import { AREAS, type Counts as SummaryCounts, EXIT, STATUSES, type CheckResult, type RunResults, type Summary, type TargetResult } from '../model/results.js';
import {
  byArea,
  countStatuses,
  effectiveChecks,
  expectedText,
  isBlocking,
  metaFor,
  observedText,
  requiredFailures,
  targetBreaksRun,
  type Counts,
} from './rows.js';
import { type Paint, paintSummaryLine, plain } from './colour.js';
import { provenanceText } from './provenance.js';
import { oneLine, seconds, terminalSafe } from './text.js';

/**
 * 1 when a check the profile requires failed or errored on an isolated target, a target could not
 * run at all, or a control target failed no required check.
 */
export function exitCodeFor(results: RunResults): 0 | 1 {
  return results.partial || results.targets.some((t) => targetBreaksRun(results, t)) ? EXIT.failed : EXIT.ok;
}

export function summaryText(results: RunResults, paint: Paint = plain): string {
  const lines = [header(results), ''];
  for (const target of results.targets) lines.push(...targetBlock(results, target));
  const blocking = blockingLines(results);
  if (blocking.length > 0) lines.push('', 'Required checks that did not pass:', ...blocking);
  const controls = controlLines(results);
  if (controls.length > 0) lines.push('', 'Control targets (deliberately weakened; their failures are expected):', ...controls);
  lines.push('', totalsLine(results));
  if (results.partial) lines.push(`PARTIAL RESULTS: ${oneLine(results.partialReason ?? 'some targets could not run')}`);
  lines.push(verdictLine(results));
  return `${lines.map((l) => paintSummaryLine(terminalSafe(l), paint)).join('\n')}\n`;
}

function header(results: RunResults): string {
  const n = results.targets.length;
  return `isoprobe ${results.tool.version} — profile ${results.profile} — ${n} target${n === 1 ? '' : 's'} in ${seconds(results.durationMs)}s`;
}

function countsText(c: Counts): string {
  return STATUSES.map((s) => `${String(c[s]).padStart(3)} ${s}`).join('  ');
}

function targetBlock(results: RunResults, target: TargetResult): string[] {
  const took = target.durationMs === undefined ? '' : `, ${(target.durationMs / 1000).toFixed(1)}s`;
  const head = `${target.name} (${target.runtime}${target.control ? ', control: expected to fail' : ''}${took})`;
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
    if (target.control) {
      if (requiredFailures(target).length === 0)
        lines.push(`  FAIL  ${target.name}: control target failed no required check — the suite cannot tell it from an isolated target`);
      continue;
    }
    for (const c of target.checks.filter(isBlocking)) lines.push(...checkLines(results, target, c));
  }
  return lines;
}

function controlLines(results: RunResults): string[] {
  return results.targets
    .filter((t) => t.control && t.error === undefined)
    .map((t) => {
      const n = requiredFailures(t).length;
      return `  ${t.name}: ${n} required check${n === 1 ? '' : 's'} failed${n > 0 ? ', as expected' : ' — expected at least one'}`;
    });
}

function checkLines(results: RunResults, target: TargetResult, c: CheckResult): string[] {
  const head = `  ${c.status === 'fail' ? 'FAIL ' : 'ERROR'} ${target.name}  [${c.id}] ${metaFor(results, c.id).title}`;
  if (c.status === 'error') return [head, `        ${oneLine(c.reason ?? 'error')}`];
  // Who asked for what it depends on: "fails by default" reads apart from "fails as configured".
  const settings = provenanceText(c.provenance);
  return [
    head,
    `        expected ${oneLine(expectedText(c))}`,
    `        observed ${oneLine(observedText(c))}`,
    ...(settings ? [`        settings ${settings}`] : []),
  ];
}

function totalsLine(results: RunResults): string {
  const all = results.targets.flatMap((t) => (t.error === undefined ? t.checks : []));
  const c = countStatuses(all);
  const broken = results.targets.filter((t) => t.error !== undefined);
  const notRun = broken.reduce((n, t) => n + effectiveChecks(results, t).length, 0);
  const tail = broken.length === 0 ? '' : `; ${notRun} not run (${broken.length} target${broken.length === 1 ? '' : 's'} could not run)`;
  return `Totals: ${all.length} checks — ${STATUSES.map((s) => `${c[s]} ${s}`).join(', ')}${tail}`;
}

function verdictLine(results: RunResults): string {
  if (exitCodeFor(results) === EXIT.ok) {
    const controlled = results.targets.some((t) => t.control) ? ' (control targets: failed as expected)' : '';
    return `Verdict: PASS — every check required by the profile passed${controlled}`;
  }
  const all = results.targets.flatMap((t) => (t.error === undefined && !t.control ? t.checks : []));
  const failed = all.filter((c) => c.required && c.status === 'fail').length;
  const errored = all.filter((c) => c.required && c.status === 'error').length;
  const broken = results.targets.filter((t) => t.error !== undefined).length;
  const untold = results.targets.filter((t) => t.control && t.error === undefined && requiredFailures(t).length === 0).length;
  const parts = [
    failed > 0 ? `${failed} required check${failed === 1 ? '' : 's'} failed` : '',
    errored > 0 ? `${errored} errored` : '',
    broken > 0 ? `${broken} target${broken === 1 ? '' : 's'} could not run` : '',
    untold > 0 ? `${untold} control target${untold === 1 ? '' : 's'} failed no required check` : '',
  ].filter(Boolean);
  return `Verdict: FAIL — ${parts.join(', ')}`;
}

/** The results file's `summary`: totals per target and area, the verdict and exit code the terminal says. */
export function summaryBlock(results: RunResults): Summary {
  const targets = results.targets.map((t) => {
    const ran = t.error === undefined;
    // One target that could not run is one error (ran: false), not one per check it never decided.
    const counts = (checks: CheckResult[]): SummaryCounts =>
      ran
        ? { checks: checks.length, ...countStatuses(checks), notRun: 0, requiredNotPassing: checks.filter(isBlocking).length }
        : { checks: checks.length, pass: 0, fail: 0, skip: 0, error: 0, notRun: checks.length, requiredNotPassing: 0 };
    const checks = effectiveChecks(results, t);
    // A control target's failures are expected: only an isolated target's decide.
    const own = t.control ? checks.map((c) => (c.status === 'fail' ? { ...c, required: false } : c)) : checks;
    return {
      name: t.name,
      ran,
      control: t.control === true,
      totals: counts(own),
      areas: Object.fromEntries(byArea(results, own).map(([area, cs]) => [area, counts(cs)])),
    };
  });
  const all = (k: keyof SummaryCounts) => targets.reduce((n, t) => n + (t.totals[k] ?? 0), 0);
  const code = exitCodeFor(results);
  return {
    verdict: code === EXIT.ok ? 'pass' : 'fail',
    exitCode: code,
    totals: {
      checks: all('checks'),
      pass: all('pass'),
      fail: all('fail'),
      skip: all('skip'),
      error: all('error'),
      notRun: all('notRun'),
      requiredNotPassing: all('requiredNotPassing'),
    },
    targets,
  };
}
