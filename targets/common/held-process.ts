/**
 * A wrapper process that runs the probe held, for the kinds whose container is one host command
 * line (bwrap, firejail, systemd-nspawn, lxc-execute, any user's wrapper): spawn WRAPPER ARGV with
 * stdin, stdout, stderr (and optional extra pipes) → `locate` finds the probe's own host pid → the
 * shared lifecycle (./lifecycle.ts) observes it, releases it (the go byte on stdin, which the
 * wrapper passes through to the probe's --wait-stdin) and waits. One timer bounds everything from
 * spawn to exit; the wrapper is journalled at its birth (its own process group, which the reaper
 * kills), so an error or Ctrl-C anywhere leaves nothing.
 */
import { spawn } from 'node:child_process';
import { onCleanup } from '../../host/cleanup.js';
import { own } from '../../host/journal.js';
import { procStartTime } from '../../host/proc.js';
import { decodeExitStatus } from '../../host/process.js';
import { settleWithin } from '../../model/deadline.js';
import type { Resource } from '../../model/journal.js';
import { TargetError } from '../../model/target.js';
import type { Exit, Held } from './lifecycle.js';
import { collectOutput } from './output.js';

/** Polling for the probe's pid: wrappers set a sandbox up in a few ms to a few hundred. */
const PID_POLL_MS = 5;
/** After the wrapper exited, the last output may still be in the pipes: bounded drain. */
const DRAIN_MS = 2000;

export interface HeldProcessOptions {
  /** The target's name, for messages. */
  target: string;
  /** The wrapper as people call it ("bwrap", "firejail"), for messages. */
  tool: string;
  binary: string;
  argv: readonly string[];
  /** The wrapper's whole environment (isoprobe's own is not the sandbox's business). */
  env: NodeJS.ProcessEnv;
  /** The wrapper's working directory (default: the harness's). */
  cwd?: string;
  /** Extra pipes after stdio 0..2 (bwrap's --json-status-fd 3): collected, bounded, given to `locate`. */
  extraPipes?: number;
  /** The journal entry for the wrapper, once its pid is known (the reaper removes it when the run is killed). */
  journal(pid: number, start: string): Resource;
  /**
   * The probe's host pid, or null while it is not there yet; called every few ms until it answers
   * or the wrapper ended. `pipes` are the extra pipes' text so far.
   */
  locate(wrapperPid: number, pipes: readonly string[]): number | null;
  /**
   * Whether a wrapper that ended before the probe was seen ran the command (an unheld probe that
   * finished at once: an outcome without observation) rather than refusing the sandbox.
   * Default: it refused.
   */
  ranUnseen?(pipes: readonly string[], exitCode: number | null): boolean;
  /** Host directory that is the container's /scratch (or workspace), null when the host cannot see it. */
  scratch: string | null;
  timeoutMs: number;
  /** Runs after the wrapper is gone, before the removal resolves (a kind's own leftovers: an LXC container, a cgroup). */
  afterExit?(): Promise<void> | void;
}

type Ended = { code: number | null; signal: NodeJS.Signals | null; error?: string };

export async function startHeldProcess(opts: HeldProcessOptions): Promise<Held> {
  const extra = opts.extraPipes ?? 0;
  // Its own process group: Ctrl-C reaches only the harness, whose cleanup then kills the wrapper.
  const child = spawn(opts.binary, [...opts.argv], {
    stdio: ['pipe', 'pipe', 'pipe', ...Array.from({ length: extra }, () => 'pipe' as const)],
    detached: true,
    env: opts.env,
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
  });
  child.stdin!.on('error', () => {}); // EPIPE when it ended before the go byte: its exit status says why
  const stdout = collectOutput(child.stdout!);
  const stderr = collectOutput(child.stderr!);
  const pipes = Array.from({ length: extra }, (_, i) => collectOutput(child.stdio[3 + i] as NodeJS.ReadableStream, 64 * 1024));
  const pipeText = () => pipes.map((p) => p.text());
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
  const kill = () => (killing ??= (ended ? Promise.resolve() : killGroup(child.pid, exited)).then(() => opts.afterExit?.()));
  const label = `${opts.tool} ${child.pid ?? '(not started)'} of ${opts.target}`;
  const undo = child.pid === undefined ? onCleanup(label, kill) : own(opts.journal(child.pid, procStartTime(child.pid) ?? ''), label, kill);
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
  const said = () => tail(stderr.text()) || tail(stdout.text()) || 'no message';

  try {
    let pid = await waitForProbe(
      () => (child.pid === undefined ? null : opts.locate(child.pid, pipeText())),
      () => ended !== null,
    );
    if (pid === null) {
      const end = await exited;
      await drained();
      if (timedOut) throw new TargetError(opts.target, `${opts.tool} made no sandbox within ${opts.timeoutMs} ms: ${said()}`);
      if (killing) throw interrupted(opts);
      if (!(opts.ranUnseen?.(pipeText(), end.code) ?? false)) {
        throw new TargetError(opts.target, `${opts.tool} refused the sandbox (exit ${end.code ?? end.signal ?? 'none'}): ${end.error ?? said()}`);
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
        if (timedOut) throw new TargetError(opts.target, `the ${opts.tool} sandbox did not finish within ${opts.timeoutMs} ms: ${said()}`);
        if (killing) throw interrupted(opts);
        return { ...decodeExitStatus(end.code, end.signal), stdout: stdout.text(), stderr: stderr.text() };
      },
      remove,
    };
  } catch (e) {
    await remove();
    throw e;
  }
}

function interrupted(opts: HeldProcessOptions): TargetError {
  return new TargetError(opts.target, `${opts.tool} was stopped by the harness's cleanup (interrupted)`);
}

/** The probe's host pid once `find` sees it; null if the wrapper ended first. The caller's timer bounds the wait (it kills the wrapper, which ends it). */
async function waitForProbe(find: () => number | null, gone: () => boolean): Promise<number | null> {
  for (;;) {
    const pid = find();
    if (pid !== null) return pid;
    if (gone()) return null;
    await new Promise((r) => setTimeout(r, PID_POLL_MS));
  }
}

/** SIGKILL to the wrapper's process group: the wrapper, and whatever of the sandbox dies with it. */
async function killGroup(pid: number | undefined, exited: Promise<unknown>): Promise<void> {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await settleWithin(exited, DRAIN_MS);
}

/** The last lines of a wrapper's output. */
function tail(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
}
