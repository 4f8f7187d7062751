/**
 * nspawn's share of `isoprobe clean`. nspawn is started in a process group of its own and is not
 * tied to its caller's life: a SIGKILLed run leaves it running until its probe sees its stdin end;
 * a SIGKILLed nspawn leaves its container running (PID 1 of its own pid namespace, in a session of
 * its own) and its state: lock files and /run/systemd/nspawn/propagate/<machine> (./state.ts,
 * measured with systemd 252). The journal lists each nspawn (pid, start time, run directory,
 * machine name): the reaper kills the recorded process group if its leader is still the recorded
 * process, and any nspawn whose command line names that dead run's directory; then removes the
 * machine's stale state (its root is <run dir>/<machine>, so its lock files are known while the run
 * directory exists: the host's reaper removes directories after the drivers). The container's
 * cgroups are journalled as the host's cgroups (./cgroup.ts): their reaping kills what still runs in
 * them, the container's payload with it.
 */
import path from 'node:path';
import type { CleanItem } from '../../model/clean-report.js';
import type { CleanContext } from '../../model/driver.js';
import type { Resource } from '../../model/journal.js';
import { processesNaming, reapWrappers } from '../common/wrapper-clean.js';
import { removeStaleState } from './state.js';

export const CLEAN_KIND = 'systemd-nspawn containers';

type NspawnEntry = Extract<Resource, { kind: 'nspawn' }>;

/** "<pid> <cmdline>" of each systemd-nspawn process whose command line names one of `runDirs`. */
export function nspawnsIn(runDirs: string[], procRoot = '/proc'): string[] {
  return processesNaming(runDirs, ['systemd-nspawn'], procRoot);
}

export async function cleanNspawn(ctx: Pick<CleanContext, 'entries' | 'keep'>, stateDir?: string): Promise<CleanItem[]> {
  const entries = ctx.entries.filter((e): e is NspawnEntry => e.kind === 'nspawn');
  const { found, remaining } = await reapWrappers(
    // An entry without a pid names a machine before its nspawn was started: only its state and the processes naming its run directory.
    entries.map((e) => ({ pid: e.pid, start: e.start, needles: [e.runDir] })),
    'systemd-nspawn',
    ['systemd-nspawn'],
  );
  for (const e of new Map(entries.map((x) => [`${x.runDir}\0${x.machine}`, x])).values()) {
    const state = removeStaleState(path.join(e.runDir, e.machine), e.machine, stateDir);
    found.push(...state.found);
    remaining.push(...state.remaining);
  }
  if (remaining.length > 0) for (const e of entries) ctx.keep(e);
  return [{ kind: CLEAN_KIND, found, remaining }];
}
