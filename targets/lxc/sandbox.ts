/**
 * One LXC container, held (targets/common/held-process.ts): `lxc-execute -n NAME -P LXCPATH -f
 * CONFIG -- PROBE …` → lxc-execute is the monitor, its child LXC's init (PID 1 of the container,
 * in a session of its own) and the probe init's child, found under lxc-execute by its path in
 * argv[0] (measured with lxc 5.0.2). stdin, stdout and stderr are passed through to the probe.
 * lxc-execute exits with its command's status, and 1 with LXC's log lines on stderr when it could
 * not start the container. After it is gone, whatever the container left running is killed through
 * its cgroups (./cgroup.ts), which are then removed.
 */
import { findDescendant } from '../../host/proc-tree.js';
import { PROBE_PATH } from '../../model/target.js';
import { startHeldProcess } from '../common/held-process.js';
import type { Held } from '../common/lifecycle.js';
import { killCgroups, removeCgroups } from './cgroup.js';

export interface SandboxOptions {
  target: string;
  binary: string;
  name: string;
  /** isoprobe's own lxcpath (in the run directory): no other LXC user's container is ever named. */
  lxcpath: string;
  configFile: string;
  argv: readonly string[];
  scratch: string;
  /** The container's cgroup in each hierarchy (./cgroup.ts). */
  cgroups: readonly string[];
  timeoutMs: number;
}

/** lxc-execute's command line. */
export function lxcExecuteArgv(o: Pick<SandboxOptions, 'name' | 'lxcpath' | 'configFile' | 'argv'>): string[] {
  return ['-n', o.name, '-P', o.lxcpath, '-f', o.configFile, '--', ...o.argv];
}

/** The probe's host pid: lxc-execute's descendant that has exec'd it; null while none has. */
export function findProbePid(lxcExecutePid: number, procRoot = '/proc'): number | null {
  return findDescendant(lxcExecutePid, (argv) => argv[0] === PROBE_PATH, procRoot);
}

export function startSandbox(opts: SandboxOptions): Promise<Held> {
  return startHeldProcess({
    target: opts.target,
    tool: 'lxc-execute',
    binary: opts.binary,
    argv: lxcExecuteArgv(opts),
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    journal: (pid, start) => ({ kind: 'lxc', lxcpath: opts.lxcpath, name: opts.name, pid, start }),
    locate: (pid) => findProbePid(pid),
    // A command that ran and ended before it was seen still exits 0 (an unheld `probe true`).
    ranUnseen: (_pipes, code) => code === 0,
    scratch: opts.scratch,
    timeoutMs: opts.timeoutMs,
    afterExit: async () => {
      killCgroups(opts.cgroups);
      await removeCgroups(opts.cgroups);
    },
  });
}
