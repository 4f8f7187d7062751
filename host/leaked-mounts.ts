/**
 * Mounts the probe made inside a container that reached the host anyway (through shared
 * propagation): the mount check reports them as a finding, then the run's cleanup and
 * `isoprobe clean` detach them.
 */
import { spawnSync } from 'node:child_process';
import type { MountInfo } from '../model/parse/mountinfo.js';
import { readMountinfo } from './proc.js';

/** Mount points of the mounts whose source starts with `source` (the probe's isoprobe-<nonce>). */
export function leakedMountPoints(mounts: MountInfo[], source: string): string[] {
  return mounts.filter((m) => m.source.startsWith(source)).map((m) => m.mountPoint);
}

/** A probe mount that propagated to the host (any target's) is a finding first, then removed. */
export function detachLeakedMounts(source: string, procRoot = '/proc'): void {
  for (const point of leakedMountPoints(readMountinfo(procRoot, 'self'), source)) detachMount(point);
}

/**
 * Lazily: a process of a killed run may still hold it. `point` is decoded (a space, not \040):
 * umount(8) takes the path itself.
 */
export function detachMount(point: string): void {
  spawnSync('umount', ['-l', point], { stdio: 'ignore', timeout: 10_000 }); // a lazy unmount returns at once; a hung one is bounded
}
