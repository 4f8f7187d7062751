/**
 * What every run needs before anything is created, whatever its targets; each failure is one
 * clear line (exit 2). What a kind of target needs is its driver's preflight (model/driver.ts).
 */
import fs from 'node:fs';
import { EnvError } from '../model/errors.js';
import { PROBE_BINARY } from '../host/paths.js';

export function preflight(): void {
  if (process.getuid?.() !== 0) throw new EnvError('isoprobe run needs root (it creates namespaces, cgroups and id maps)');
  if (!fs.existsSync(PROBE_BINARY)) throw new EnvError(`the probe binary is missing at ${PROBE_BINARY}: run "npm run build"`);
}
