/**
 * JUnit XML, valid against the common junit-10.xsd. One <testsuite> per target × area
 * so CI tools group by both; a failed check is a <failure>, a broken harness an <error>
 * (never mixed up: a failure is a verdict on isolation, an error is not).
 *
 * Each target also has a suite of its own whose one case, "[target] runs", carries the target's
 * wall time (its containers: where the run's time went; the check cases time only their
 * assertions) and, for a target that could not run, the one <error> saying why, whose text names
 * the checks that were not run: they are no cases of their own, so a broken target is one suite
 * with one case and does not bury the real failures of the others. CI consumers annotate the first
 * errors and colour them red; xunit-viewer orders suites by name and shows every case, skipped
 * ones too, so a per-check <skipped> for each check not run put one card per check (93 of them)
 * before the first real failure of any target named after it. TAP reports such a target the same
 * way (reports/tap.ts); results.json keeps each check as not run. Targets that could not run come
 * after the ones that ran, whatever the config's order, so a consumer reading the file in order
 * meets the real failures first. The target's properties (info, environment, request) are on its
 * own suite only.
 *
 * GitLab shows only an element's text, so every <error> and <skipped> carries its message as text too.
 *
 * Provenance: junit-10.xsd allows <properties> on a <testsuite> only, not on a <testcase>, so each
 * check's is a property of its suite named after the testcase, "[id] provenance.<setting>", beside
 * the target's request ("request.<setting>": value and source). A failure's body says it too.
 */
import { decidedByText } from './decided-by.js';
import jrb from 'junit-report-builder';
import type { Builder, TestCase, TestSuite } from 'junit-report-builder';
import type { CheckResult, RunResults, TargetResult } from '../model/results.js';
import { notAsked, provenanceText, requestRows } from './provenance.js';
import { byArea, effectiveChecks, expectedObserved, expectedText, metaFor, observedText, requiredFailures } from './rows.js';
import { seconds, visible } from './text.js';

// The package's d.ts declares `export default` but its CommonJS entry assigns module.exports, so
// under NodeNext TypeScript types the default import as the module object. Accept either shape.
const rootBuilder: Builder = (jrb as unknown as { default?: Builder }).default ?? (jrb as unknown as Builder);

type Element = ReturnType<TestCase['build']>;

export function junitXml(results: RunResults): string {
  const report = rootBuilder.newBuilder().name('isoprobe');
  const ordered = [...results.targets.filter((t) => t.error === undefined), ...results.targets.filter((t) => t.error !== undefined)];
  for (const target of ordered) {
    addRunsSuite(report, results, target, target === ordered[0]);
    if (target.error !== undefined) continue;
    for (const [area, checks] of byArea(results, effectiveChecks(results, target))) {
      const total = checks.reduce((ms, c) => ms + c.durationMs, 0);
      const suite = report.testSuite().name(visible(`${target.name}.${area}`));
      suite.timestamp(results.startedAt).time(seconds(total));
      addCheckProperties(suite, target, checks);
      for (const check of checks) addCase(suite, results, target, area, check);
    }
    if (target.control && target.error === undefined) addControlVerdict(report, results, target);
  }
  return dropRootSkipped(report.build());
}

/** The target's own suite: "[target] runs", its wall time, the one error of a target that could not run, its properties. */
function addRunsSuite(report: Builder, results: RunResults, target: TargetResult, first: boolean): void {
  const ms = target.durationMs ?? 0;
  const suite = report.testSuite().name(visible(target.name));
  suite.timestamp(results.startedAt).time(seconds(ms));
  addTargetProperties(suite, results, target, first);
  const tc = suite
    .testCase()
    .className(visible(`isoprobe.${target.name}`))
    .name(visible(`[${target.name}] runs`))
    .time(seconds(ms));
  if (target.error !== undefined) {
    const why = `target ${target.name} could not run: ${target.error}`;
    const notRun = effectiveChecks(results, target).map((c) => c.id);
    tc.error(visible(why), 'target');
    patchOnBuild(tc, 'error', { body: `${why}\nnot run, so not reported as cases: ${notRun.length} checks (${notRun.join(', ')})` });
  }
}

/** The fingerprint explains the skips: on each target's own suite (the XSD allows no root properties). */
function addTargetProperties(suite: TestSuite, results: RunResults, target: TargetResult, first: boolean): void {
  // The run's environment is one for all targets: said once, on the first target's suite in the file.
  const environment = first ? Object.entries(results.environment) : [];
  const rows = requestRows(target);
  const props: [string, string][] = [
    ['isoprobe.version', results.tool.version],
    ['isoprobe.profile', results.profile],
    ['target.name', target.name],
    ['target.runtime', target.runtime],
    ...(target.control ? [['target.control', 'true'] as [string, string]] : []),
    ...(results.partial ? [['isoprobe.partial', results.partialReason ?? 'true'] as [string, string]] : []),
    ...(target.error === undefined
      ? []
      : [['target.error', target.error] as [string, string], ['target.checksNotRun', String(effectiveChecks(results, target).length)] as [string, string]]),
    // The info's own "runtime" is the one above: each name once.
    ...Object.entries(target.info)
      .filter(([k]) => k !== 'name' && k !== 'runtime')
      .map(([k, v]): [string, string] => [`target.${k}`, v]),
    // Information is no verdict: its own prefix, so CI consumers never mistake it for a setting.
    ...Object.entries(target.information ?? {}).map(([k, v]): [string, string] => [`information.${k}`, v]),
    ...environment.map(([k, v]): [string, string] => [`env.${k}`, v]),
    ...(rows ?? []).map((r): [string, string] => [`request.${r.setting}`, `${r.source}: ${r.value}`]),
    ...(rows ? [['request.not-asked (runtime default)', notAsked(target).join(', ') || 'none'] as [string, string]] : []),
  ];
  for (const [name, value] of props) suite.property(visible(name), visible(value));
}

/**
 * Each check's provenance (one row: who asked for which of its settings) and deciding evidence, on
 * its area's suite, named after its testcase; none for a target that ran no check.
 */
function addCheckProperties(suite: TestSuite, target: TargetResult, checks: CheckResult[]): void {
  if (target.error !== undefined) return;
  const props: [string, string][] = [
    ...checks.flatMap((c): [string, string][] =>
      c.provenance && Object.keys(c.provenance).length > 0 ? [[`[${c.id}] settings`, provenanceText(c.provenance)]] : [],
    ),
    ...checks.flatMap((c): [string, string][] => {
      const by = decidedByText(target, c);
      return by ? [[`[${c.id}] decidedBy`, by]] : [];
    }),
  ];
  for (const [name, value] of props) suite.property(visible(name), visible(value));
}

function addCase(suite: TestSuite, results: RunResults, target: TargetResult, area: string, c: CheckResult): void {
  const title = metaFor(results, c.id).title;
  const tc = suite
    .testCase()
    .className(visible(`isoprobe.${target.name}.${area}`))
    .name(visible(`[${c.id}] ${title}`))
    .time(seconds(c.durationMs));
  if (c.status === 'fail' && target.control) {
    // Failing is what a control target is for: not a <failure>, but its evidence stays readable.
    systemOut(tc, `failed as expected on a control target\n${failureBody(c)}`);
  } else if (c.status === 'fail') {
    tc.failure(visible(expectedObserved(c) ?? c.reason ?? 'check failed'), c.required ? 'required' : 'not-required');
    patchOnBuild(tc, 'failure', { body: failureBody(c) });
  } else if (c.status === 'error') {
    tc.error(visible(c.reason ?? 'error'), 'harness');
    patchOnBuild(tc, 'error', { body: c.evidence ?? c.reason ?? 'error' });
  } else if (c.status === 'skip') {
    tc.skipped();
    patchOnBuild(tc, 'skipped', { message: c.reason ?? 'skipped', body: c.reason ?? 'skipped' });
  }
}

/** A control target that failed no required check could not be told from an isolated one. */
function addControlVerdict(report: Builder, results: RunResults, target: TargetResult): void {
  const n = requiredFailures(target).length;
  const suite = report.testSuite().name(visible(`${target.name}.control`));
  // A verdict over the target's checks, computed: no time of its own, but a number (dorny prints NaN for none).
  suite.timestamp(results.startedAt).time(0);
  const tc = suite
    .testCase()
    .className(visible(`isoprobe.${target.name}.control`))
    .name(visible(`[control] ${target.name} fails at least one required check`))
    .time(0);
  if (n === 0) tc.failure('the control target failed no required check: the suite cannot tell it from an isolated target', 'control');
  else systemOut(tc, `${n} required checks failed, as expected`);
}

function failureBody(c: CheckResult): string {
  const settings = provenanceText(c.provenance);
  const head = [`expected: ${expectedText(c)}`, `observed: ${observedText(c)}`, ...(settings ? [`settings: ${settings}`] : [])];
  return [...head, ...(c.evidence ? ['', c.evidence] : [])].join('\n');
}

/**
 * junit-report-builder cannot put a message on <skipped>, and writes bodies as CDATA through an
 * xmlbuilder escape that only splits the first "]]>" (evidence with two breaks the document).
 * So the element it creates is completed here, as escaped text, right after it is built.
 */
function patchOnBuild(tc: TestCase, name: string, add: { message?: string; body?: string }): void {
  const build = tc.build.bind(tc);
  tc.build = (parent: Element): Element => {
    const el = build(parent);
    const child = el.children.find((n) => (n as Element).name === name) as Element | undefined;
    if (child && add.message !== undefined) child.att('message', visible(add.message));
    if (child && add.body) child.txt(visible(add.body));
    return el;
  };
}

/** <system-out> as escaped text, for the same reason as patchOnBuild (the builder's CDATA breaks on "]]>"). */
function systemOut(tc: TestCase, text: string): void {
  const build = tc.build.bind(tc);
  tc.build = (parent: Element): Element => {
    const el = build(parent);
    el.ele('system-out').txt(visible(text));
    return el;
  };
}

/** The builder counts skips on <testsuites>, an attribute junit-10.xsd does not allow there. */
function dropRootSkipped(xml: string): string {
  return xml.replace(/^(<\?xml[^>]*\?>\s*<testsuites\b[^>]*?) skipped="\d+"/, '$1');
}
