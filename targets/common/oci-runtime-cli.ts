/**
 * The OCI runtime command line (runc, crun: the same verbs), with its outcomes turned into types
 * at the call: a refusal before the container existed is a RuntimeRefusal carrying the runtime's
 * own message (a finding for the report), an exit status is the container's.
 *
 * `run`, not `create` + `start`: after `create` the runtime exits and the container's init is
 * re-parented away from us, so its exit status is lost (only a child subreaper, which is what
 * containerd-shim is, could reap it). `run` stays its parent and exits with its status; the probe's
 * `--wait-stdin` holds it while the host observes, and `--pid-file` says when it exists.
 */
import { collectOutput as collect } from './output.js';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { intend, own } from '../../host/journal.js';
import { decodeExitStatus } from '../../host/process.js';
import type { Resource } from '../../model/journal.js';
import { TargetError } from '../../model/target.js';
import type { Exit } from './lifecycle.js';
import { OCI_BOUNDS_MS } from './oci-bounds.js';
import { removeCgroupPath } from './oci-cgroups.js';

const PID_POLL_MS = 2;
/** After the runtime exited, the last output may still be in the pipes: bounded drain. */
const DRAIN_MS = 2000;

/** The runtime refused the container before it ran (config rejected, host unsupported). */
export class RuntimeRefusal extends TargetError {
  /** The message without the target's name: "runc refused the container (exit 1): ...". */
  readonly reason: string;
  constructor(
    target: string,
    readonly binary: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    const reason = `${binary} refused the container (exit ${exitCode ?? 'none'}): ${stderrTail || 'no message'}`;
    super(target, reason);
    this.reason = reason;
  }
}

/** A container the runtime made, its probe waiting for the go byte (targets/common/lifecycle.ts Held, without scratch). */
export interface HeldRun {
  pid: number;
  release(): void;
  wait(): Promise<Exit>;
  remove(): Promise<void>;
}

/**
 * runc, crun and runsc share the verbs but not every short flag (runsc has no `-f`, `-q`), so the
 * long ones are used; `global` are flags before the verb (runsc's `--root`, `--network`).
 */
export function runtimeVersion(binary: string, global: readonly string[] = []): string {
  const r = spawnSync(binary, [...global, '--version'], { encoding: 'utf8', timeout: OCI_BOUNDS_MS['--version'] });
  if (r.error) throw timedOut(r.error, binary, '--version') ?? r.error;
  return r.stdout.split('\n').slice(0, 2).join(' ').replace(/\s+/g, ' ').trim();
}

/** A spawnSync that hit its timeout, as one line naming the runtime and the command. */
function timedOut(e: Error, binary: string, verb: keyof typeof OCI_BOUNDS_MS): Error | null {
  if ((e as { code?: string }).code !== 'ETIMEDOUT') return null;
  return Object.assign(new Error(`${binary} ${verb} did not finish within ${OCI_BOUNDS_MS[verb] / 1000} s`), { code: 'ETIMEDOUT' });
}

/** `delete -f`: kills and removes the container; no error if it is already gone. */
export function deleteContainer(binary: string, id: string, global: readonly string[] = []): void {
  spawnSync(binary, [...global, 'delete', '--force', id], { stdio: 'ignore', timeout: OCI_BOUNDS_MS['delete --force'] });
}

/**
 * `delete -f` without blocking the event loop: the cleanup runs it beside other undos (Ctrl-C),
 * so a runtime hanging for its whole bound must not stop the rest. Rejects when the bound is hit.
 */
export function deleteContainerAsync(binary: string, id: string, global: readonly string[] = []): Promise<void> {
  const ms = OCI_BOUNDS_MS['delete --force'];
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [...global, 'delete', '--force', id], { stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${binary} delete --force ${id} did not finish within ${ms / 1000} s`));
    }, ms);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(); // no binary: nothing it could have made
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Container ids the runtime knows about (its default state root); throws with its words when it cannot list. */
export function listContainers(binary: string, global: readonly string[] = []): string[] {
  const r = spawnSync(binary, [...global, 'list', '--quiet'], { encoding: 'utf8', timeout: OCI_BOUNDS_MS['list --quiet'] });
  if (r.error) throw timedOut(r.error, binary, 'list --quiet') ?? r.error;
  if (r.status !== 0) throw new Error(`exit ${r.status ?? r.signal}: ${tail(r.stderr) || 'no message'}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

type Ended = { code: number | null; signal: NodeJS.Signals | null; error?: string };

interface Spawned {
  child: ReturnType<typeof spawn>;
  /** The runtime process ended (its container may still hold our pipes if it was killed). */
  exited: Promise<Ended>;
  /** Every holder of its stdout/stderr is gone: all output is in. */
  closed: Promise<void>;
  stdout: { text(): string };
  stderr: { text(): string };
}

function spawnRun(binary: string, global: readonly string[], bundle: string, pidFile: string, id: string): Spawned {
  // Its own process group: Ctrl-C reaches only the harness, whose cleanup then deletes the container.
  const child = spawn(binary, [...global, 'run', '--bundle', bundle, '--pid-file', pidFile, id], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  child.stdin!.on('error', () => {}); // EPIPE when it ended before the go byte: its exit status says why
  const exited = new Promise<Ended>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (e) => resolve({ code: null, signal: null, error: e.message }));
  });
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  return { child, exited, closed, stdout: collect(child.stdout!), stderr: collect(child.stderr!) };
}

/**
 * `BINARY run --bundle B --pid-file P ID` with stdin/stdout/stderr as pipes, returned once the
 * pid file names the container's init; one timer bounds everything from spawn to exit.
 */
export async function startContainer(
  binary: string,
  bundle: string,
  id: string,
  opts: { target: string; timeoutMs: number; cgroupsPath?: string; global?: readonly string[]; journal?: Resource },
): Promise<HeldRun> {
  const global = opts.global ?? [];
  const pidFile = `${bundle}/pid`;
  let settled = false; // `run` removed the container when it ended
  let killing: Promise<void> | null = null;
  // Journalled before the runtime is started: a SIGKILL at any point leaves the entry to the next reaper.
  const intent = intend(opts.journal ?? { kind: 'oci', binary, id, cgroupsPath: opts.cgroupsPath ?? `/${id}` });
  const run = spawnRun(binary, global, bundle, pidFile, id);
  const { child, exited, stdout, stderr } = run;
  const kill = () => (killing ??= settled ? Promise.resolve() : forceRemove(binary, global, id, run, opts.cgroupsPath));
  const undo = own(intent, `${binary} container ${id}`, kill);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void kill();
  }, opts.timeoutMs);
  const late = (what: string) => new TargetError(opts.target, `${binary} run ${what} within ${opts.timeoutMs} ms: ${tail(stderr.text()) || 'no message'}`);
  let removed: Promise<void> | null = null;
  const remove = () =>
    (removed ??= (async () => {
      clearTimeout(timer);
      await undo();
    })());
  try {
    const pid = await waitForPid(pidFile, exited);
    if (pid === null) {
      const end = await exited;
      await drained(run);
      if (timedOut) throw late('made no container');
      throw new RuntimeRefusal(opts.target, binary, end.code, end.error ?? tail(stderr.text()));
    }
    return {
      pid,
      release: () => void child.stdin!.end('g'), // the probe's --wait-stdin go byte
      wait: async () => {
        const end = await exited;
        await drained(run);
        if (timedOut) throw late('did not finish');
        // Killed by the run's cleanup (Ctrl-C): not an outcome of the container.
        if (killing) throw new TargetError(opts.target, `${binary} run was stopped by the harness's cleanup (interrupted)`);
        settled = true;
        return { ...decodeExitStatus(end.code, end.signal), stdout: stdout.text(), stderr: stderr.text() };
      },
      remove,
    };
  } catch (e) {
    await remove();
    throw e;
  }
}

/** 'exit' can come before the last output is read: wait for the pipes to close, bounded. */
async function drained(run: Spawned): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    run.closed,
    new Promise((r) => {
      timer = setTimeout(r, DRAIN_MS);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Kills `run` and removes its container. A runtime killed while it was still creating the
 * container has saved no state for `delete` to find, but may have made its cgroups: those go too
 * (its init dies with it, PR_SET_PDEATHSIG, so they are empty or soon will be).
 */
async function forceRemove(binary: string, global: readonly string[], id: string, run: Spawned, cgroupsPath?: string): Promise<void> {
  run.child.kill('SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    run.exited,
    new Promise((r) => {
      timer = setTimeout(r, DRAIN_MS);
    }),
  ]);
  clearTimeout(timer);
  await deleteContainerAsync(binary, id, global);
  if (cgroupsPath) await removeCgroupPath(cgroupsPath);
}

/** The pid from the pid file once the runtime wrote it; null if the runtime exited first. */
async function waitForPid(pidFile: string, exited: Promise<unknown>): Promise<number | null> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  for (;;) {
    const pid = readPid(pidFile);
    if (pid !== null) return pid;
    if (done) return readPid(pidFile);
    await new Promise((r) => setTimeout(r, PID_POLL_MS));
  }
}

function readPid(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null; // an empty file is one still being written
  } catch {
    return null;
  }
}

/** The last lines of a runtime's stderr, runc's logfmt reduced to its msg. */
export function tail(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean).slice(-3);
  return lines.map((l) => /\bmsg="((?:[^"\\]|\\.)*)"/.exec(l)?.[1]?.replace(/\\"/g, '"') ?? l).join(' | ');
}
