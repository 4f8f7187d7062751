/**
 * Limits enforced, not only configured: the contracts of the three bounded probes
 * (probes/enforce.c) and their command lines, bounded from the configured limits. Running them is
 * the engine's (engine/enforce.ts).
 */
import { z } from 'zod';
import type { Request } from './request.js';
import type { Limits } from './spec.js';
import { PROBE_PATH } from './target.js';

/** Wall-time window of the cpu burn: 5 periods of 100 ms, enough to see a quota, short for CI. */
export const CPU_WINDOW_MS = 500;
/** Forks tried without a limit to stop them (a limit stops them earlier). */
const FORKS_WITHOUT_LIMIT = 128;
const MEMORY_WITHOUT_LIMIT_MB = 128;
const MEMORY_STEP_MB = 8;

const errno = z.number().int().nonnegative();
export const ForkbombSchema = z.object({ kind: z.literal('forkbomb'), max: z.number().int(), forked: z.number().int(), errno, elapsed_ms: z.number() });
export const MemhogSchema = z.object({
  kind: z.literal('memhog'),
  max_mb: z.number().int(),
  step_mb: z.number().int(),
  reached_mb: z.number().int(),
  fork_errno: errno,
  timed_out: z.boolean(),
  exit_code: z.number().int(),
  signal: z.number().int(),
  elapsed_ms: z.number(),
});
export const CpuburnSchema = z.object({ kind: z.literal('cpuburn'), wall_ms: z.number(), cpu_ms: z.number(), rusage_ms: z.number() });

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

/**
 * The limits a runtime was asked for, by whoever asked (isoprobe, the user's config); a limit
 * nobody asked for, or asked to be none (0), is undefined: the probes then use their fixed caps.
 */
export function limitsAsked(request: Request): Limits {
  const positive = (v: number | undefined) => (v !== undefined && v > 0 ? v : undefined);
  const pids = positive(request['limits.pids']?.value);
  const memoryBytes = positive(request['limits.memory']?.value);
  const cpus = positive(request['limits.cpu']?.value);
  return { ...(pids !== undefined ? { pids } : {}), ...(memoryBytes !== undefined ? { memoryBytes } : {}), ...(cpus !== undefined ? { cpus } : {}) };
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

export function parseDoc<T>(stdout: string, schema: z.ZodType<T>): { result?: T; error?: string } {
  try {
    const parsed = schema.safeParse(JSON.parse(stdout.trim()));
    if (parsed.success) return { result: parsed.data };
    return { error: `probe output does not match its contract: ${parsed.error.issues[0]?.message}` };
  } catch {
    return { error: `probe output is not JSON: ${JSON.stringify(stdout.slice(0, 60))}` };
  }
}
