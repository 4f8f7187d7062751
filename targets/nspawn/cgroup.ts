/**
 * A cgroup per nspawn container, in place of the scope systemd would give it. With --keep-unit
 * nspawn stays in its caller's cgroup and splits it: it moves the container into <cgroup>/payload
 * and itself into <cgroup>/supervisor, in the systemd hierarchy (name=systemd on v1 and hybrid
 * hosts) and in cgroup2, and removes neither when it exits (measured with systemd 252). In the
 * harness's own cgroup two containers would share them and leave them behind; so nspawn is started
 * in `<hierarchy>/isoprobe/<machine>` of each of those hierarchies (./sandbox.ts: written before
 * nspawn is exec'd), whose cgroup.kill also ends the container when nspawn was killed (its payload
 * is in a session of its own, not in nspawn's process group). All of it journalled, deepest last,
 * so the host's reaper removes deepest first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cgroupMounts } from '../../host/cgroup.js';
import type { Resource } from '../../model/journal.js';
import { cgroupTreeResources, killCgroupTrees, removeCgroupTrees } from '../common/cgroup-tree.js';

/** The sub-cgroups nspawn makes in its own with --keep-unit. */
export const NSPAWN_SUBGROUPS = ['payload', 'supervisor'] as const;

/** The hierarchies nspawn uses: cgroup2 (unified) and the v1 name=systemd one, where mounted. */
export function nspawnHierarchies(mountinfo: string): string[] {
  return cgroupMounts(mountinfo)
    .filter((m) => m.fsType === 'cgroup2' || m.superOptions.includes('name=systemd'))
    .map((m) => m.mountPoint);
}

/** The container's cgroup in each hierarchy. */
export function containerCgroups(hierarchies: readonly string[], machine: string): string[] {
  return hierarchies.map((h) => path.join(h, 'isoprobe', machine));
}

/** The journal entries: the shared parents, each container cgroup and nspawn's subgroups in it. */
export function cgroupResources(dirs: readonly string[]): Resource[] {
  return cgroupTreeResources(dirs, NSPAWN_SUBGROUPS);
}

export function makeCgroups(dirs: readonly string[]): void {
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
}

/** Kills whatever still runs in them (../common/cgroup-tree.ts). */
export function killCgroups(dirs: readonly string[]): void {
  killCgroupTrees(dirs, NSPAWN_SUBGROUPS);
}

/** Deepest first, bounded; the shared parent only once empty (../common/cgroup-tree.ts). */
export function removeCgroups(dirs: readonly string[]): Promise<void> {
  return removeCgroupTrees(dirs, NSPAWN_SUBGROUPS);
}

/**
 * The start of nspawn in its cgroups: `sh -c` writes its own pid into each cgroup.procs and then
 * execs nspawn (same pid, so the journalled process is nspawn itself), so nspawn reads its
 * cgroup only once it is in the container's.
 */
export function placedCommand(procsFiles: readonly string[], binary: string, argv: readonly string[]): { binary: string; argv: string[] } {
  const script = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';
  return { binary: '/bin/sh', argv: ['-c', script, 'sh', ...procsFiles, '--', binary, ...argv] };
}
