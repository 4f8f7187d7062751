/**
 * Drives one isoprobe-shim through the sync protocol: PID → (maps, cgroup) → GO → READY →
 * (observe) → EXEC → EXECED → EXIT. Every wait is bounded; on any failure the shim is killed,
 * which takes the container with it (PR_SET_PDEATHSIG in both).
 */
import { collectOutput as collect } from '../common/output.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import { onCleanup } from '../../host/cleanup.js';
import { TargetError } from '../../model/target.js';
import { describeStepError, parseShimLine, TO_SHIM, type ShimMessage } from './protocol.js';

export interface ShimHooks {
  /** The container init exists (namespaces made, nothing set up): write id maps, join cgroups. */
  onPid(pid: number): Promise<void>;
  /** Set-up done, not yet exec'd: every namespace exists, observe them from the host. */
  onReady(pid: number): Promise<void>;
}

export interface ShimResult {
  pid: number;
  exitCode: number | null;
  signal: number | null;
  stdout: string;
  stderr: string;
}


export async function runShim(
  shimPath: string,
  args: string[],
  hooks: ShimHooks,
  opts: { target: string; timeoutMs: number },
): Promise<ShimResult> {
  const child = spawn(shimPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const undo = onCleanup(`kill shim ${child.pid}`, () => void child.kill('SIGKILL'));
  const out = collect(child.stdout!);
  const err = collect(child.stderr!);
  const sync = child.stdio[3] as Duplex;
  const lines = createInterface({ input: sync })[Symbol.asyncIterator]();
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const fail = (message: string, step?: string, errno?: number) =>
    new TargetError(opts.target, message, step, errno);
  try {
    const next = async (): Promise<ShimMessage> => {
      const r = await lines.next();
      if (r.done) throw fail(`isoprobe-shim ended early: ${err.text().trim().split('\n')[0] || 'no message'}`);
      return parseShimLine(r.value);
    };
    const expect = async <K extends ShimMessage['kind']>(kind: K) => {
      const m = await next();
      if (m.kind === 'error') throw fail(describeStepError(m.step, m.errno), m.step, m.errno);
      if (m.kind !== kind) throw fail(`isoprobe-shim said "${m.kind}" where "${kind}" was due`);
      return m as Extract<ShimMessage, { kind: K }>;
    };
    const { pid } = await expect('pid');
    await hooks.onPid(pid);
    sync.write(TO_SHIM.go);
    await expect('ready');
    await hooks.onReady(pid);
    sync.write(TO_SHIM.exec);
    await expect('execed');
    const end = await next();
    await exited;
    if (end.kind !== 'exit' && end.kind !== 'signal') throw fail(`unexpected "${end.kind}" at the end`);
    return {
      pid,
      exitCode: end.kind === 'exit' ? end.code : null,
      signal: end.kind === 'signal' ? end.signal : null,
      stdout: out.text(),
      stderr: err.text(),
    };
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    throw e;
  } finally {
    clearTimeout(timer);
    await undo();
  }
}

