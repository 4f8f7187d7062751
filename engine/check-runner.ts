/**
 * Runs the catalogue through mocha: a suite per target and area, a test per check, so users get
 * mocha's ordering and reporters. Verdicts are recorded as they happen; which checks run is
 * `--grep` on ids and titles (model/check.ts selectChecks), and mocha reports progress.
 */
import Mocha from 'mocha';
import { selectChecks, type Check } from '../model/check.js';
import { showValue } from '../model/json-value.js';
import { evaluate } from './evaluate.js';
import { contextFor, type TargetEvidence } from './evidence.js';
import { provenanceFor } from '../model/request.js';
import type { CheckResult, Profile, TargetResult } from '../model/results.js';

/** A target's result before its checks ran, with the evidence they read. */
export interface TargetUnderTest extends Omit<TargetResult, 'checks'> {
  /** null when the target could not produce facts; `error` then says why. */
  ctx: TargetEvidence | null;
  /** Nothing is known of who asked for its settings (`isoprobe inspect`): no provenance is recorded. */
  provenanceUnknown?: boolean;
}

export interface RunChecksOptions {
  profile: Profile;
  grep?: string;
  /** A mocha reporter constructor; the default prints nothing. */
  reporter?: Mocha.ReporterConstructor;
}

export function testTitle(check: Check): string {
  return `[${check.id}] ${check.title}`;
}

export async function runChecks(targets: TargetUnderTest[], checks: Check[], opts: RunChecksOptions): Promise<TargetResult[]> {
  const mocha = new Mocha({ reporter: opts.reporter ?? SilentReporter, timeout: 10_000 });
  const selected = selectChecks(checks, opts.grep);
  const results: TargetResult[] = targets.map((t) => ({
    name: t.name,
    runtime: t.runtime,
    info: t.info,
    error: t.error,
    ...(t.information ? { information: t.information } : {}),
    ...(t.posture ? { posture: t.posture } : {}),
    ...(t.seccomp ? { seccomp: t.seccomp } : {}),
    ...(t.request ? { request: t.request } : {}),
    ...(t.control ? { control: true } : {}),
    ...(t.durationMs !== undefined ? { durationMs: t.durationMs } : {}),
    ...(t.ctx ? { provides: [...t.ctx.provides] } : {}),
    checks: [],
  }));
  const areas = [...new Set(selected.map((c) => c.area))].map((area) => [area, selected.filter((c) => c.area === area)] as const);
  targets.forEach((target, i) => {
    const targetSuite = Mocha.Suite.create(mocha.suite, target.name);
    if (!target.ctx) {
      // Nothing to judge: one test says why (the live progress prints it once, not once per check),
      // and every check is recorded with that error, in the order the areas would have run them.
      const inOrder = areas.flatMap(([, checks]) => checks);
      targetSuite.addTest(new Mocha.Test(`could not run (${inOrder.length} checks not run)`, notRunTest(inOrder, target, opts.profile, results[i].checks)));
      return;
    }
    for (const [area, checks] of areas) {
      const areaSuite = Mocha.Suite.create(targetSuite, area);
      for (const check of checks) areaSuite.addTest(new Mocha.Test(testTitle(check), testFor(check, target, opts.profile, results[i].checks)));
    }
  });
  await new Promise<void>((resolve) => mocha.run(() => resolve()));
  return results;
}

function notRunTest(checks: Check[], target: TargetUnderTest, profile: Profile, sink: CheckResult[]): Mocha.Func {
  return () => {
    for (const check of checks) record(check, target, profile, sink);
    throw new Error(target.error ?? 'target produced no facts');
  };
}

function testFor(check: Check, target: TargetUnderTest, profile: Profile, sink: CheckResult[]): Mocha.Func {
  return function (this: Mocha.Context) {
    const verdict = record(check, target, profile, sink);
    if (verdict.status === 'skip') this.skip();
    if (verdict.status === 'fail') throw new Error(`expected ${showValue(verdict.expected, verdict.negated)}, observed ${showValue(verdict.observed)}`);
    if (verdict.status === 'error') throw new Error(verdict.reason);
  };
}

/** Judges one check (an error for a target with no facts) and records its result. */
function record(check: Check, target: TargetUnderTest, profile: Profile, sink: CheckResult[]) {
  const started = performance.now();
  const verdict = target.ctx ? verdictOf(check, target.ctx) : { status: 'error' as const, reason: target.error ?? 'target produced no facts' };
  // The request is known before the target runs, so skips, errors and a target that could not run carry it too.
  // A cross check judges the sibling pair, whose second container may join the first's namespaces (its own request).
  const pair = check.needs.includes('siblings') ? target.ctx?.siblings?.request : undefined;
  const request = target.provenanceUnknown ? undefined : (pair ?? target.ctx?.request ?? target.request);
  const provenance = check.settings && request ? { provenance: provenanceFor(request, check.settings) } : {};
  const decided = verdict.status === 'pass' || verdict.status === 'fail' ? { decidedBy: [...check.needs] } : {};
  sink.push({
    id: check.id,
    area: check.area,
    title: check.title,
    required: check.profiles.includes(profile),
    durationMs: performance.now() - started,
    ...verdict,
    ...provenance,
    ...decided,
  });
  return verdict;
}

function verdictOf(check: Check, ev: TargetEvidence) {
  const c = contextFor(check, ev);
  return 'verdict' in c ? c.verdict : evaluate(check, c.ctx);
}

/** Mocha insists on a reporter; the summary and reports are ours. */
class SilentReporter extends Mocha.reporters.Base {}
