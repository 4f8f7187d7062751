/**
 * results JSON: the versioned record of a run and the input of `isoprobe diff`. Validated on the
 * way out too, so a malformed run can never become someone's baseline.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { PostureResultSchema } from '../model/posture-diff.js';
import { AREAS, PROFILES, RESULTS_SCHEMA_VERSION, type RunResults } from '../model/results.js';
import { STATUSES } from './rows.js';

export class ResultsError extends Error {
  readonly code = 'ERESULTS';
}

const stringMap = z.record(z.string(), z.string());

const checkMeta = z.object({
  id: z.string().min(1),
  area: z.enum(AREAS),
  title: z.string(),
  profiles: z.array(z.enum(PROFILES)),
  references: z.array(z.string()),
  negativeControl: z.string(),
});

const checkResult = z.object({
  id: z.string().min(1),
  status: z.enum(STATUSES),
  required: z.boolean(),
  expected: z.string().optional(),
  observed: z.string().optional(),
  evidence: z.string().optional(),
  reason: z.string().optional(),
  requirement: z.string().optional(),
  durationMs: z.number().nonnegative(),
});

const targetResult = z.object({
  name: z.string().min(1),
  runtime: z.string().min(1),
  error: z.string().optional(),
  control: z.boolean().optional(),
  info: stringMap,
  information: stringMap.optional(),
  posture: PostureResultSchema.optional(),
  checks: z.array(checkResult),
});

export const runResultsSchema = z.object({
  schema: z.literal(RESULTS_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('isoprobe'), version: z.string() }),
  startedAt: z.iso.datetime({ offset: true }),
  durationMs: z.number().nonnegative(),
  profile: z.enum(PROFILES),
  environment: stringMap,
  catalogue: z.array(checkMeta),
  targets: z.array(targetResult),
});

/** Validates a value as RunResults; `source` names where it came from in the error. */
export function parseResults(value: unknown, source: string): RunResults {
  const parsed = runResultsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? fieldPath(issue.path) : '(top level)';
  throw new ResultsError(`${source}: invalid results at ${field}: ${issue?.message ?? 'malformed'}`);
}

/** `targets[1].checks[0].status`, the way a person would look for it in the file. */
function fieldPath(path: PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

export function readResults(path: string): RunResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ResultsError(`${path}: cannot read results: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ResultsError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  return parseResults(value, path);
}

/** Writes through a temporary file and a rename, so a killed run leaves no half-written JSON. */
export function writeResults(path: string, results: RunResults): void {
  parseResults(results, path);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, path);
}
