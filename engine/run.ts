/**
 * One run: take the host's view, arm the sentinels, start ONE probe container per target
 * (concurrently), validate its facts, then evaluate the catalogue through mocha. Everything made
 * is registered for cleanup at birth and removed before this returns, also on failure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Mocha from 'mocha';
import { PROBE_PATH, SCRATCH_DIR, TargetError, type Target } from '../model/target.js';
import { checkMeta, type Check } from '../model/check.js';
import type { TargetConfigBase, TargetDriver } from '../model/driver.js';
import type { ContainerSpec, RunOutcome } from '../model/spec.js';
import type { Request } from '../model/request.js';
import type { EnforcementFacts } from '../model/enforcement.js';
import { runChecks, type TargetUnderTest } from './check-runner.js';
import type { TargetEvidence } from './evidence.js';
import { cleanupAll } from '../host/cleanup.js';
import { environmentFingerprint } from '../host/environment.js';
import { runEnforcement } from './enforce.js';
import { runSiblings } from './cross.js';
import type { SiblingsEvidence } from '../model/sibling.js';
import { EnvError } from '../model/errors.js';
import { DeadlineError } from '../model/deadline.js';
import { FactsError, parseFacts, type ProbeFacts } from '../model/facts.js';
import { agentInformation } from '../model/agent.js';
import { describeHostPaths } from '../model/host-paths.js';
import { assessPosture } from '../model/posture-diff.js';
import { seccompResult } from '../model/seccomp/summary.js';
import { removeProbeCgroups } from '../host/probe-cgroups.js';
import { captureHostView } from '../host/host-view.js';
import type { HostView } from '../model/host-view.js';
import { vanishedBetween, type SentinelStates, type Sentinels } from '../model/sentinels.js';
import { RUN_ROOT } from '../host/paths.js';
import { detachLeakedMounts } from '../host/leaked-mounts.js';
import { preflight } from './preflight.js';
import { reapKilledRuns } from './reap-killed.js';
import { endJournal, intend, own, startJournal } from '../host/journal.js';
import { RESULTS_SCHEMA_VERSION, type Profile, type RunResults } from '../model/results.js';
import { armSentinels, probeArgs, verifySentinelsFromHost } from '../host/sentinels.js';
import { armDecoys, decoyArgs, verifyDecoys } from '../host/decoys.js';

export interface RunOptions {
  /** The kinds of target this run can use (targets/registry.ts DRIVERS, from the composition root). */
  drivers: readonly TargetDriver[];
  /** The checks to evaluate (checks/catalogue.ts CATALOGUE, from the composition root). */
  catalogue: readonly Check[];
  targets: TargetConfigBase[];
  profile: Profile;
  grep?: string;
  reporter?: Mocha.ReporterConstructor;
  version?: string;
  /** Told as each target's own containers end, while the others still run (the CLI's live progress). */
  onTargetDone?: (done: TargetDone) => void;
}

export interface TargetDone {
  name: string;
  runtime: string;
  /** How many targets have ended so far, this one included, and of how many. */
  index: number;
  total: number;
  durationMs: number;
  /** Why it could not run, when it could not. */
  error?: string;
}

export async function runSuite(opts: RunOptions): Promise<RunResults> {
  const driverOf = driverLookup(opts.drivers);
  const driverFor = opts.targets.map((t) => driverOf(t));
  preflight();
  // A missing daemon, shim or runtime binary must stop the run before any target creates anything.
  for (const d of opts.drivers) {
    const cfgs = opts.targets.filter((t) => t.runtime === d.kind);
    if (cfgs.length > 0) await d.preflight(cfgs);
  }
  const started = new Date();
  const t0 = performance.now();
  // The run's id and journal (host/journal.ts) before anything is made; an unusable RUN_ROOT stops it here.
  const runId = startJournal().id;
  await reapKilledRuns(opts.drivers);
  try {
    const runDir = makeRunDir(runId);
    const hostView = captureHostView();
    const sentinels = await armSentinels();
    // The sandbox profile's decoys (host/decoys.ts): a netns and files on the host, so only when asked.
    if (opts.profile === 'sandbox') sentinels.decoys = await armDecoys({ nonce: sentinels.nonce });
    own({ kind: 'probe-mounts', source: `isoprobe-${sentinels.nonce}` }, 'mounts leaked by the probe', () => detachLeakedMounts(`isoprobe-${sentinels.nonce}`));
    const probeCgroups = `isoprobe-probe-${sentinels.nonce}-`;
    own(
      { kind: 'probe-cgroups', prefix: probeCgroups },
      'cgroups made by a probe killed mid-test',
      () => void removeProbeCgroups(probeCgroups, fs.readFileSync('/proc/self/mountinfo', 'utf8')),
    );
    const armed = await verifyAll(sentinels);
    const problems = Object.values(armed).flatMap((v) => ('problem' in v ? [v.problem] : []));
    if (problems.length > 0) throw new EnvError(`host sentinels are not live, results would mean nothing: ${problems.join('; ')}`);
    // runTarget never rejects: a target that breaks (a hung daemon) is an error of its own, the others are still judged.
    let ended = 0;
    const ran = await Promise.all(
      opts.targets.map(async (t, i) => {
        const r = await runTarget(t, driverFor[i], () => driverFor[i].create(t, { runDir, profile: opts.profile }), {
          hostView,
          sentinels,
          armed,
          profile: opts.profile,
        });
        const u = r.unit;
        opts.onTargetDone?.({
          name: u.name,
          runtime: u.runtime,
          index: ++ended,
          total: opts.targets.length,
          durationMs: u.durationMs ?? 0,
          ...(u.error ? { error: u.error } : {}),
        });
        return r;
      }),
    );
    // The sibling pairs (engine/cross.ts) once every target's own containers ended: beside them,
    // their starts would queue behind the first burst of all targets (a daemon's 'container start'
    // bound was missed with 28 Docker targets on 2 CPUs). runSiblings never rejects.
    await Promise.all(
      ran.map(async ({ unit, pair }) => {
        if (!unit.ctx || !pair) return;
        const t = performance.now();
        unit.ctx.siblings = await pair();
        unit.durationMs = (unit.durationMs ?? 0) + (performance.now() - t);
      }),
    );
    const units = ran.map((r) => r.unit);
    const targets = await runChecks(units, [...opts.catalogue], { profile: opts.profile, grep: opts.grep, reporter: opts.reporter });
    const broken = units.filter((u) => u.error !== undefined);
    return {
      ...(broken.length > 0 ? { partial: true as const, partialReason: broken.map((u) => `${u.name} could not run: ${u.error}`).join('; ') } : {}),
      schema: RESULTS_SCHEMA_VERSION,
      tool: { name: 'isoprobe', version: opts.version ?? '0.0.0' },
      startedAt: started.toISOString(),
      durationMs: performance.now() - t0,
      profile: opts.profile,
      environment: environmentFingerprint(),
      catalogue: opts.catalogue.map(checkMeta),
      targets,
    };
  } finally {
    const failures = await cleanupAll();
    for (const f of failures) process.stderr.write(`isoprobe: cleanup failed: ${f}\n`);
    endJournal();
  }
}

/** RUN_ROOT/run-<pid>-<run id>: journalled before it exists; another run may remove an empty RUN_ROOT meanwhile. */
function makeRunDir(runId: string): string {
  const dir = path.join(RUN_ROOT, `run-${process.pid}-${runId}`);
  const intent = intend({ kind: 'dir', path: dir });
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(RUN_ROOT, { recursive: true, mode: 0o755 });
      fs.mkdirSync(dir, { mode: 0o755 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || i >= 10) throw new EnvError(`cannot make the run directory ${dir}: ${(e as Error).message}`);
    }
  }
  own(intent, `run directory ${dir}`, () => {
    fs.rmSync(dir, { recursive: true, force: true });
    try {
      fs.rmdirSync(RUN_ROOT);
    } catch {
      /* another run is using it */
    }
  });
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** The driver of each target's kind; a kind no driver answers is a bug of the composition root. */
function driverLookup(drivers: readonly TargetDriver[]): (t: TargetConfigBase) => TargetDriver {
  const byKind = new Map(drivers.map((d) => [d.kind, d]));
  return (t) => {
    const d = byKind.get(t.runtime);
    if (!d) throw new Error(`target "${t.name}": no driver for the kind "${t.runtime}" (drivers: ${[...byKind.keys()].join(', ')})`);
    return d;
  };
}

interface Shared {
  hostView: HostView;
  sentinels: Sentinels;
  /** Each sentinel as verified before any target started. */
  armed: SentinelStates;
  profile: Profile;
}

/**
 * Runs the facts probe, then verifies the sentinels again: per target, right after its own probe
 * exited, so that its window is exactly [before every target, its exit]: a sentinel lost while a
 * slower target still runs errors that target's checks only. A sentinel is not re-created, so the
 * same identity at both ends means it was live for the whole window (host/sentinels.ts).
 */
async function probeWithSentinels(target: Target, spec: ContainerSpec, shared: Shared) {
  const outcome = await target.run(spec);
  return { outcome, sentinelsVanished: vanishedBetween(shared.armed, await verifyAll(shared.sentinels)) };
}

/** The sentinels and, where armed, the decoys: one state each. */
async function verifyAll(s: Sentinels): Promise<SentinelStates> {
  return { ...(await verifySentinelsFromHost(s)), ...(s.decoys ? await verifyDecoys(s.decoys) : {}) };
}

/**
 * The probe's command line: the sentinels to look for, the bounded write tests, and what the
 * runtime was asked for that the probe does not look at by itself (each requested sysctl, masked
 * and read-only path), so the conformance checks can compare them.
 */
export function probeArgv(sentinels: Sentinels, hostView: HostView, target: string, request: Request = {}, workspace = `/${SCRATCH_DIR}`): string[] {
  const n = sentinels.nonce;
  return [
    PROBE_PATH,
    'facts',
    ...probeArgs(sentinels, hostView),
    // Per target, so that a mount leaked by one target is not blamed on another running beside it.
    '--set-hostname',
    `isoprobe-${n}`,
    '--mount-nonce',
    `${n}-${target}`,
    '--create-file',
    `${SCRATCH_DIR}/owned-${n}`,
    '--chroot-escape',
    ...Object.keys(request.sysctls?.value ?? {})
      .filter((name) => SYSCTL_NAME.test(name) && !name.includes('..'))
      .slice(0, PROBE_MAX_REQUESTED)
      .flatMap((name) => ['--sysctl', name]),
    ...[...new Set([...(request.maskedPaths?.value ?? []), ...(request.readonlyPaths?.value ?? [])])]
      .filter((p) => p.startsWith('/'))
      .slice(0, PROBE_MAX_REQUESTED)
      .flatMap((p) => ['--path', p]),
    // The sandbox profile's decoys; the write inside goes to the workspace the target declares.
    ...(sentinels.decoys ? decoyArgs(sentinels.decoys, workspace, `${n}-${target}`) : []),
  ];
}

/**
 * What the probe accepts (probes/probe.h MAX_REQUESTED, probes/opts.c): a name it would refuse or
 * one past the bound is left out, and its conformance check says it was not observed.
 */
const PROBE_MAX_REQUESTED = 32;
const SYSCTL_NAME = /^[a-z0-9_.-]+$/;

/** A target's result, and the sibling pair still to run for it (absent when it could not run). */
interface Ran {
  unit: TargetUnderTest;
  pair?: () => Promise<SiblingsEvidence>;
}

async function runTarget(cfg: TargetConfigBase, driver: TargetDriver, create: () => Target, shared: Shared): Promise<Ran> {
  // The request does not depend on the probe's argv; the argv names what the request asks for.
  const first = driver.spec(cfg, probeArgv(shared.sentinels, shared.hostView, cfg.name), shared.profile);
  const request = driver.request(cfg, first, shared.profile);
  const decoys = shared.sentinels.decoys;
  const planted = driver.spec(cfg, probeArgv(shared.sentinels, shared.hostView, cfg.name, request, first.workspace), shared.profile);
  // The decoy secrets go in the wrapper's environment, as a user's shell would hold them.
  const spec: ContainerSpec = decoys ? { ...planted, env: { ...planted.env, ...decoys.env } } : planted;
  const base = { name: cfg.name, runtime: cfg.runtime, ...(cfg.control ? { control: true } : {}), info: settingsInfo(driver, cfg), request };
  const t0 = performance.now();
  const took = () => ({ durationMs: performance.now() - t0 });
  try {
    const target = create();
    base.info = { ...(await target.info()), ...base.info };
    // The limit-enforcement containers (engine/enforce.ts) run beside the facts container.
    const [{ outcome, sentinelsVanished }, enforcement] = await Promise.all([probeWithSentinels(target, spec, shared), runEnforcement(target, spec, request)]);
    if (outcome.exitCode !== 0) {
      const why = outcome.signal ? `was killed by ${outcome.signal}` : `exited with ${outcome.exitCode}`;
      throw new TargetError(cfg.name, `the probe ${why}: ${outcome.stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`);
    }
    const facts = parseFacts(outcome.stdout);
    const ctx = { ...checkContext(cfg, target, spec, facts, outcome, enforcement, shared), request, sentinelsVanished };
    // Requested vs delivered (model/posture-diff.ts): shown with the results, never a verdict.
    const self = { status: fs.readFileSync('/proc/self/status', 'utf8'), capLastCap: Number(fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8')) };
    const assessed = assessPosture(spec, { facts, host: outcome.hostFacts, reference: shared.hostView }, self);
    const information = {
      'host paths in mountinfo': describeHostPaths(facts.files.mountinfo.text),
      ...agentInformation(facts, shared.hostView),
      ...('error' in assessed ? { posture: `not computed: ${assessed.error}` } : {}),
    };
    const seccomp = seccompResult(outcome.hostFacts.seccomp, target.provides.includes('observed') ? 'workload' : 'sandbox');
    const pair = () => runSiblings(target, spec, cfg.joinSibling ?? [], siblingRequest(request, cfg));
    return { unit: { ...base, information, ...('posture' in assessed ? assessed : {}), ...(seccomp ? { seccomp } : {}), ...took(), ctx }, pair };
  } catch (e) {
    return { unit: { ...base, ...took(), ctx: null, error: targetFailure(cfg.name, e) } };
  }
}

/**
 * One line for a target that could not run. The environment's failures (a daemon, a runtime, a
 * deadline) are the target's error; anything else is a bug of the harness: still only this
 * target's error, so the others' results are written, but with its stack on stderr.
 */
function targetFailure(name: string, e: unknown): string {
  if (e instanceof TargetError || e instanceof FactsError) return e.message;
  if (e instanceof EnvError || e instanceof DeadlineError) return `${name}: ${e.message}`;
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`isoprobe: internal error in target ${name}: ${err.stack ?? err.message}\n`);
  return `${name}: internal error: ${err.message}`;
}

/** The second sibling's request: the target's, with each namespace it joins of the first (the user's config). */
function siblingRequest(request: Request, cfg: TargetConfigBase): SiblingsEvidence['request'] {
  const r: Request = { ...request };
  for (const ns of cfg.joinSibling ?? []) r[`ns.${ns}`] = { value: 'joined:sibling', source: 'user config' };
  return r;
}

/** What each check of this target reads. */
function checkContext(
  cfg: TargetConfigBase,
  target: Target,
  spec: ContainerSpec,
  facts: ProbeFacts,
  outcome: RunOutcome,
  enforcement: EnforcementFacts,
  shared: Shared,
): Omit<TargetEvidence, 'request'> {
  return {
    target: cfg.name,
    profile: shared.profile,
    spec,
    capabilities: target.capabilities,
    provides: target.provides,
    container: facts,
    observed: outcome.hostFacts,
    ...(outcome.sandbox ? { sandbox: outcome.sandbox } : {}),
    reference: shared.hostView,
    after: { hostname: os.hostname(), mountinfo: fs.readFileSync('/proc/self/mountinfo', 'utf8') },
    sentinels: shared.sentinels,
    enforcement,
  };
}

/**
 * The requested settings in the target's info: `spec` as reports have always shown it, and
 * `requestedBy`: "isoprobe: limits, no-new-privs; runtime default: share, caps, ...".
 */
function settingsInfo(driver: TargetDriver, cfg: TargetConfigBase): Record<string, string> {
  const settings = driver.describe(cfg);
  const sources = [...new Set(settings.map((s) => s.source))];
  return {
    spec: settings.map((s) => `${s.setting}=${s.value}`).join(' '),
    requestedBy: sources
      .map(
        (src) =>
          `${src}: ${settings
            .filter((s) => s.source === src)
            .map((s) => s.setting)
            .join(', ')}`,
      )
      .join('; '),
    probeDelivery: driver.delivery,
  };
}
