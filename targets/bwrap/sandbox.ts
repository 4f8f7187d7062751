/**
 * One bwrap sandbox, held (targets/common/held-process.ts): `bwrap ... -- PROBE --wait-stdin ...`
 * with bwrap's status fd as the extra pipe → the status names child-pid (./status.ts) → the
 * probe's own host pid is found under it.
 *
 * bwrap exits with its command's status, 128+N when the command was killed by signal N (measured
 * with bubblewrap 0.8.0), and 1 with a "bwrap: ..." line when it could not build the sandbox.
 */
import type { Held } from '../common/lifecycle.js';
import { startHeldProcess } from '../common/held-process.js';
import { findProbePid, parseStatus } from './status.js';

/** The environment bwrap passes through to its command: isoprobe's own is not the sandbox's business. */
const SANDBOX_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

export interface SandboxOptions {
  target: string;
  /** The bwrap binary, as found in PATH. */
  binary: string;
  /** Host directory bound at /scratch (the lifecycle stats what the probe made there). */
  scratch: string;
  /** The run directory its command line names: how the reaper finds a sandbox left blocked in set-up (./clean.ts). */
  runDir: string;
  timeoutMs: number;
  /** ContainerSpec.env: in bwrap's own environment, which it passes on unless told --clearenv. */
  env?: Record<string, string>;
}

export function startSandbox(argv: string[], opts: SandboxOptions): Promise<Held> {
  return startHeldProcess({
    target: opts.target,
    tool: 'bwrap',
    binary: opts.binary,
    argv,
    env: { ...SANDBOX_ENV, ...opts.env },
    extraPipes: 1, // --json-status-fd 3 (./argv.ts STATUS_FD)
    journal: (pid, start) => ({ kind: 'bwrap', pid, start, runDir: opts.runDir }),
    locate: (_pid, [status]) => {
      const childPid = parseStatus(status).childPid;
      return childPid === undefined ? null : findProbePid(childPid);
    },
    // bwrap writes "exit-code" only for a command it ran: one that ended before the host saw it
    // (not held: `probe true`) is an outcome without observation, not a refusal.
    ranUnseen: ([status]) => parseStatus(status).exitCode !== undefined,
    scratch: opts.scratch,
    timeoutMs: opts.timeoutMs,
  });
}
