/**
 * firejail's share of `isoprobe clean`. firejail makes no cgroup, and its mounts live in the
 * sandbox's mount namespace, so they go with the sandbox. A SIGKILLed run leaves its firejail
 * processes held on a stdin nobody writes: the probe reads its end and exits (4), and firejail
 * with it; the sandbox's PID 1 also dies with its firejail parent (measured with firejail 0.9.72).
 * The journal lists each firejail (pid, start time, and the run directory its command line
 * names): the reaper kills the recorded process group if its leader is still the recorded
 * process, and any firejail process whose command line names that dead run's directory. A
 * firejail killed so leaves its run state in /run/firejail (./state.ts), which firejail itself
 * sweeps only at its next start: the state files of each journalled firejail that is gone are
 * removed here, unless its pid is a firejail process again (another sandbox's, then).
 */
import fs from 'node:fs';
import path from 'node:path';
import { argvOf } from '../../host/proc-tree.js';
import type { CleanItem } from '../../model/clean-report.js';
import type { CleanContext } from '../../model/driver.js';
import type { Resource } from '../../model/journal.js';
import { reapWrappers } from '../common/wrapper-clean.js';
import { FIREJAIL_RUN, stateFilesOf } from './state.js';

export const CLEAN_KIND = 'firejail sandboxes';
export const STATE_KIND = 'firejail run state';

type FirejailEntry = Extract<Resource, { kind: 'firejail' }>;

/**
 * A pid that is a firejail process now: ours still running, or another sandbox's reusing the
 * number. A firejail that is exiting, or exited and not yet waited for, has no argv any more
 * (its memory goes before its exit status is ready): it will never remove its own state.
 */
function isFirejail(pid: number, procRoot: string): boolean {
  return path.basename(argvOf(pid, procRoot)?.[0] ?? '') === 'firejail';
}

/** Removes the run state of the entries' firejails that are gone; what was found and what is still there. */
export function removeState(entries: readonly Pick<FirejailEntry, 'pid'>[], root = FIREJAIL_RUN, procRoot = '/proc'): { found: string[]; remaining: string[] } {
  const found: string[] = [];
  const remaining: string[] = [];
  for (const e of entries) {
    // Its start time alone would call a dying firejail alive (the race the end-to-end SIGKILL test met).
    if (isFirejail(e.pid, procRoot)) continue;
    for (const f of stateFilesOf(e.pid, root)) {
      found.push(f);
      try {
        fs.rmSync(f, { force: true });
      } catch (err) {
        remaining.push(`${f}: ${(err as Error).message}`);
      }
    }
  }
  return { found, remaining };
}

export async function cleanFirejail(ctx: Pick<CleanContext, 'entries' | 'keep'>): Promise<CleanItem[]> {
  const entries = ctx.entries.filter((e): e is FirejailEntry => e.kind === 'firejail');
  const procs = await reapWrappers(
    entries.map((e) => ({ pid: e.pid, start: e.start, needles: [e.runDir] })),
    'firejail',
    ['firejail'],
  );
  const state = removeState(entries);
  if (procs.remaining.length > 0 || state.remaining.length > 0) for (const e of entries) ctx.keep(e);
  return [
    { kind: CLEAN_KIND, ...procs },
    { kind: STATE_KIND, ...state },
  ];
}
