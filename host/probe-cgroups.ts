/**
 * The probe's cgroupfs-readonly test makes a child cgroup isoprobe-probe-<nonce>-<target> at the
 * root of each cgroup mount it sees and removes it at once; a probe killed in between (Ctrl-C)
 * would leave it on the host where the mount is the host's (a privileged container). The run's
 * cleanup removes any such directory at the host's hierarchy roots.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MountInfo } from '../model/parse/mountinfo.js';
import { cgroupMounts } from './cgroup.js';

/** Removes <root>/<cgroup mount>/<prefix>*; returns what it removed. Never throws. */
export function removeProbeCgroups(prefix: string, mountinfo: string, root = '/'): string[] {
  const removed: string[] = [];
  let mounts: MountInfo[];
  try {
    mounts = cgroupMounts(mountinfo);
  } catch {
    return removed;
  }
  for (const m of mounts) {
    const dir = path.join(root, m.mountPoint);
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).filter((n) => n.startsWith(prefix));
    } catch {
      /* not readable: nothing of ours to see either */
    }
    for (const n of names) {
      try {
        fs.rmdirSync(path.join(dir, n));
        removed.push(path.join(m.mountPoint, n));
      } catch {
        /* busy or gone: the leftover scan reports it */
      }
    }
  }
  return removed;
}
