/**
 * The effective seccomp profile as a run's results hold it (results.json `seccomp`), its one-line
 * summary for the matrix, the profiles of several targets side by side, and the calls that became
 * runnable between two runs (`isoprobe diff`'s seccomp regression).
 */
import { z } from 'zod';
import type { SeccompFilterRead } from '../parse/seccomp-filters.js';
import { DANGEROUS_NAMES } from './dangerous.js';
import { effectiveProfile, runnable, verdictsByName, type AbiProfile } from './profile.js';
import { ABIS, type Abi } from './syscalls.js';

const abiSchema = z.object({ byVerdict: z.record(z.string(), z.array(z.string())), conditional: z.record(z.string(), z.record(z.string(), z.string())) });
export const SeccompResultSchema = z.union([
  z.object({
    /** Whose filter: the workload's own, or (gVisor) the sandbox's, whose kernel the workload's calls reach instead. */
    subject: z.enum(['workload', 'sandbox']),
    filters: z.array(z.number().int()),
    abis: z.object({ x86_64: abiSchema, i386: abiSchema, x32: abiSchema }),
  }),
  z.object({ unreadable: z.string() }),
]);
export type SeccompResult = z.infer<typeof SeccompResultSchema>;

/** The results' form of what the host read; undefined when nothing was observed. */
export function seccompResult(read: SeccompFilterRead | { unreadable: string } | undefined, subject: 'workload' | 'sandbox'): SeccompResult | undefined {
  if (!read) return undefined;
  if ('unreadable' in read) return { unreadable: read.unreadable };
  if ('error' in read) return { unreadable: `filter ${read.error.index}: ${read.error.step} failed with errno ${read.error.errno}` };
  try {
    return { subject, ...effectiveProfile(read.filters) };
  } catch (e) {
    return { unreadable: (e as Error).message };
  }
}

/** The dangerous calls (model/seccomp/dangerous.ts) the filter lets run for some argument value (a capability may still hold them): conditional ones marked `?`. */
export function dangerousRunnable(p: AbiProfile): string[] {
  const cond = new Set(Object.keys(p.conditional));
  return runnable(p)
    .filter((n) => DANGEROUS_NAMES.has(n))
    .map((n) => (cond.has(n) ? `${n}?` : n));
}

/** ["1 filter (90 insns)", "x86_64: 322 of 362 run (2 conditional), dangerous ones the filter lets through: io_uring_setup …", "i386: none of 440 run", …]. */
export function seccompSummaryLines(r: SeccompResult): string[] {
  if ('unreadable' in r) return [`not read: ${r.unreadable}`];
  if (r.filters.length === 0) return ['no filter: every call of every ABI runs'];
  const head = `${r.filters.length} filter${r.filters.length === 1 ? '' : 's'} (${r.filters.join('+')} insns)${r.subject === 'sandbox' ? ", the sandbox's own" : ''}`;
  const abi = (a: Abi) => {
    const p = r.abis[a];
    const total = new Set([...Object.values(p.byVerdict).flat(), ...Object.keys(p.conditional)]).size;
    const runs = runnable(p).length;
    if (runs === 0) return `${a}: none of ${total} run`;
    const cond = Object.keys(p.conditional).length;
    const danger = dangerousRunnable(p);
    return `${a}: ${runs} of ${total} run${cond ? ` (${cond} conditional)` : ''}, dangerous ones the filter lets through: ${danger.join(' ') || 'none'}`;
  };
  return [head, ...ABIS.map(abi)];
}

export function seccompSummary(r: SeccompResult): string {
  return seccompSummaryLines(r).join('; ');
}

/** Each x86_64 call whose verdict differs between the targets, with every target's verdict (`conditional` for one filtered by argument). */
export function profilesSideBySide(
  profiles: readonly { name: string; seccomp: SeccompResult }[],
  abi: Abi = 'x86_64',
): { names: string[]; rows: { call: string; verdicts: string[] }[] } {
  const readable = profiles.filter((p): p is { name: string; seccomp: Extract<SeccompResult, { abis: unknown }> } => 'abis' in p.seccomp);
  const maps = readable.map((p) => verdictsByName(p.seccomp.abis[abi]));
  const calls = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
  const rows = calls.map((call) => ({ call, verdicts: maps.map((m) => m.get(call) ?? '—') })).filter((r) => new Set(r.verdicts).size > 1);
  return { names: readable.map((p) => p.name), rows };
}

/** `x86_64 io_uring_setup: errno(1) → allow`: each call of each ABI that runs now for some argument and did not before. */
export function newlyRunnable(before: SeccompResult, after: SeccompResult): string[] {
  if (!('abis' in before) || !('abis' in after)) return [];
  return ABIS.flatMap((abi) => {
    const was = new Set(runnable(before.abis[abi]));
    const v = verdictsByName(before.abis[abi]);
    return runnable(after.abis[abi])
      .filter((n) => !was.has(n))
      .map((n) => `${abi} ${n}: ${v.get(n) ?? 'absent'} → ${verdictsByName(after.abis[abi]).get(n)}`);
  });
}
