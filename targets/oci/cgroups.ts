/**
 * The cgroups an OCI runtime made for a container it did not finish creating: a runtime killed
 * mid-create has saved no state for `delete` to find, so they are removed by path.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Mount points of every cgroup hierarchy (v1 and v2) in our mount namespace. */
export function cgroupMounts(mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  return mountinfo.split('\n').flatMap((line) => {
    const [pre, post] = line.split(' - ');
    const fsType = post?.split(' ')[0];
    return fsType === 'cgroup' || fsType === 'cgroup2' ? [pre.split(' ')[4]] : [];
  });
}

/**
 * Removes the cgroup `rel` (an OCI cgroupsPath) from every hierarchy, killing what is still in
 * it. rmdir is retried for a bounded time: a v1 memory cgroup stays busy for a moment after its
 * last task died.
 */
export async function removeCgroupPath(rel: string, mounts = cgroupMounts()): Promise<void> {
  for (const dir of mounts.map((m) => path.join(m, rel)).filter((d) => fs.existsSync(d))) {
    for (let i = 0; i < 200; i++) {
      for (const pid of readPids(path.join(dir, 'cgroup.procs'))) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
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

function readPids(file: string): number[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
