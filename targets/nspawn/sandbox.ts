/**
 * One nspawn container, held (targets/common/held-process.ts): nspawn started in its container's
 * cgroups (./cgroup.ts) → the probe is nspawn's child (PID 1 of the container, in a session of its
 * own: nspawn forks twice and the middle process exits) → found under nspawn by its path in argv[0].
 * After nspawn is gone, whatever the container left running is killed through its cgroups and
 * nspawn's state a SIGKILL left behind is removed (./state.ts).
 *
 * nspawn exits with its command's status (measured with systemd 252), and 1 with a one-line
 * message when it could not set the container up ("Directory ... doesn't look like it has an OS tree").
 */
import { findDescendant } from '../../host/proc-tree.js';
import { PROBE_PATH } from '../../model/target.js';
import { startHeldProcess } from '../common/held-process.js';
import type { Held } from '../common/lifecycle.js';
import { killCgroups, placedCommand, removeCgroups } from './cgroup.js';
import { removeStaleState } from './state.js';

export interface SandboxOptions {
  target: string;
  binary: string;
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  machine: string;
  root: string;
  scratch: string;
  runDir: string;
  /** The container's cgroup in each hierarchy nspawn uses, already made. */
  cgroups: readonly string[];
  timeoutMs: number;
}

/** The probe's host pid: nspawn's descendant that has exec'd it; null while none has. */
export function findProbePid(nspawnPid: number, procRoot = '/proc'): number | null {
  return findDescendant(nspawnPid, (argv) => argv[0] === PROBE_PATH, procRoot);
}

export function startSandbox(opts: SandboxOptions): Promise<Held> {
  const cmd = placedCommand(
    opts.cgroups.map((c) => `${c}/cgroup.procs`),
    opts.binary,
    opts.argv,
  );
  return startHeldProcess({
    target: opts.target,
    tool: 'systemd-nspawn',
    binary: cmd.binary,
    argv: cmd.argv,
    env: opts.env,
    journal: (pid, start) => ({ kind: 'nspawn', pid, start, runDir: opts.runDir, machine: opts.machine }),
    locate: (pid) => findProbePid(pid),
    // A command that ran and ended before it was seen still exits 0 (an unheld `probe true`).
    ranUnseen: (_pipes, code) => code === 0,
    scratch: opts.scratch,
    timeoutMs: opts.timeoutMs,
    afterExit: async () => {
      killCgroups(opts.cgroups);
      await removeCgroups(opts.cgroups);
      removeStaleState(opts.root, opts.machine);
    },
  });
}
