/**
 * A cgroup per LXC container, `isoprobe/<name>` in every hierarchy, with LXC's container, monitor
 * and pivot cgroups in it (./conf.ts lxc.cgroup.dir.*; LXC makes and removes those three itself and
 * leaves their parent, measured with lxc 5.0.2). The monitor is lxc-execute; the container's init
 * is in a session of its own, so a SIGKILLed lxc-execute leaves the container running: killing
 * what is in these cgroups ends it (../common/cgroup-tree.ts). Journalled before LXC is started.
 */
import path from 'node:path';
import { cgroupMounts } from '../../host/cgroup.js';
import type { Resource } from '../../model/journal.js';
import { cgroupTreeResources, killCgroupTrees, removeCgroupTrees } from '../common/cgroup-tree.js';
import { LXC_SUBGROUPS } from './conf.js';

/** The container's cgroup relative to each hierarchy's root (what lxc.cgroup.dir.* take). */
export function relativeCgroup(name: string): string {
  return path.join('isoprobe', name);
}

/** LXC uses every mounted hierarchy: the v1 controllers, name=systemd and cgroup2. */
export function lxcHierarchies(mountinfo: string): string[] {
  return cgroupMounts(mountinfo).map((m) => m.mountPoint);
}

export function containerCgroups(hierarchies: readonly string[], name: string): string[] {
  return hierarchies.map((h) => path.join(h, relativeCgroup(name)));
}

export function cgroupResources(dirs: readonly string[]): Resource[] {
  return cgroupTreeResources(dirs, LXC_SUBGROUPS);
}

export function killCgroups(dirs: readonly string[]): void {
  killCgroupTrees(dirs, LXC_SUBGROUPS);
}

export function removeCgroups(dirs: readonly string[]): Promise<void> {
  return removeCgroupTrees(dirs, LXC_SUBGROUPS);
}
