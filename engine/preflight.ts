/**
 * What every run needs before anything is created, whatever its targets; each failure is one
 * clear line (exit 2). What a kind of target needs is its driver's preflight (model/driver.ts).
 */
import fs from 'node:fs';
import { EnvError } from '../model/errors.js';
import { PROBE_BINARY, RUN_ROOT } from '../host/paths.js';
import { writableDirProblem } from '../host/writable-dir.js';

export function preflight(): void {
  if (process.getuid?.() !== 0) throw new EnvError('isoprobe run needs root (it creates namespaces, cgroups and id maps)');
  if (!fs.existsSync(PROBE_BINARY)) throw new EnvError(`the probe binary is missing at ${PROBE_BINARY}: run "npm run build"`);
  // Every target's bundle or rootfs goes there: a file in the way or a read-only /run would stop the run halfway.
  const runRoot = writableDirProblem(RUN_ROOT);
  if (runRoot) throw new EnvError(`the run directory ${RUN_ROOT} cannot be used: ${runRoot}`);
}
