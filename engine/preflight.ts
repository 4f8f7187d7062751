/** What a run needs before anything is created; each failure is one clear line (exit 2). */
import fs from 'node:fs';
import { EnvError } from '../model/errors.js';
import { PROBE_BINARY, SHIM_BINARY } from '../host/paths.js';

export function preflight(runtimes: Set<string>): void {
  if (process.getuid?.() !== 0) throw new EnvError('isoprobe run needs root (it creates namespaces, cgroups and id maps)');
  for (const [what, file] of [['probe', PROBE_BINARY], ['shim', SHIM_BINARY]] as const) {
    if (what === 'shim' && !runtimes.has('builtin')) continue;
    if (!fs.existsSync(file)) throw new EnvError(`the ${what} binary is missing at ${file}: run "npm run build"`);
  }
  if (runtimes.has('builtin')) {
    const max = readNumber('/proc/sys/user/max_user_namespaces');
    if (max === 0) throw new EnvError('user namespaces are disabled (user.max_user_namespaces = 0); the built-in runtime needs them');
  }
}

function readNumber(file: string): number | null {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return null;
  }
}
