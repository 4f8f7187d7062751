/**
 * One run: take the host's view, arm the sentinels, start ONE probe container per target
 * (concurrently), validate its facts, then evaluate the catalogue through mocha. Everything made
 * is registered for cleanup at birth and removed before this returns, also on failure.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Mocha from 'mocha';
import { CATALOGUE } from '../checks/catalogue.js';
import { createTarget, preflightTargets } from '../targets/registry.js';
import { PROBE_PATH, SCRATCH_DIR, TargetError, type ProbeFiles, type Target } from '../model/target.js';
import { checkMeta } from '../model/check.js';
import { runChecks, type TargetUnderTest } from './check-runner.js';
import type { TargetEvidence } from './evidence.js';
import { cleanupAll, onCleanup } from '../host/cleanup.js';
import { environmentFingerprint } from '../host/environment.js';
import { runEnforcement } from './enforce.js';
import { EnvError } from '../model/errors.js';
import { FactsError, parseFacts } from '../model/facts.js';
import { describeHostPaths } from '../model/host-paths.js';
import { assessPosture } from '../model/posture-diff.js';
import { removeProbeCgroups } from '../host/probe-cgroups.js';
import { captureHostView } from '../host/host-view.js';
import type { HostView } from '../model/host-view.js';
import type { Sentinels } from '../model/sentinels.js';
import { BUSYBOX_BINARY, PROBE_BINARY, RUN_ROOT } from '../host/paths.js';
import { scanLeftovers } from '../host/leftovers.js';
import { preflight } from './preflight.js';
import { isEmpty, liveRuns, reapLeftovers } from '../host/reap.js';
import { RESULTS_SCHEMA_VERSION, type Profile, type RunResults } from '../model/results.js';
import { armSentinels, probeArgs, verifySentinelsFromHost } from '../host/sentinels.js';
import { specFor, type TargetConfig } from '../targets/config.js';

export interface RunOptions {
  targets: TargetConfig[];
  profile: Profile;
  grep?: string;
  reporter?: Mocha.ReporterConstructor;
  version?: string;
}

export async function runSuite(opts: RunOptions): Promise<RunResults> {
  preflight(new Set(opts.targets.map((t) => t.runtime)));
  // A missing daemon or runtime binary must stop the run before any target creates anything.
  await preflightTargets(opts.targets);
  const started = new Date();
  const t0 = performance.now();
  reapKilledRuns();
  try {
    const runDir = makeRunDir();
    const hostView = captureHostView();
    const sentinels = await armSentinels();
    onCleanup('mounts leaked by the probe', () => detachLeakedMounts(`isoprobe-${sentinels.nonce}`));
    onCleanup('cgroups made by a probe killed mid-test', () => void removeProbeCgroups(`isoprobe-probe-${sentinels.nonce}-`, fs.readFileSync('/proc/self/mountinfo', 'utf8')));
    const problems = await verifySentinelsFromHost(sentinels);
    if (problems.length > 0) throw new EnvError(`host sentinels are not live, results would mean nothing: ${problems.join('; ')}`);
    const files: ProbeFiles = { probe: PROBE_BINARY, busybox: fs.existsSync(BUSYBOX_BINARY) ? BUSYBOX_BINARY : undefined };
    const units = await Promise.all(opts.targets.map((t) => runTarget(t, createTarget(t, { runDir }), { hostView, sentinels, files, profile: opts.profile })));
    const targets = await runChecks(units, [...CATALOGUE], { profile: opts.profile, grep: opts.grep, reporter: opts.reporter });
    return {
      schema: RESULTS_SCHEMA_VERSION,
      tool: { name: 'isoprobe', version: opts.version ?? '0.0.0' },
      startedAt: started.toISOString(),
      durationMs: performance.now() - t0,
      profile: opts.profile,
      environment: environmentFingerprint(),
      catalogue: CATALOGUE.map(checkMeta),
      targets,
    };
  } finally {
    const failures = await cleanupAll();
    for (const f of failures) process.stderr.write(`isoprobe: cleanup failed: ${f}\n`);
  }
}

/** A SIGKILLed run could not clean up: its remains go now, unless another run is alive. */
function reapKilledRuns(): void {
  // A run makes no network namespace, so one named isoprobe (the Vagrant gate's) is not its to reap.
  if (liveRuns().length > 0 || isEmpty({ ...scanLeftovers(), netns: [] })) return;
  const { found } = reapLeftovers();
  const what = Object.entries(found).filter(([, v]) => v.length > 0).map(([k, v]) => `${v.length} ${k}`).join(', ');
  process.stderr.write(`isoprobe: removed what an earlier, killed run left behind (${what})\n`);
}

function makeRunDir(): string {
  fs.mkdirSync(RUN_ROOT, { recursive: true, mode: 0o755 });
  const dir = fs.mkdtempSync(path.join(RUN_ROOT, `run-${process.pid}-`));
  fs.chmodSync(dir, 0o755);
  onCleanup(`run directory ${dir}`, () => {
    fs.rmSync(dir, { recursive: true, force: true });
    try { fs.rmdirSync(RUN_ROOT); } catch { /* another run is using it */ }
  });
  return dir;
}

interface Shared {
  hostView: HostView;
  sentinels: Sentinels;
  files: ProbeFiles;
  profile: Profile;
}

/** The probe's command line: the sentinels to look for, and the bounded write tests. */
export function probeArgv(sentinels: Sentinels, hostView: HostView, target: string): string[] {
  const n = sentinels.nonce;
  return [
    PROBE_PATH, 'facts', ...probeArgs(sentinels, hostView),
    // Per target, so that a mount leaked by one target is not blamed on another running beside it.
    '--set-hostname', `isoprobe-${n}`, '--mount-nonce', `${n}-${target}`,
    '--create-file', `${SCRATCH_DIR}/owned-${n}`, '--chroot-escape',
  ];
}

async function runTarget(cfg: TargetConfig, target: Target, shared: Shared): Promise<TargetUnderTest> {
  const info = await target.info();
  const spec = specFor(cfg, probeArgv(shared.sentinels, shared.hostView, cfg.name));
  const base = { name: cfg.name, runtime: cfg.runtime, ...(cfg.control ? { control: true } : {}), info: { ...info, spec: describeSpec(cfg) } };
  try {
    // The limit-enforcement containers (engine/enforce.ts) run beside the facts container.
    const [outcome, enforcement] = await Promise.all([target.run(spec, shared.files), runEnforcement(target, spec, shared.files)]);
    if (outcome.exitCode !== 0) {
      const why = outcome.signal ? `was killed by ${outcome.signal}` : `exited with ${outcome.exitCode}`;
      throw new TargetError(cfg.name, `the probe ${why}: ${outcome.stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`);
    }
    const facts = parseFacts(outcome.stdout);
    const ctx: TargetEvidence = {
      target: cfg.name, profile: shared.profile, spec, capabilities: target.capabilities, provides: target.provides,
      container: facts, observed: outcome.hostFacts, reference: shared.hostView,
      after: { hostname: os.hostname(), mountinfo: fs.readFileSync('/proc/self/mountinfo', 'utf8') },
      sentinels: shared.sentinels, enforcement,
    };
    // Requested vs delivered (model/posture-diff.ts): shown with the results, never a verdict.
    const self = { status: fs.readFileSync('/proc/self/status', 'utf8'), capLastCap: Number(fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8')) };
    const assessed = assessPosture(spec, { facts, host: outcome.hostFacts, reference: shared.hostView }, self);
    const information = {
      'host paths in mountinfo': describeHostPaths(facts.files.mountinfo.text),
      ...('error' in assessed ? { posture: `not computed: ${assessed.error}` } : {}),
    };
    return { ...base, information, ...('posture' in assessed ? assessed : {}), ctx };
  } catch (e) {
    if (e instanceof TargetError || e instanceof FactsError) return { ...base, ctx: null, error: e.message };
    throw e;
  }
}

/** A probe mount that propagated to the host (any target's) is a finding first, then removed. */
function detachLeakedMounts(source: string): void {
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (post?.split(' ')[1]?.startsWith(source)) spawnSync('umount', ['-l', pre.split(' ')[4]], { stdio: 'ignore' });
  }
}

function describeSpec(t: TargetConfig): string {
  const parts = [`share=${t.share.join(',') || 'none'}`, `root=${t.rootChange}`, `caps=${t.caps}`, `limits=${t.limits}`,
    `seccomp=${t.seccomp ?? 'default'}`, `no-new-privs=${t.noNewPrivs ?? true}`,
    ...(t.runtime === 'builtin' ? [`cgroupfs=${t.cgroupfs ?? 'ro'}`] : [])];
  return parts.join(' ');
}
