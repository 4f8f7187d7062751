/**
 * results JSON: the versioned record of a run and the input of `isoprobe diff`. Validated on the
 * way out too, so a malformed run can never become someone's baseline. The schema is the results
 * model's own (model/results.ts); this file only reads and writes it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fieldPath } from '../model/errors.js';
import { runResultsSchema, type RunResults } from '../model/results.js';

export class ResultsError extends Error {
  readonly code = 'ERESULTS';
}

/** Validates a value as RunResults; `source` names where it came from in the error. */
export function parseResults(value: unknown, source: string): RunResults {
  const parsed = runResultsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = fieldPath(issue?.path ?? [], '(top level)');
  throw new ResultsError(`${source}: invalid results at ${field}: ${issue?.message ?? 'malformed'}`);
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
