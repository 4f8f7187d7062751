/**
 * LXC's share of `isoprobe clean`. lxc-execute is started in a process group of its own; the
 * container's init is in a session of its own, so killing lxc-execute leaves the container
 * running (measured with lxc 5.0.2). The journal lists each container (isoprobe's own lxcpath in
 * the run directory, its name, lxc-execute's pid and start time): the reaper kills the recorded
 * process group if its leader is still the recorded process, and any lxc-execute whose command
 * line names that dead run's lxcpath. The container's cgroups are journalled as the host's cgroups
 * (./cgroup.ts): their reaping kills what still runs in them, the container's init and probe with
 * them. LXC keeps no other state for a container run with -f in an lxcpath of its own (its command
 * socket is abstract and goes with the monitor); the run directory goes with the host's reaper.
 */
import type { CleanItem } from '../../model/clean-report.js';
import type { CleanContext } from '../../model/driver.js';
import type { Resource } from '../../model/journal.js';
import { processesNaming, reapWrappers } from '../common/wrapper-clean.js';

export const CLEAN_KIND = 'LXC containers';

type LxcEntry = Extract<Resource, { kind: 'lxc' }>;

/** "<pid> <cmdline>" of each lxc-execute whose command line names one of `lxcpaths`. */
export function lxcExecutesIn(lxcpaths: string[], procRoot = '/proc'): string[] {
  return processesNaming(lxcpaths, ['lxc-execute'], procRoot);
}

export async function cleanLxc(ctx: Pick<CleanContext, 'entries' | 'keep'>): Promise<CleanItem[]> {
  const entries = ctx.entries.filter((e): e is LxcEntry => e.kind === 'lxc');
  const { found, remaining } = await reapWrappers(
    // An entry without a pid names a container before its lxc-execute was started: only the processes naming its lxcpath.
    entries.map((e) => ({ pid: e.pid ?? 0, start: e.start ?? '', needles: [e.lxcpath] })),
    'lxc-execute',
    ['lxc-execute'],
  );
  if (remaining.length > 0) for (const e of entries) ctx.keep(e);
  return [{ kind: CLEAN_KIND, found, remaining }];
}
