/**
 * One container of a `command` target, held (targets/common/held-process.ts): the user's wrapper
 * command line, placeholders filled in (./placeholders.ts), started in the container's workspace
 * → the probe is found by its nonce (./locate.ts) → observed, released by the go byte on stdin
 * (the wrapper must pass its stdin through to its command, as the ones that run one command do).
 *
 * The wrapper's environment is PATH and HOME (what a shell user's wrapper finds), the config's
 * `env`, then the spec's (variables isoprobe plants in the workload's environment): a wrapper that
 * passes its environment on gives them to the probe. The probe's hold needs nothing of it: it
 * waits on stdin.
 */
import type { Held } from '../common/lifecycle.js';
import { startHeldProcess } from '../common/held-process.js';
import { type FileId, findWorkload } from './locate.js';

export const BASE_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' };

export interface ContainerOptions {
  target: string;
  /** The wrapper binary (argv[0], resolved in PATH by the driver). */
  binary: string;
  /** The rest of the expanded command line. */
  args: readonly string[];
  env: Record<string, string>;
  /** The wrapper's working directory: the host directory of {workspace}. */
  workspace: string;
  /** Host directory the probe's relative scratch/ resolves to there (stat()ed by the lifecycle). */
  scratch: string;
  runDir: string;
  nonce: string;
  /** The probe file the wrapper runs: how the probe is told from the wrapper, whose argv has the nonce too. */
  probe: FileId;
  /** Whether the probe holds itself (--wait-stdin): then a wrapper that ended before it was seen did not run it. */
  held: boolean;
  timeoutMs: number;
}

export function wrapperEnv(configEnv: Record<string, string>, specEnv: Record<string, string> | undefined): Record<string, string> {
  return { ...BASE_ENV, ...configEnv, ...(specEnv ?? {}) };
}

export function startContainer(opts: ContainerOptions): Promise<Held> {
  return startHeldProcess({
    target: opts.target,
    tool: 'the wrapper command',
    binary: opts.binary,
    argv: opts.args,
    env: opts.env,
    cwd: opts.workspace,
    journal: (pid, start) => ({ kind: 'command', pid, start, runDir: opts.runDir, nonce: opts.nonce }),
    locate: () => findWorkload(opts.nonce, opts.probe),
    // An unheld probe (`probe true`) may end before the host looks: the wrapper's success is then
    // its outcome. A held one cannot end before the go byte: the wrapper did not run it.
    ranUnseen: (_pipes, code) => !opts.held && code === 0,
    scratch: opts.scratch,
    timeoutMs: opts.timeoutMs,
  });
}
