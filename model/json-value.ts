/**
 * A check's expected and observed values as JSON values (results.json `expected`/`observed`): what
 * the assertion compared, kept as its type (a number stays a number, a list a list) instead of
 * JSON written into a string, so a reader can compare or query them without parsing twice.
 */
import { z } from 'zod';

export const jsonValueSchema = z.json();
export type JsonValue = z.infer<typeof jsonValueSchema>;

/**
 * What an assertion held, as a JSON value: Sets and Maps as lists and objects, a bigint as its
 * decimal string, anything JSON cannot hold (a function, a cycle) as its String() form.
 */
export function toJsonValue(v: unknown): JsonValue {
  try {
    const text = JSON.stringify(v, (_k, x: unknown) => {
      if (x instanceof Set) return [...x];
      if (x instanceof Map) return Object.fromEntries(x);
      if (typeof x === 'bigint') return x.toString();
      return x;
    });
    return text === undefined ? String(v) : (JSON.parse(text) as JsonValue);
  } catch {
    return String(v);
  }
}

/** A value as one reads it in a line of text: a string as it is, anything else as JSON. */
export function showValue(v: JsonValue | undefined, negated = false, absent = '(not recorded)'): string {
  if (v === undefined) return absent;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return negated ? `not ${text}` : text;
}
