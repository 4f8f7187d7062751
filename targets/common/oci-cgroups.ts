/**
 * The cgroups an OCI runtime made for a container it did not finish creating: a runtime killed
 * mid-create has saved no state for `delete` to find, so they are removed by path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cgroupMounts } from '../../host/cgroup.js';
import { readLines } from '../../host/files.js';

/** Mount points of every cgroup hierarchy (v1 and v2) in our mount namespace. */
export function cgroupMountPoints(mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  return cgroupMounts(mountinfo).map((m) => m.mountPoint);
}

/**
 * Removes the cgroup `rel` (an OCI cgroupsPath) from every hierarchy, killing what is still in
 * it. rmdir is retried for a bounded time: a v1 memory cgroup stays busy for a moment after its
 * last task died.
 */
export async function removeCgroupPath(rel: string, mounts = cgroupMountPoints()): Promise<void> {
  for (const dir of mounts.map((m) => path.join(m, rel)).filter((d) => fs.existsSync(d))) {
    for (let i = 0; i < 200; i++) {
      for (const pid of readLines(path.join(dir, 'cgroup.procs')).map(Number))
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      try {
        fs.rmdirSync(dir);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }
}
