/**
 * Limits enforced, not only configured: three bounded probes (probes/enforce.c), each in a
 * container of its own with the target's spec, so that the only thing each meets is its own
 * cgroup limit. They run concurrently with the facts container; the whole costs about one
 * CPU_WINDOW_MS plus three container starts per target. A probe that could not run is recorded
 * as an error (the enforcement checks then report a broken harness, not a verdict).
 */
import os from 'node:os';
import { z } from 'zod';
import { PROBE_PATH, type ProbeFiles, type Target } from '../runtime/target.js';
import type { ContainerSpec, Limits } from './spec.js';

/** Wall-time window of the cpu burn: 5 periods of 100 ms, enough to see a quota, short for CI. */
export const CPU_WINDOW_MS = 500;
/** Forks tried without a limit to stop them (a limit stops them earlier). */
const FORKS_WITHOUT_LIMIT = 128;
const MEMORY_WITHOUT_LIMIT_MB = 128;
const MEMORY_STEP_MB = 8;

const errno = z.number().int().nonnegative();
const ForkbombSchema = z.object({ kind: z.literal('forkbomb'), max: z.number().int(), forked: z.number().int(), errno, elapsed_ms: z.number() });
const MemhogSchema = z.object({
  kind: z.literal('memhog'), max_mb: z.number().int(), step_mb: z.number().int(), reached_mb: z.number().int(),
  fork_errno: errno, timed_out: z.boolean(), exit_code: z.number().int(), signal: z.number().int(), elapsed_ms: z.number(),
});
const CpuburnSchema = z.object({ kind: z.literal('cpuburn'), wall_ms: z.number(), cpu_ms: z.number(), rusage_ms: z.number() });

export type Forkbomb = z.infer<typeof ForkbombSchema>;
export type Memhog = z.infer<typeof MemhogSchema>;
export type Cpuburn = z.infer<typeof CpuburnSchema>;

export interface EnforcementRun<T> {
  argv: string[];
  result?: T;
  /** Why there is no result: the container or the probe failed. */
  error?: string;
  /** The host's limit-hit counters for this container's cgroup (pids.events, memory.oom_control, ...). */
  hostEvents: Record<string, string>;
  /** The limits the host read on this container's cgroup before the probe started (it is held until observed). */
  hostLimits: Record<string, string>;
}

export interface EnforcementFacts {
  pids: EnforcementRun<Forkbomb>;
  memory: EnforcementRun<Memhog>;
  cpu: EnforcementRun<Cpuburn>;
}

/** The three command lines, bounded from the configured limits (twice the limit, or a fixed cap). */
export function enforcementArgv(limits: Limits): Record<keyof EnforcementFacts, string[]> {
  const forks = limits.pids !== undefined ? Math.min(2 * limits.pids, 4096) : FORKS_WITHOUT_LIMIT;
  const mb = limits.memoryBytes !== undefined ? Math.min(2 * Math.ceil(limits.memoryBytes / 2 ** 20), 1024) : MEMORY_WITHOUT_LIMIT_MB;
  return {
    pids: [PROBE_PATH, 'forkbomb', '--max', String(forks), '--hold-ms', '5000'],
    memory: [PROBE_PATH, 'memhog', '--max-mb', String(mb), '--step-mb', String(MEMORY_STEP_MB)],
    cpu: [PROBE_PATH, 'cpuburn', '--ms', String(CPU_WINDOW_MS)],
  };
}

/**
 * Concurrent cpu burns share the machine's CPUs: with more burns than CPUs none reaches its quota
 * and the check proves nothing. At most one burn per CPU runs at a time, across all targets.
 */
const cpuSlots = { free: Math.max(1, os.availableParallelism()), waiting: [] as (() => void)[] };

async function withCpuSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (cpuSlots.free > 0) cpuSlots.free--;
  else await new Promise<void>((resolve) => cpuSlots.waiting.push(resolve));
  try {
    return await fn();
  } finally {
    const next = cpuSlots.waiting.shift();
    if (next) next();
    else cpuSlots.free++;
  }
}

export async function runEnforcement(target: Target, spec: ContainerSpec, files: ProbeFiles): Promise<EnforcementFacts> {
  const argv = enforcementArgv(spec.limits);
  const [pids, memory, cpu] = await Promise.all([
    runOne(target, spec, files, argv.pids, ForkbombSchema),
    runOne(target, spec, files, argv.memory, MemhogSchema),
    withCpuSlot(() => runOne(target, spec, files, argv.cpu, CpuburnSchema)),
  ]);
  return { pids, memory, cpu };
}

async function runOne<T>(target: Target, spec: ContainerSpec, files: ProbeFiles, argv: string[], schema: z.ZodType<T>): Promise<EnforcementRun<T>> {
  try {
    const out = await target.run({ ...spec, argv }, files);
    const hostEvents = out.hostFacts.cgroup.events ?? {};
    const hostLimits = out.hostFacts.cgroup.limits;
    if (out.exitCode !== 0) {
      const why = out.signal ? `was killed by ${out.signal}` : `exited with ${out.exitCode}`;
      return { argv, hostEvents, hostLimits, error: `probe ${argv[1]} ${why}: ${out.stderr.trim().split('\n').slice(-2).join(' | ') || 'no message'}` };
    }
    return { argv, hostEvents, hostLimits, ...parseDoc(out.stdout, schema) };
  } catch (e) {
    return { argv, hostEvents: {}, hostLimits: {}, error: (e as Error).message };
  }
}

export function parseDoc<T>(stdout: string, schema: z.ZodType<T>): { result?: T; error?: string } {
  try {
    const parsed = schema.safeParse(JSON.parse(stdout.trim()));
    if (parsed.success) return { result: parsed.data };
    return { error: `probe output does not match its contract: ${parsed.error.issues[0]?.message}` };
  } catch {
    return { error: `probe output is not JSON: ${JSON.stringify(stdout.slice(0, 60))}` };
  }
}
