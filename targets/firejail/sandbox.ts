/**
 * One firejail sandbox, held (targets/common/held-process.ts): `firejail ... -- PROBE --wait-stdin
 * ...`; firejail passes its stdin through to the command, so the go byte reaches the probe. The
 * process tree is firejail (the parent, which stays outside) → firejail (the sandbox's PID 1) →
 * the probe (measured with firejail 0.9.72); the probe's host pid is the descendant whose argv[0]
 * is the probe's host path (firejail's own argv names it too, but never first).
 *
 * firejail exits with its command's status, and 1 with an "Error: ..." line when it could not
 * build the sandbox.
 */
import { findDescendant } from '../../host/proc-tree.js';
import { startHeldProcess } from '../common/held-process.js';
import type { Held } from '../common/lifecycle.js';

/** The environment firejail passes through to its command: isoprobe's own is not the sandbox's business. */
const SANDBOX_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

export interface SandboxOptions {
  target: string;
  /** The firejail binary, as found in PATH. */
  binary: string;
  /** Host path of the probe binary the command line names. */
  probe: string;
  /** Host directory that is the probe's scratch (the lifecycle stats what the probe made there). */
  scratch: string;
  /** The run directory its command line names: how the reaper finds what a killed run left (./clean.ts). */
  runDir: string;
  timeoutMs: number;
  /** Variables isoprobe plants in the workload's environment (ContainerSpec.env); firejail passes its environment on. */
  env?: Record<string, string>;
}

export function findProbePid(wrapperPid: number, probe: string, procRoot = '/proc'): number | null {
  return findDescendant(wrapperPid, (argv) => argv[0] === probe, procRoot);
}

export function startSandbox(argv: string[], opts: SandboxOptions): Promise<Held> {
  return startHeldProcess({
    target: opts.target,
    tool: 'firejail',
    binary: opts.binary,
    argv,
    env: { ...opts.env, ...SANDBOX_ENV },
    journal: (pid, start) => ({ kind: 'firejail', pid, start, runDir: opts.runDir }),
    locate: (pid) => findProbePid(pid, opts.probe),
    // A command that ended before the host saw it (not held: `probe true`) exits 0 through
    // firejail; a refused sandbox is firejail's exit 1.
    ranUnseen: (_pipes, code) => code === 0,
    scratch: opts.scratch,
    timeoutMs: opts.timeoutMs,
  });
}
