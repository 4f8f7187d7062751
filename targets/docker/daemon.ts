/**
 * The Docker daemon: the client, the preflight (no daemon is an environment error: exit 2, one
 * line), the fingerprint the report shows, and the labels that tie a container to its run (what
 * killed runs left is removed by their journals, ../common/engine-api/clean.ts).
 */
import Dockerode from 'dockerode';
import { intend, own } from '../../host/journal.js';
import { EnvError } from '../../model/errors.js';
import { DeadlineError, secondsText, withDeadline } from '../../model/deadline.js';
import { DOCKER_BOUNDS_MS } from '../common/engine-api/bounds.js';
import { api, daemonMessage, type Daemon } from '../common/engine-api/errors.js';
import { RUN_LABEL } from '../common/engine-api/labels.js';

export const DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * The daemon's socket: a target's `socket` field, else DOCKER_HOST when it names a unix socket
 * (unix:///path, as the docker CLI reads it), else /var/run/docker.sock. `isoprobe clean` has no
 * target config: it asks DOCKER_HOST's daemon, or the default one.
 */
export function dockerSocket(configured?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (configured) return configured;
  const host = env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  if (host) throw new EnvError(`DOCKER_HOST=${host}: only a unix socket (unix:///path) is supported`);
  return DOCKER_SOCKET;
}

/**
 * requestTimeoutMs bounds every request at the transport too (`isoprobe clean`); runs bound each
 * call by its own deadline instead (../common/engine-api/bounds.ts, errors.ts api), since building the image or a
 * container's life take longer than any one bound.
 */
export function dockerClient(socketPath = dockerSocket(), requestTimeoutMs?: number): Dockerode {
  return new Dockerode({ socketPath, ...(requestTimeoutMs ? { timeout: requestTimeoutMs } : {}) });
}

/** How long the preflight waits for the daemon's answer before calling it absent. */
export const PING_TIMEOUT_MS: number = DOCKER_BOUNDS_MS.ping;

export async function pingDaemon(docker: Pick<Dockerode, 'ping'>, socketPath = DOCKER_SOCKET, timeoutMs = PING_TIMEOUT_MS): Promise<void> {
  try {
    await withDeadline(docker.ping(), timeoutMs, 'ping');
  } catch (e) {
    const why = e instanceof DeadlineError ? `no answer within ${secondsText(e.ms)}` : daemonMessage(e);
    throw new EnvError(`no Docker daemon at ${socketPath} (start dockerd): ${why}`);
  }
}

/** The runtimes `docker info` lists (HostConfig.Runtime names), bounded like the ping; an EnvError when it does not answer. */
export async function registeredRuntimes(docker: Pick<Dockerode, 'info'>, socketPath = DOCKER_SOCKET, timeoutMs = PING_TIMEOUT_MS): Promise<string[]> {
  try {
    const info = await withDeadline(docker.info(), timeoutMs, 'info');
    return Object.keys((info as { Runtimes?: Record<string, unknown> }).Runtimes ?? {});
  } catch (e) {
    const why = e instanceof DeadlineError ? `no answer within ${secondsText(e.ms)}` : daemonMessage(e);
    throw new EnvError(`the Docker daemon at ${socketPath} did not say which runtimes it registers (docker info): ${why}`);
  }
}

/** Engine version and settings that explain a docker target's results. */
export async function daemonInfo(docker: Dockerode, d: Daemon): Promise<Record<string, string>> {
  const [v, info] = await Promise.all([api(d, 'version', () => docker.version()), api(d, 'info', () => docker.info())]);
  return {
    engine: `Docker ${v.Version} (API ${v.ApiVersion})`,
    runtimes: Object.keys(info.Runtimes ?? {}).join(', '),
    defaultRuntime: String(info.DefaultRuntime ?? ''),
    cgroupDriver: String(info.CgroupDriver ?? ''),
    cgroupVersion: String(info.CgroupVersion ?? ''),
    securityOptions: (info.SecurityOptions ?? []).join('; '),
    storageDriver: String(info.Driver ?? ''),
    containerd: String(info.ContainerdCommit?.ID ?? ''),
    runc: String(info.RuncCommit?.ID ?? ''),
  };
}

/**
 * The defaults the daemon fills into a container it is given nothing for (CgroupnsMode, IpcMode):
 * read from a created, never started, container. They explain the docker target's
 * cgroup and ipc results (Docker 20.10 on cgroup v1: the host's cgroup namespace).
 */
export async function daemonDefaults(
  docker: Dockerode,
  d: Daemon,
  image: string,
  name: string,
  labels: Record<string, string>,
): Promise<Record<string, string>> {
  // Journalled before the daemon is asked, as every container (targets/common/engine-api/session.ts).
  const intent = intend({ kind: 'docker', name, run: labels[RUN_LABEL] ?? '' });
  const creating = api(d, 'container create', () => docker.createContainer({ name, Image: image, Cmd: ['/isoprobe/probe', 'true'], Labels: labels }));
  const remove = own(
    intent,
    `docker container ${name}`,
    async () => {
      if ((await creating.then(() => true).catch(() => false)) === false) return;
      await api(d, 'container remove', () => docker.getContainer(name).remove({ force: true }));
    },
    { independent: true },
  );
  try {
    const created = await creating;
    const hc = (await api(d, 'container inspect', () => created.inspect())).HostConfig as Record<string, unknown>;
    return { defaultCgroupnsMode: String(hc.CgroupnsMode ?? ''), defaultIpcMode: String(hc.IpcMode ?? '') };
  } finally {
    await remove().catch(() => {}); // named by the cleanup when it hangs; the defaults are information only
  }
}

export function containerName(c: Dockerode.ContainerInfo): string {
  return c.Names[0]?.replace(/^\//, '') ?? c.Id;
}
