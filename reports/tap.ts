/**
 * TAP 14 (testanything.org/tap-version-14-specification.html), what runc's bats, crun's tests and
 * runtime-tools emit: one subtest per target, a test point per check. A check that failed or
 * errored is `not ok` unless it is not required by the profile (then `# TODO`: reported, not
 * counted); a skip is `# SKIP` with its reason; a control target's failures are its purpose
 * (`# TODO`), its errors are not. A target that could not run is one `not ok` with its reason and no subtest.
 */
import type { CheckResult, RunResults, TargetResult } from '../model/results.js';
import { metaFor, requiredFailures } from './rows.js';
import { visible } from './text.js';
import type { JsonValue } from '../model/json-value.js';

/** A description may not hold `#` unescaped (it starts a directive) nor a line break. */
function description(s: string): string {
  return visible(
    s
      .replace(/\\/g, '\\\\')
      .replace(/#/g, '\\#')
      .replace(/\s*\n\s*/g, ' '),
  );
}

/** YAML diagnostics: each value a double-quoted JSON string, which is valid YAML. */
/** A YAML block whose values are JSON (YAML's flow subset), so a list or number stays one. */
function yaml(fields: Record<string, JsonValue | undefined>, indent: string): string[] {
  const rows = Object.entries(fields).filter((e): e is [string, JsonValue] => e[1] !== undefined);
  if (rows.length === 0) return [];
  return [`${indent}  ---`, ...rows.map(([k, v]) => `${indent}  ${k}: ${JSON.stringify(typeof v === 'string' ? visible(v) : v)}`), `${indent}  ...`];
}

function point(results: RunResults, target: TargetResult, c: CheckResult, n: number, indent: string): string[] {
  const name = `${n} - [${c.id}] ${description(metaFor(results, c.id).title)}`;
  if (c.status === 'pass') return [`${indent}ok ${name}`];
  if (c.status === 'skip') return [`${indent}ok ${name} # SKIP ${description(`${c.requirement ?? 'skip'}: ${c.reason ?? ''}`)}`];
  // A control target's failures are its purpose; its errors are not (the harness broke).
  const todo =
    target.control && c.status === 'fail' ? ' # TODO control target: deliberately weakened' : c.required ? '' : ' # TODO not required by the profile';
  return [
    `${indent}not ok ${name}${todo}`,
    ...yaml(
      { severity: c.status, expected: c.expected, ...(c.negated ? { negated: true } : {}), observed: c.observed, reason: c.reason, evidence: c.evidence },
      indent,
    ),
  ];
}

export function tapText(results: RunResults): string {
  const lines = ['TAP version 14', `1..${results.targets.length}`];
  results.targets.forEach((t, i) => {
    const n = i + 1;
    if (t.error !== undefined) {
      lines.push(`not ok ${n} - ${description(t.name)} could not run`, ...yaml({ severity: 'error', reason: t.error }, ''));
      return;
    }
    lines.push(`# Subtest: ${description(t.name)}`, `    1..${t.checks.length}`);
    t.checks.forEach((c, j) => {
      lines.push(...point(results, t, c, j + 1, '    '));
    });
    const failed = t.checks.some((c) => !t.control && c.required && (c.status === 'fail' || c.status === 'error'));
    // A control target that failed no required check could not be told from an isolated one.
    const controlUntold = t.control === true && requiredFailures(t).length === 0;
    const bad = failed || controlUntold || (t.control === true && t.checks.some((c) => c.required && c.status === 'error'));
    lines.push(`${bad ? 'not ok' : 'ok'} ${n} - ${description(t.name)}`);
    if (controlUntold)
      lines.push(...yaml({ severity: 'fail', reason: 'the control target failed no required check: the suite cannot tell it from an isolated target' }, ''));
  });
  return `${lines.join('\n')}\n`;
}
