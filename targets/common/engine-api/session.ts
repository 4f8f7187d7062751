/**
 * One Docker container from create to removal: create → attach (before start, so no output is
 * lost) → start → inspect (host pid, overlay upper dir), held there for targets/common/lifecycle.ts
 * to observe → the probe's go byte on stdin → wait (bounded) → after-exit reads → remove. The container is registered for removal the
 * moment it exists, so an error or Ctrl-C anywhere leaves nothing behind.
 */
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { intend, own } from '../../../host/journal.js';
import type { Resource } from '../../../model/journal.js';
import { TargetError } from '../../../model/target.js';
import type { Exit } from '../lifecycle.js';
import { decodeExitStatus, pidAlive } from '../../../host/process.js';
import { DeadlineError, secondsText, settleWithin } from '../../../model/deadline.js';
import { HEARTBEAT_MS, WAIT_AFTER_EXIT_MS } from './bounds.js';
import { rawAttach } from './attach.js';
import { api, dockerError, type Daemon } from './errors.js';

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
  opts: { target: string; socket: string; timeoutMs: number; run: string; engine?: Daemon['engine']; resource?: Resource; rawAttach?: boolean },
): Promise<HeldContainer> {
  const d: Daemon = { target: opts.target, socket: opts.socket, engine: opts.engine };
  const name = create.name!;
  let finished = false;
  let interrupted = false;
  // Journalled and registered before the daemon is asked: a Ctrl-C during create still waits for it
  // (bounded), then removes it; a SIGKILL leaves the journal entry for the next reaper. Independent
  // of every other undo: a hung daemon must not hold up the host's cleanup.
  // The engine's own journal entry where it has one (Podman's names its service's storage).
  const intent = intend(opts.resource ?? { kind: 'docker', name, run: opts.run });
  const creating = api(d, 'container create', () => docker.createContainer(create));
  const undo = own(
    intent,
    `docker container ${name}`,
    async () => {
      interrupted = !finished;
      await creating.catch(() => {});
      await removeContainer(d, docker.getContainer(name));
    },
    { independent: true },
  );
  const remove = async () => {
    finished = true;
    try {
      await undo();
    } catch (e) {
      if (e instanceof DeadlineError)
        throw new TargetError(
          d.target,
          `the ${d.engine?.name ?? 'Docker daemon'} at ${d.socket} did not remove container ${name} within ${secondsText(e.ms)} (is ${d.engine?.process ?? 'dockerd'} stopped?)`,
        );
      throw e;
    }
  };
  try {
    const container = await creating;
    // Podman's compat API gives a body's bytes to stdin (./attach.ts): its attach sends none.
    const stream = await api(d, 'container attach', () =>
      opts.rawAttach
        ? (rawAttach(opts.socket, container.id) as Promise<NodeJS.ReadWriteStream>)
        : container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }),
    );
    const out = collect();
    const err = collect();
    container.modem.demuxStream(stream, out.sink, err.sink);
    const ended = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    await api(d, 'container start', () => container.start());
    const state = await api(d, 'container inspect', () => container.inspect());
    const pid = state.State.Pid;
    return {
      pid,
      upperDir: upperDirOf(state),
      release: () => void stream.write('g'), // the probe's --wait-stdin go byte
      wait: async () => {
        const status = await waitBounded(d, docker, container, pid, opts.timeoutMs);
        // Removed by the run's cleanup (Ctrl-C): its status is not an outcome of the container.
        if (interrupted) throw new TargetError(d.target, "the container was removed by the harness's cleanup (interrupted)");
        await settleWithin(ended, DRAIN_MS);
        return { ...decodeExitStatus(status), stdout: out.text(), stderr: err.text() };
      },
      remove,
    };
  } catch (e) {
    // The first failure says why; the removal failing after it (a dead daemon refuses both) must not replace it.
    await remove().catch(() => {});
    throw e;
  }
}

/** overlay2's writable layer on the host (other storage drivers have none: created files are then not observed). */
function upperDirOf(state: Dockerode.ContainerInspectInfo): string | null {
  const data = state.GraphDriver?.Data as { UpperDir?: string } | undefined;
  return data?.UpperDir ?? null;
}

/**
 * wait() within the time limit; past it the container is killed and the run is an error. The host
 * sees the container's process (`pid`) end: from then on the daemon has WAIT_AFTER_EXIT_MS to say
 * so, else it is called hung (a stopped dockerd would otherwise hold the target for its whole limit).
 */
async function waitBounded(d: Daemon, docker: Dockerode, container: Dockerode.Container, pid: number, timeoutMs: number): Promise<number> {
  const timers: NodeJS.Timeout[] = [];
  const timeout = new Promise<'timeout'>((resolve) => {
    timers.push(setTimeout(() => resolve('timeout'), timeoutMs));
  });
  const silentAfterExit = new Promise<never>((_, reject) => {
    if (pid <= 0) return;
    const poll = setInterval(() => {
      if (pidAlive(pid)) return;
      clearInterval(poll);
      timers.push(setTimeout(() => reject(new DeadlineError('container wait', WAIT_AFTER_EXIT_MS)), WAIT_AFTER_EXIT_MS));
    }, 100);
    timers.push(poll);
  });
  // A stopped daemon answers nothing, not even that the container ended: its pings say so sooner than the limit.
  const heartbeat = new Promise<never>((_, reject) => {
    const beat = setInterval(() => {
      api(d, 'ping', () => docker.ping()).catch((e) => {
        clearInterval(beat);
        reject(e);
      });
    }, HEARTBEAT_MS);
    timers.push(beat);
  });
  try {
    const answer = api(d, 'container wait', () => container.wait(), timeoutMs + WAIT_AFTER_EXIT_MS);
    const r = await Promise.race([answer, timeout, heartbeat, silentAfterExit.catch((e) => Promise.reject(dockerError(d, 'container wait', e)))]);
    if (r === 'timeout') {
      await api(d, 'container kill', () => container.kill()).catch(() => {});
      throw new TargetError(d.target, `the container did not exit within ${timeoutMs} ms`);
    }
    return (r as { StatusCode: number }).StatusCode;
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}

async function removeContainer(d: Daemon, container: Dockerode.Container): Promise<void> {
  try {
    await api(d, 'container remove', () => container.remove({ force: true, v: true }));
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
