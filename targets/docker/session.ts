/**
 * One Docker container from create to removal: create → attach (before start, so no output is
 * lost) → start → inspect (host pid, overlay upper dir), held there for targets/common/lifecycle.ts
 * to observe → the probe's go byte on stdin → wait (bounded) → after-exit reads → remove. The container is registered for removal the
 * moment it exists, so an error or Ctrl-C anywhere leaves nothing behind.
 */
import { PassThrough } from 'node:stream';
import os from 'node:os';
import type Dockerode from 'dockerode';
import { intend, own } from '../../host/journal.js';
import { TargetError } from '../../model/target.js';
import type { Exit } from '../common/lifecycle.js';
import { api } from './errors.js';

const OUTPUT_CAP = 4 * 1024 * 1024;
/** After wait() returns, the attach stream may still hold the last bytes: bounded drain. */
const DRAIN_MS = 2000;

/** A started container whose probe waits for its go byte; `upperDir` is its writable layer on the host. */
export interface HeldContainer {
  /** 0 if it already exited. */
  pid: number;
  upperDir: string | null;
  release(): void;
  wait(): Promise<Exit>;
  remove(): Promise<void>;
}

export async function startSession(
  docker: Dockerode,
  create: Dockerode.ContainerCreateOptions,
  opts: { target: string; timeoutMs: number; run: string },
): Promise<HeldContainer> {
  const t = opts.target;
  const name = create.name!;
  let finished = false;
  let interrupted = false;
  // Journalled and registered before the daemon is asked: a Ctrl-C during create still waits for
  // it, then removes it; a SIGKILL leaves the journal entry for the next reaper.
  const intent = intend({ kind: 'docker', name, run: opts.run });
  const creating = api(t, 'create', () => docker.createContainer(create));
  const undo = own(intent, `docker container ${name}`, async () => {
    interrupted = !finished;
    await creating.catch(() => {});
    await removeContainer(docker.getContainer(name));
  });
  const remove = () => {
    finished = true;
    return undo();
  };
  try {
    const container = await creating;
    const stream = await api(t, 'attach', () => container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }));
    const out = collect();
    const err = collect();
    container.modem.demuxStream(stream, out.sink, err.sink);
    const ended = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    await api(t, 'start', () => container.start());
    const state = await api(t, 'inspect', () => container.inspect());
    return {
      pid: state.State.Pid,
      upperDir: upperDirOf(state),
      release: () => void stream.write('g'), // the probe's --wait-stdin go byte
      wait: async () => {
        const status = await waitBounded(container, opts);
        // Removed by the run's cleanup (Ctrl-C): its status is not an outcome of the container.
        if (interrupted) throw new TargetError(t, "the container was removed by the harness's cleanup (interrupted)");
        await bounded(ended, DRAIN_MS);
        return { ...exitStatus(status), stdout: out.text(), stderr: err.text() };
      },
      remove,
    };
  } catch (e) {
    await remove();
    throw e;
  }
}

/** overlay2's writable layer on the host (other storage drivers have none: created files are then not observed). */
function upperDirOf(state: Dockerode.ContainerInspectInfo): string | null {
  const data = state.GraphDriver?.Data as { UpperDir?: string } | undefined;
  return data?.UpperDir ?? null;
}

/** wait() within the time limit; past it the container is killed and the run is an error. */
async function waitBounded(container: Dockerode.Container, opts: { target: string; timeoutMs: number }): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), opts.timeoutMs);
  });
  try {
    const r = await Promise.race([api(opts.target, 'wait', () => container.wait()), timeout]);
    if (r === 'timeout') {
      await container.kill().catch(() => {});
      throw new TargetError(opts.target, `the container did not exit within ${opts.timeoutMs} ms`);
    }
    return (r as { StatusCode: number }).StatusCode;
  } finally {
    clearTimeout(timer);
  }
}

async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p,
    new Promise((r) => {
      timer = setTimeout(r, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** Docker reports a container killed by signal N as status 128+N. */
function exitStatus(code: number): { exitCode: number | null; signal: string | null } {
  if (code > 128) {
    const name = Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0];
    if (name) return { exitCode: null, signal: name };
  }
  return { exitCode: code, signal: null };
}

async function removeContainer(container: Dockerode.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    if (status !== 404 && status !== 409) throw e; // 409: removal already in progress
  }
}

function collect(): { sink: PassThrough; text(): string } {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  let size = 0;
  sink.on('data', (c: Buffer) => {
    if (size < OUTPUT_CAP) chunks.push(c);
    size += c.length;
  });
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}
