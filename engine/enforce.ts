/**
 * Limits enforced, not only configured: three bounded probes (probes/enforce.c), each in a
 * container of its own with the target's spec, so that the only thing each meets is its own
 * cgroup limit. They run concurrently with the facts container; the whole costs about one
 * CPU_WINDOW_MS plus three container starts per target. A probe that could not run is recorded
 * as an error (the enforcement checks then report a broken harness, not a verdict).
 */
import os from 'node:os';
import type { z } from 'zod';
import {
  CpuburnSchema,
  enforcementArgv,
  limitsAsked,
  ForkbombSchema,
  MemhogSchema,
  parseDoc,
  type EnforcementFacts,
  type EnforcementRun,
} from '../model/enforcement.js';
import type { Request } from '../model/request.js';
import type { ContainerSpec } from '../model/spec.js';
import type { Target } from '../model/target.js';
import { Slots } from '../model/slots.js';

/**
 * Concurrent cpu burns share the machine's CPUs: with more burns than CPUs none reaches its quota
 * and the check proves nothing. At most one burn per CPU runs at a time, across all targets.
 */
const cpuSlots = new Slots(os.availableParallelism());

export async function runEnforcement(target: Target, spec: ContainerSpec, request: Request): Promise<EnforcementFacts> {
  const argv = enforcementArgv(limitsAsked(request));
  const [pids, memory, cpu] = await Promise.all([
    runOne(target, spec, argv.pids, ForkbombSchema),
    runOne(target, spec, argv.memory, MemhogSchema),
    cpuSlots.with(() => runOne(target, spec, argv.cpu, CpuburnSchema)),
  ]);
  return { pids, memory, cpu };
}

async function runOne<T>(target: Target, spec: ContainerSpec, argv: string[], schema: z.ZodType<T>): Promise<EnforcementRun<T>> {
  try {
    const out = await target.run({ ...spec, argv });
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
