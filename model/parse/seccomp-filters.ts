/**
 * The document of `probe seccomp-filters --pid N` (probes/seccomp-filters.c): every stacked
 * seccomp filter of a process as the kernel holds it, read from the host. Validated, not trusted:
 * a malformed document is a broken harness, said in one line, never a filter of nothing.
 */
import { z } from 'zod';

/** One cBPF instruction as struct sock_filter has it: code, jt, jf, k. */
export type BpfInsn = readonly [code: number, jt: number, jf: number, k: number];

const u8 = z.number().int().min(0).max(0xff);
const insn = z.tuple([z.number().int().min(0).max(0xffff), u8, u8, z.number().int().min(0).max(0xffffffff)]);

const DocSchema = z.strictObject({
  schema: z.literal(1),
  kind: z.literal('seccomp-filters'),
  pid: z.number().int().positive(),
  filters: z.array(z.array(insn).min(1).max(4096)).max(64),
  error: z.union([z.null(), z.strictObject({ step: z.enum(['seize', 'interrupt', 'wait', 'get']), index: z.number().int(), errno: z.number().int() })]),
});

/**
 * What the host read: the filters, first the one the kernel runs first (the most recently
 * installed), or why they could not be read (the step and its errno, filters read before it kept).
 */
export type SeccompFilterRead =
  | { pid: number; filters: BpfInsn[][] }
  | { pid: number; filters: BpfInsn[][]; error: { step: 'seize' | 'interrupt' | 'wait' | 'get'; index: number; errno: number } };

export function parseSeccompFilters(text: string): SeccompFilterRead {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`probe seccomp-filters printed no JSON document: ${JSON.stringify(text.slice(0, 120))}`);
  }
  const r = DocSchema.safeParse(json);
  if (!r.success) throw new Error(`probe seccomp-filters printed a malformed document: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
  const d = r.data;
  return d.error ? { pid: d.pid, filters: d.filters, error: d.error } : { pid: d.pid, filters: d.filters };
}
