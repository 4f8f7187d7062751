/** Where the project's own built files are, relative to this module (works from dist/). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('isoprobe: cannot find the package root');
}

export const REPO_ROOT = findRepoRoot();
export const PROBE_BINARY = path.join(REPO_ROOT, 'probes/build/probe');
export const SHIM_BINARY = path.join(REPO_ROOT, 'runtime/builtin/build/isoprobe-shim');
export const BUSYBOX_BINARY = '/bin/busybox';
/** Per-run state lives on tmpfs so a reboot forgets it; `isoprobe clean` removes it too. */
export const RUN_ROOT = '/run/isoprobe';
