/** Where the project's own built files are, relative to this module (works from dist/). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMountinfo } from '../model/parse/mountinfo.js';
import { readOrNull } from './files.js';

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
export const SHIM_BINARY = path.join(REPO_ROOT, 'targets/builtin/build/isoprobe-shim');
export const BUSYBOX_BINARY = '/bin/busybox';
/**
 * Per-run state (the containers' rootfs template among it) lives under /run, so a reboot forgets
 * it; `isoprobe clean` removes it too. The template is executed from there, so where /run is
 * mounted noexec (some distributions do) it moves to /var/lib.
 */
export const RUN_ROOT = isNoexec('/run') ? '/var/lib/isoprobe-run' : '/run/isoprobe';

/** Whether the mount holding `dir` (the longest mount point that prefixes it) is noexec. */
export function isNoexec(dir: string, mountinfo = readOrNull('/proc/self/mountinfo') ?? ''): boolean {
  let best = { point: '', noexec: false };
  for (const { mountPoint: point, options } of parseMountinfo(mountinfo)) {
    if (!(dir === point || dir.startsWith(point === '/' ? '/' : `${point}/`))) continue;
    // Equal length: the later mount is on top of the earlier one.
    if (point.length >= best.point.length) best = { point, noexec: options.includes('noexec') };
  }
  return best.noexec;
}
