/**
 * The command target's share of `isoprobe clean`. isoprobe knows nothing of a user's wrapper, so
 * it cannot ask it what it left; what it knows is what it journalled for each container: the
 * wrapper's pid and start time (its own process group), the run directory its command line names
 * (the probe's path, the workspace) and the container's nonce (in the probe's argv). The reaper
 * kills the recorded group if its leader is still the recorded process, then any process whose
 * argv names that dead run's directory or carries the nonce (targets/common/wrapper-clean.ts): a
 * probe the wrapper handed to a process outside its group dies too. What the wrapper made outside
 * processes (a cgroup, a daemon's state) is the wrapper's own to clean: the doc says so.
 */
import type { CleanItem } from '../../model/clean-report.js';
import type { CleanContext } from '../../model/driver.js';
import type { Resource } from '../../model/journal.js';
import { reapWrappers } from '../common/wrapper-clean.js';
import { nonceArg } from './locate.js';

export const CLEAN_KIND = 'wrapper commands';

type CommandEntry = Extract<Resource, { kind: 'command' }>;

export async function cleanCommand(ctx: Pick<CleanContext, 'entries' | 'keep'>): Promise<CleanItem[]> {
  const entries = ctx.entries.filter((e): e is CommandEntry => e.kind === 'command');
  const { found, remaining } = await reapWrappers(
    entries.map((e) => ({ pid: e.pid, start: e.start, needles: [e.runDir, nonceArg(e.nonce)] })),
    'wrapper command',
  );
  if (remaining.length > 0) for (const e of entries) ctx.keep(e);
  return [{ kind: CLEAN_KIND, found, remaining }];
}
