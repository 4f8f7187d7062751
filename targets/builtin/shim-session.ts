/**
 * Drives one isoprobe-shim through the sync protocol: PID → (maps, cgroup) → GO → READY →
 * (observe) → EXEC → EXECED → EXIT. The shim's own hold is this protocol: startShim returns at
 * READY (set-up done, not yet exec'd), `release` sends EXEC, `wait` reads the rest. Every wait is
 * bounded (one timer from spawn to exit); on any failure the shim is killed, which takes the
 * container with it (PR_SET_PDEATHSIG in both).
 */
import { collectOutput as collect } from '../common/output.js';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import { onCleanup } from '../../host/cleanup.js';
import { own, processResource } from '../../host/journal.js';
import { TargetError } from '../../model/target.js';
import type { Exit } from '../common/lifecycle.js';
import { describeStepError, parseShimLine, TO_SHIM, type ShimMessage } from './protocol.js';

export interface ShimHooks {
  /** The container init exists (namespaces made, nothing set up): write id maps, join cgroups. */
  onPid(pid: number): Promise<void> | void;
}

/** A shim at READY: every namespace exists, the probe is not exec'd yet. */
export interface HeldShim {
  pid: number;
  /** EXEC: the shim goes on to exec the probe. */
  release(): void;
  /** EXECED, then its exit; rejects with the failing step's TargetError. */
  wait(): Promise<Exit>;
  /** Kills it if it still runs; idempotent. */
  remove(): Promise<void>;
}

export async function startShim(
  shimPath: string,
  args: string[],
  hooks: ShimHooks,
  opts: { target: string; timeoutMs: number; env?: Record<string, string> },
): Promise<HeldShim> {
  // The shim execs the probe with its own environment: ContainerSpec.env goes in there.
  const child = spawn(shimPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) });
  const label = `kill shim ${child.pid}`;
  const kill = () => void child.kill('SIGKILL');
  // Journalled as soon as spawn() names its pid; it dies with us anyway (PR_SET_PDEATHSIG).
  const undo = child.pid === undefined ? onCleanup(label, kill) : own(processResource(child.pid, 'isoprobe-shim'), label, kill);
  const out = collect(child.stdout!);
  const err = collect(child.stderr!);
  const sync = child.stdio[3] as Duplex;
  const lines = createInterface({ input: sync })[Symbol.asyncIterator]();
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const fail = (message: string, step?: string, errno?: number) => new TargetError(opts.target, message, step, errno);
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
  let removed: Promise<void> | null = null;
  const remove = () =>
    (removed ??= (async () => {
      clearTimeout(timer);
      await undo();
    })());
  /** Any failure: the shim dies (and its container with it) before the error goes up. */
  const failed = async (e: unknown): Promise<never> => {
    child.kill('SIGKILL');
    await exited;
    throw e;
  };
  try {
    const { pid } = await expect('pid');
    await hooks.onPid(pid);
    sync.write(TO_SHIM.go);
    await expect('ready');
    return {
      pid,
      release: () => void sync.write(TO_SHIM.exec),
      wait: async () => {
        try {
          await expect('execed');
          const end = await next();
          await exited;
          if (end.kind !== 'exit' && end.kind !== 'signal') throw fail(`unexpected "${end.kind}" at the end`);
          return {
            exitCode: end.kind === 'exit' ? end.code : null,
            signal: end.kind === 'signal' ? signalName(end.signal) : null,
            stdout: out.text(),
            stderr: err.text(),
          };
        } catch (e) {
          return failed(e);
        }
      },
      remove,
    };
  } catch (e) {
    try {
      return await failed(e);
    } finally {
      await remove();
    }
  }
}

function signalName(num: number): string {
  return Object.entries(os.constants.signals).find(([, n]) => n === num)?.[0] ?? `signal ${num}`;
}
