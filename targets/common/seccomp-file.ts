/**
 * A seccomp profile file a target config names (`"seccompProfile": "path"`), as users hand one to
 * `docker run --security-opt seccomp=FILE` or write it into config.json: read and validated before
 * the run starts anything (a missing or malformed file is a one-line error), then given to the
 * runtime as the user's request, and compared by conformance.seccomp as what was declared.
 */
import fs from 'node:fs';
import { EnvError } from '../../model/errors.js';
import { parseDeclaredProfile } from '../../model/seccomp/declared.js';

export function readSeccompProfileFile(file: string, target: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new EnvError(`target "${target}": seccompProfile ${file} cannot be read as JSON (${why})`);
  }
  try {
    parseDeclaredProfile(json, `target "${target}": seccompProfile ${file}`);
  } catch (e) {
    throw new EnvError((e as Error).message);
  }
  return json as Record<string, unknown>;
}
