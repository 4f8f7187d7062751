/**
 * The Docker daemon: the client, the preflight (no daemon is an environment error: exit 2, one
 * line), the fingerprint the report shows, and the labels that tie a container to its run (what
 * killed runs left is removed by their journals, ./clean.ts).
 */
import Dockerode from 'dockerode';
import { intend, own } from '../../host/journal.js';
import { EnvError } from '../../model/errors.js';
import { daemonMessage } from './errors.js';

export const DOCKER_SOCKET = '/var/run/docker.sock';
/** Label with the pid of the run that made the container: for people to read, never what decides removal. */
export const OWNER_LABEL = 'isoprobe.owner';
/** Label with the run's id (host/journal.ts): the reaper removes a journalled container only if it carries its run's. */
export const RUN_LABEL = 'isoprobe.run';

/**
 * requestTimeoutMs bounds every API call (a hung daemon must not hang `isoprobe clean`); runs leave
 * it unset, since building the image or a container's life may take longer than any fixed bound.
 */
export function dockerClient(socketPath = DOCKER_SOCKET, requestTimeoutMs?: number): Dockerode {
  return new Dockerode({ socketPath, ...(requestTimeoutMs ? { timeout: requestTimeoutMs } : {}) });
}

/** How long the preflight waits for the daemon's answer before calling it absent. */
export const PING_TIMEOUT_MS = 10_000;

export async function pingDaemon(docker: Pick<Dockerode, 'ping'>, socketPath = DOCKER_SOCKET, timeoutMs = PING_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([docker.ping(), silent]);
  } catch (e) {
    throw new EnvError(`no Docker daemon at ${socketPath} (start dockerd): ${daemonMessage(e)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Engine version and settings that explain a docker target's results. */
export async function daemonInfo(docker: Dockerode): Promise<Record<string, string>> {
  const [v, info] = await Promise.all([docker.version(), docker.info()]);
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
export async function daemonDefaults(docker: Dockerode, image: string, name: string, labels: Record<string, string>): Promise<Record<string, string>> {
  // Journalled before the daemon is asked, as every container (targets/docker/session.ts).
  const intent = intend({ kind: 'docker', name, run: labels[RUN_LABEL] ?? '' });
  const creating = docker.createContainer({ name, Image: image, Cmd: ['/isoprobe/probe', 'true'], Labels: labels });
  const remove = own(intent, `docker container ${name}`, async () => {
    await creating.catch(() => {});
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => {});
  });
  try {
    const hc = (await (await creating).inspect()).HostConfig as Record<string, unknown>;
    return { defaultCgroupnsMode: String(hc.CgroupnsMode ?? ''), defaultIpcMode: String(hc.IpcMode ?? '') };
  } finally {
    await remove();
  }
}

export function containerName(c: Dockerode.ContainerInfo): string {
  return c.Names[0]?.replace(/^\//, '') ?? c.Id;
}
