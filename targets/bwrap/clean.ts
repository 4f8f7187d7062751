/**
 * bwrap's share of `isoprobe clean`. bwrap makes no cgroup, and every mount it makes lives in the
 * sandbox's own mount namespace, so it goes with the sandbox. isoprobe starts bwrap with
 * `--die-with-parent`, so the kernel SIGKILLs bwrap and its sandbox when their parent dies: a
 * SIGKILLed run takes its sandboxes with it, and its rootfs and scratch directories are in its run
 * directory, which the host's reaper removes (host/reap.ts). Except in one window: a sandbox
 * whose bwrap parent side died while the sandbox was still being set up has no death signal
 * yet and waits on an eventfd for that parent side for ever (measured with bubblewrap 0.8.0, in
 * about one of five SIGKILLed runs). The journal lists each bwrap (pid, start time, and the run
 * directory its command line names); the reaper kills the recorded process group if its leader is
 * still the recorded process, and any bwrap process whose command line names that dead run's
 * directory (a path no other run has: host/journal.ts). A Ctrl-C never leaves one: the run's cleanup kills bwrap's whole
 * process group. A probe's own children, where the pid namespace was shared on purpose, end within
 * their bound (the fork bomb's hold) by themselves.
 */
import type { CleanItem } from '../../model/clean-report.js';
import type { CleanContext } from '../../model/driver.js';
import type { Resource } from '../../model/journal.js';
import { processesNaming, reapWrappers } from '../common/wrapper-clean.js';

export const CLEAN_KIND = 'bwrap sandboxes';

type BwrapEntry = Extract<Resource, { kind: 'bwrap' }>;

/** "<pid> <cmdline>" of each bwrap process whose command line names one of `runDirs`. */
export function sandboxesIn(runDirs: string[], procRoot = '/proc'): string[] {
  return processesNaming(runDirs, ['bwrap'], procRoot);
}

export async function cleanBwrap(ctx: Pick<CleanContext, 'entries' | 'keep'>): Promise<CleanItem[]> {
  const entries = ctx.entries.filter((e): e is BwrapEntry => e.kind === 'bwrap');
  const { found, remaining } = await reapWrappers(
    entries.map((e) => ({ pid: e.pid, start: e.start, needles: [e.runDir] })),
    'bwrap',
    ['bwrap'],
  );
  if (remaining.length > 0) for (const e of entries) ctx.keep(e);
  return [{ kind: CLEAN_KIND, found, remaining }];
}
