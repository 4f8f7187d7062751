/**
 * cgroup limits enforced, not only configured: a bounded fork bomb, memory hog and cpu burn, each
 * in its own container with the target's spec (engine/enforce.ts). A limit that is not set fails
 * (there is nothing to enforce), naming who asked for it or that nobody did; the probe's numbers
 * and the host's counters are the evidence.
 */
import { expect } from 'chai';
import { skip, type CheckContext } from '../model/check.js';
import type { EnforcementFacts, EnforcementRun } from '../model/enforcement.js';
import { limitsInForce, type LimitInForce } from '../model/parse/cgroup.js';
import type { SettingKey } from '../model/request.js';
import { askedText, limitShown } from './asked.js';
import { builtin, DOCKER_NO_CPUS, DOCKER_NO_MEMORY, DOCKER_NO_PIDS_LIMIT, gvisor, PODMAN_NO_CPUS, PODMAN_NO_MEMORY, PODMAN_NO_PIDS_LIMIT } from './controls.js';
import { check, errnoName, requireSettableLimits } from './define.js';

const STRICTER = ['restricted', 'strict'] as const;
const EAGAIN = 11;
const SIGKILL = 9;
const NO_LIMITS = builtin({ limits: 'none' });
/** One period of the quota (a burst at a period boundary) plus 20 ms of timer/accounting slack. */
export const CPU_PERIOD_MS = 100;
export const CPU_SLACK_MS = 20;

function run<K extends keyof EnforcementFacts>(ctx: CheckContext<'enforcement'>, key: K): NonNullable<EnforcementFacts[K]['result']> & object {
  requireSettableLimits(ctx);
  const r: EnforcementRun<unknown> | undefined = ctx.enforcement[key];
  if (!r) throw new Error(`the ${key} enforcement probe was not run for this target`);
  if (r.error || !r.result) throw new Error(`the ${key} enforcement probe failed: ${r.error}`);
  return r.result as NonNullable<EnforcementFacts[K]['result']> & object;
}

function events(ctx: CheckContext<'enforcement'>, key: keyof EnforcementFacts, files: string[]): string {
  const ev = ctx.enforcement[key].hostEvents;
  return (
    files
      .filter((f) => ev[f] !== undefined)
      .map((f) => `${f}: ${ev[f].replace(/\n/g, ', ')}`)
      .join('; ') || 'no counters'
  );
}

/**
 * The limit each probe met: the one in force on its own cgroup as the host read it before the
 * probe started, whoever set it (a daemon's default, the user's config, isoprobe). Where the
 * host could not read the file at all, the limit asked for stands in, and the evidence says so.
 */
function limitMet(
  ctx: CheckContext<'enforcement'>,
  key: keyof EnforcementFacts,
  setting: SettingKey & `limits.${string}`,
): { value: number | null; shown: string } {
  const f: LimitInForce = limitsInForce(ctx.enforcement[key].hostLimits)[key];
  const asked = ctx.request[setting];
  const who = askedText(ctx.request, setting, (v) => limitShown(v as number));
  if (f.text !== null) return { value: f.value, shown: `in force ${f.file}=${f.text} (${who})` };
  const value = asked && (asked.value as number) > 0 ? (asked.value as number) : null;
  return { value, shown: `${f.file} not read on the host (${who})` };
}

/**
 * In a sandbox with a kernel of its own (gVisor), the host's limit bounds the sandbox as a whole:
 * at pids.max the Sentry cannot make a thread, at the memory limit the host OOM-kills it, and
 * the probe's container ends without a report. The host's counters of the sandbox's cgroup then
 * decide: the limit was reached there, and the sandbox did not outgrow it. Null where this does not apply.
 */
function sandboxStopped(ctx: CheckContext<'enforcement'>, key: 'pids' | 'memory', what: string, hit: RegExp): string | null {
  requireSettableLimits(ctx);
  const r = ctx.enforcement[key];
  if (!ctx.capabilities.ownKernel || !r?.error || r.result) return null;
  const ev = Object.values(r.hostEvents).join('\n');
  const n = Number(hit.exec(ev)?.[1] ?? 0);
  if (!(n > 0)) return null;
  return `${ctx.capabilities.ownKernel}: the sandbox as a whole met ${what} and ended (${r.error}); host: ${Object.entries(r.hostEvents)
    .map(([f, v]) => `${f}: ${v.replace(/\n/g, ', ')}`)
    .join('; ')}`;
}

/** cpu time allowed over a wall-time window: the quota, one period's burst and the slack. */
export function cpuAllowanceMs(cpus: number, wallMs: number): number {
  return cpus * wallMs + cpus * CPU_PERIOD_MS + CPU_SLACK_MS;
}

export const limitChecks = [
  check(
    {
      id: 'cgroup.pids-enforced',
      area: 'cgroup',
      title: 'a fork bomb stops at pids.max with EAGAIN and is cleaned up',
      profiles: [...STRICTER],
      references: ['OCI runtime spec: linux.resources.pids', 'CIS Docker 5.28 (PIDs cgroup limit)'],
      needs: ['enforcement'],
      settings: ['limits.pids'],
      negativeControls: [NO_LIMITS, DOCKER_NO_PIDS_LIMIT, PODMAN_NO_PIDS_LIMIT, gvisor('--ignore-cgroups')],
    },
    (ctx) => {
      const whole = sandboxStopped(ctx, 'pids', 'pids.max', /\bmax (\d+)/);
      if (whole) return whole;
      const f = run(ctx, 'pids');
      const { value: limit, shown } = limitMet(ctx, 'pids', 'limits.pids');
      const evidence = `pids limit ${shown}; forked ${f.forked} of at most ${f.max} before ${errnoName(f.errno)}, ${f.elapsed_ms} ms; host: ${events(ctx, 'pids', ['pids.events'])}`;
      expectInForce('pids limit', limit, shown, evidence);
      expect(f.errno, `fork did not stop with EAGAIN: ${evidence}`).to.equal(EAGAIN);
      // The probe itself is one of the pids.max tasks.
      expect(f.forked + 1, `more tasks than pids.max: ${evidence}`).to.be.at.most(limit!);
      return evidence;
    },
  ),
  check(
    {
      id: 'cgroup.memory-enforced',
      area: 'cgroup',
      title: 'a memory hog is OOM-killed or refused before it holds more than the memory limit',
      profiles: [...STRICTER],
      references: ['OCI runtime spec: linux.resources.memory', 'CIS Docker 5.10 (memory limited)'],
      needs: ['enforcement'],
      settings: ['limits.memory'],
      negativeControls: [NO_LIMITS, DOCKER_NO_MEMORY, PODMAN_NO_MEMORY, gvisor('--ignore-cgroups')],
    },
    (ctx) => {
      const whole = sandboxStopped(ctx, 'memory', 'its memory limit', /\boom_kill (\d+)/);
      if (whole) return whole;
      const m = run(ctx, 'memory');
      const { value: limit, shown } = limitMet(ctx, 'memory', 'limits.memory');
      const limitMb = limit === null ? null : limit / 2 ** 20;
      const fate = m.signal
        ? `killed by signal ${m.signal}`
        : m.timed_out
          ? 'timed out'
          : `exited ${m.exit_code}${m.exit_code === 10 ? ' (mmap refused)' : ''}`;
      const evidence = `memory limit ${shown}${limitMb !== null ? ` = ${limitMb} MiB` : ''}; hog reached ${m.reached_mb} of ${m.max_mb} MiB in ${m.step_mb} MiB steps, then ${fate}; host: ${events(ctx, 'memory', ['memory.oom_control', 'memory.events', 'memory.failcnt'])}`;
      expectInForce('memory limit', limitMb, shown, evidence);
      expect(m.signal === SIGKILL || m.exit_code === 10, `the hog was neither OOM-killed nor refused: ${evidence}`).to.equal(true);
      expect(m.reached_mb, `the hog held more than the limit: ${evidence}`).to.be.at.most(limitMb!);
      return evidence;
    },
  ),
  check(
    {
      id: 'cgroup.cpu-enforced',
      area: 'cgroup',
      title: `cpu time over a bounded busy loop stays within the cpu quota (+ one period and ${CPU_SLACK_MS} ms)`,
      profiles: [...STRICTER],
      references: ['OCI runtime spec: linux.resources.cpu (quota, period)', 'CIS Docker 5.11 (CPU priority/limits)'],
      needs: ['enforcement'],
      settings: ['limits.cpu'],
      negativeControls: [NO_LIMITS, DOCKER_NO_CPUS, PODMAN_NO_CPUS, gvisor('--ignore-cgroups')],
    },
    (ctx) => {
      const c = run(ctx, 'cpu');
      const { value: cpus, shown } = limitMet(ctx, 'cpu', 'limits.cpu');
      const asked = ctx.request['limits.cpu']?.value;
      const allowed = cpus === null ? null : cpuAllowanceMs(cpus, c.wall_ms);
      const evidence = `cpu quota ${shown}${cpus !== null ? ` = ${cpus} cpu` : ''}; ${c.cpu_ms} ms cpu over ${c.wall_ms} ms wall (ratio ${(c.cpu_ms / c.wall_ms).toFixed(2)}), allowed ${allowed?.toFixed(0) ?? 'n/a'} ms; host: ${events(ctx, 'cpu', ['cpu.stat'])}`;
      expectInForce('cpu quota', cpus, shown, evidence);
      // On a busy machine the burn may get less cpu than the quota, so staying under it proves
      // nothing alone: a quota asked for must also be the one in force while it ran.
      if (asked !== undefined && asked > 0) expect(cpus, `the asked quota is not in force on the burn's cgroup: ${evidence}`).to.equal(asked);
      // The cpu time a sandbox's own kernel reports is its accounting, not the host's: the host's throttling of the sandbox's cgroup decides.
      if (ctx.capabilities.ownKernel) {
        const throttled = Number(/\bnr_throttled (\d+)/.exec(ctx.enforcement.cpu.hostEvents['cpu.stat'] ?? '')?.[1] ?? Number.NaN);
        if (Number.isNaN(throttled))
          skip(
            'evidence',
            `${ctx.capabilities.ownKernel}, whose cpu time is its own accounting, and the host read no cpu.stat of the sandbox's cgroup: ${evidence}`,
          );
        expect(throttled, `the host never throttled the sandbox's cgroup: ${evidence}`).to.be.above(0);
        return `the host throttled the sandbox's cgroup (its own cpu time is the sandbox kernel's accounting): ${evidence}`;
      }
      expect(c.cpu_ms, `more cpu time than the quota allows: ${evidence}`).to.be.at.most(allowed!);
      return evidence;
    },
  ),
];

/** A limit must be in force before its enforcement means anything: expected/observed say which and who asked. */
function expectInForce(what: string, value: number | null, shown: string, evidence: string): void {
  const want = `a ${what} in force`;
  expect(value === null ? `no ${what} in force: ${shown}` : want, `no ${what} is set: ${evidence}`).to.equal(want);
}
