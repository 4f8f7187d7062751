/**
 * Expected vs observed posture, over the compared fields only (POSTURE_FIELDS): one line per leaf
 * that differs, "namespaces.user: expected new, observed inherited". Lists (capability names) are
 * leaves, compared whole. The same diff between two observed postures shows what a weakening
 * changed (an observed posture is a valid expectation).
 */
import { z } from 'zod';
import { ANY_KEY, ExpectedPostureSchema, expectedPosture, isOneOf, postureEnv, type ExpectedPosture, type HarnessSelf } from './posture-expect.js';
import { COMPARED_FIELDS, observePosture, PostureSchema, type Posture, type PostureEvidence } from './posture.js';
import type { ContainerSpec } from './spec.js';

export const PostureDiffEntrySchema = z.object({ field: z.string(), expected: z.string(), observed: z.string() });
export type PostureDiffEntry = z.infer<typeof PostureDiffEntrySchema>;

/** What a target's results carry (TargetResult.posture). */
export const PostureResultSchema = z.object({
  observed: PostureSchema,
  expected: ExpectedPostureSchema,
  diff: z.array(PostureDiffEntrySchema),
});
export type PostureResult = z.infer<typeof PostureResultSchema>;

/** Shown for a key one side has and the other has not. */
const MISSING = '(none)';

export function diffPosture(expected: ExpectedPosture | Posture, observed: Posture): PostureDiffEntry[] {
  const out: PostureDiffEntry[] = [];
  for (const field of COMPARED_FIELDS) walk(expected[field], observed[field], field, out);
  return out;
}

function walk(e: unknown, o: unknown, field: string, out: PostureDiffEntry[]): void {
  if (isOneOf(e)) {
    if (!e.oneOf.some((v) => same(v, o))) out.push({ field, expected: e.oneOf.map(show).join(' | '), observed: show(o) });
    return;
  }
  if (isRecord(e) && isRecord(o)) {
    const keys = [...new Set([...Object.keys(e).filter((k) => k !== ANY_KEY), ...Object.keys(o)])].sort();
    for (const k of keys) {
      const ek = Object.hasOwn(e, k) ? e[k] : e[ANY_KEY];
      const sub = `${field}.${k}`;
      if (ek === undefined) out.push({ field: sub, expected: MISSING, observed: show(o[k]) });
      else if (!Object.hasOwn(o, k)) out.push({ field: sub, expected: show(ek), observed: MISSING });
      else walk(ek, o[k], sub, out);
    }
    return;
  }
  if (!same(e, o)) out.push({ field, expected: show(e), observed: show(o) });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(v: unknown): string {
  if (isOneOf(v)) return v.oneOf.map(show).join(' | ');
  if (Array.isArray(v)) return v.length ? v.join(' ') : '(empty)';
  if (isRecord(v)) return JSON.stringify(v);
  return String(v);
}

/**
 * The posture section of a target's results: what it got, what was asked, and where they differ.
 * A posture that cannot be computed (a malformed status file) is reported, never thrown: it is
 * information, and the checks that read the same evidence give their own verdicts on it.
 */
export function assessPosture(spec: ContainerSpec, ev: PostureEvidence, self: HarnessSelf): { posture: PostureResult } | { error: string } {
  try {
    const observed = observePosture(ev);
    const expected = expectedPosture(spec, postureEnv(ev.reference, self, ev.host));
    return { posture: { observed, expected, diff: diffPosture(expected, observed) } };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
