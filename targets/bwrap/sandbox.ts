/**
 * One bwrap sandbox, held: spawn `bwrap ... -- PROBE --wait-stdin ...` with stdin, stdout,
 * stderr and the status fd as pipes → the status names child-pid (./status.ts) → the probe's own
 * host pid is found under it → returned to the shared lifecycle, which observes it, releases it
 * (the go byte on stdin) and waits. One timer bounds everything from spawn to exit; the sandbox is
 * registered for removal at its birth, so an error or Ctrl-C anywhere leaves nothing.
 *
 * bwrap exits with its command's status, 128+N when the command was killed by signal N (measured
 * with bubblewrap 0.8.0), and 1 with a "bwrap: ..." line when it could not build the sandbox.
 */
import { spawn } from 'node:child_process';
import { onCleanup } from '../../host/cleanup.js';
import { own } from '../../host/journal.js';
import { procStartTime } from '../../host/proc.js';
import { decodeExitStatus } from '../../host/process.js';
import { settleWithin } from '../../model/deadline.js';
import { TargetError } from '../../model/target.js';
import type { Exit, Held } from '../common/lifecycle.js';
import { collectOutput } from '../common/output.js';
import { STATUS_FD } from './argv.js';
import { findProbePid, parseStatus } from './status.js';

/** Polling for child-pid and then for the probe under it: bwrap sets the sandbox up in a few ms. */
const PID_POLL_MS = 5;
/** After bwrap exited, the last output may still be in the pipes: bounded drain. */
const DRAIN_MS = 2000;
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
}

type Ended = { code: number | null; signal: NodeJS.Signals | null; error?: string };

export async function startSandbox(argv: string[], opts: SandboxOptions): Promise<Held> {
  // Its own process group: Ctrl-C reaches only the harness, whose cleanup then kills the sandbox.
  const child = spawn(opts.binary, argv, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true, env: SANDBOX_ENV });
  child.stdin!.on('error', () => {}); // EPIPE when it ended before the go byte: its exit status says why
  const stdout = collectOutput(child.stdout!);
  const stderr = collectOutput(child.stderr!);
  const status = collectOutput(child.stdio[STATUS_FD] as NodeJS.ReadableStream, 64 * 1024);
  let ended: Ended | null = null;
  const exited = new Promise<Ended>((resolve) => {
    const end = (e: Ended) => {
      ended = e;
      resolve(e);
    };
    child.once('exit', (code, signal) => end({ code, signal }));
    child.once('error', (e) => end({ code: null, signal: null, error: e.message }));
  });
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });

  let killing: Promise<void> | null = null;
  const kill = () => (killing ??= ended ? Promise.resolve() : killSandbox(child.pid, exited));
  const label = `bwrap sandbox ${child.pid ?? '(not started)'} of ${opts.target}`;
  // Journalled as soon as spawn() names its pid (it has its own process group: the reaper kills that).
  const undo =
    child.pid === undefined
      ? onCleanup(label, kill)
      : own({ kind: 'bwrap', pid: child.pid, start: procStartTime(child.pid) ?? '', runDir: opts.runDir }, label, kill);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void kill();
  }, opts.timeoutMs);
  let removed: Promise<void> | null = null;
  const remove = () =>
    (removed ??= (async () => {
      clearTimeout(timer);
      await undo();
    })());
  const drained = () => settleWithin(closed, DRAIN_MS);
  const said = () => tail(stderr.text()) || 'no message';

  try {
    let pid = await waitForProbe(
      () => parseStatus(status.text()).childPid,
      () => ended !== null,
    );
    if (pid === null) {
      const end = await exited;
      await drained();
      if (timedOut) throw new TargetError(opts.target, `bwrap made no sandbox within ${opts.timeoutMs} ms: ${said()}`);
      if (killing) throw interrupted(opts.target);
      // bwrap writes "exit-code" only for a command it ran: one that ended before the host saw it
      // (not held: `probe true`) is an outcome without observation, not a refusal.
      if (parseStatus(status.text()).exitCode === undefined) {
        throw new TargetError(opts.target, `bwrap refused the sandbox (exit ${end.code ?? end.signal ?? 'none'}): ${end.error ?? said()}`);
      }
      pid = 0;
    }
    return {
      pid,
      scratch: opts.scratch,
      release: () => void child.stdin!.end('g'), // the probe's --wait-stdin go byte
      wait: async (): Promise<Exit> => {
        const end = await exited;
        await drained();
        if (timedOut) throw new TargetError(opts.target, `the bwrap sandbox did not finish within ${opts.timeoutMs} ms: ${said()}`);
        if (killing) throw interrupted(opts.target);
        return { ...decodeExitStatus(end.code, end.signal), stdout: stdout.text(), stderr: stderr.text() };
      },
      remove,
    };
  } catch (e) {
    await remove();
    throw e;
  }
}

function interrupted(target: string): TargetError {
  return new TargetError(target, "bwrap was stopped by the harness's cleanup (interrupted)");
}

/**
 * The probe's host pid, once bwrap has reported child-pid and the probe has been exec'd under it;
 * null if bwrap ended first. The caller's timer bounds the wait (it kills bwrap, which ends it).
 */
async function waitForProbe(childPid: () => number | undefined, gone: () => boolean): Promise<number | null> {
  for (;;) {
    const cp = childPid();
    const pid = cp === undefined ? null : findProbePid(cp);
    if (pid !== null) return pid;
    if (gone()) return null;
    await new Promise((r) => setTimeout(r, PID_POLL_MS));
  }
}

/**
 * SIGKILL to bwrap's process group: bwrap itself, and (through --die-with-parent's death signal
 * and the end of the sandbox's pid namespace with its init) everything in the sandbox.
 */
async function killSandbox(pid: number | undefined, exited: Promise<unknown>): Promise<void> {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await settleWithin(exited, DRAIN_MS);
}

/** The last lines of bwrap's stderr. */
function tail(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
}
