/**
 * The Docker daemon: the client, the preflight (no daemon is an environment error: exit 2, one
 * line), the fingerprint the report shows, and the reaping of what killed runs left (labelled
 * containers whose owning run is dead; `isoprobe clean` also removes the images, ./clean.ts).
 */
import Dockerode from 'dockerode';
import { onCleanup } from '../../host/cleanup.js';
import { EnvError } from '../../model/errors.js';
import { pidAlive } from '../../host/process.js';
import { daemonMessage } from './errors.js';
import { LABEL } from './image.js';

export const DOCKER_SOCKET = '/var/run/docker.sock';
/** Label with the pid of the run that made the container: only dead runs' containers are reaped. */
export const OWNER_LABEL = 'isoprobe.owner';

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
  const creating = docker.createContainer({ name, Image: image, Cmd: ['/isoprobe/probe', 'true'], Labels: labels });
  // Registered before the daemon answers, as every container (targets/docker/session.ts).
  const remove = onCleanup(`docker container ${name}`, async () => {
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

/** Labelled containers whose owning run is no longer alive (a SIGKILLed harness). */
export async function staleContainers(docker: Pick<Dockerode, 'listContainers'>): Promise<Dockerode.ContainerInfo[]> {
  const list = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL}=1`] }) });
  return list.filter((c) => {
    const owner = Number(c.Labels[OWNER_LABEL]);
    return !(Number.isInteger(owner) && owner > 0 && pidAlive(owner));
  });
}

export function containerName(c: Dockerode.ContainerInfo): string {
  return c.Names[0]?.replace(/^\//, '') ?? c.Id;
}

/** isoprobe containers whose run is no longer alive, removed; returns their names. */
export async function reapStaleContainers(docker: Dockerode): Promise<string[]> {
  const stale = await staleContainers(docker);
  for (const c of stale) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch((e: { statusCode?: number }) => {
        if (e.statusCode !== 404 && e.statusCode !== 409) throw e; // gone, or its removal already under way
      });
  }
  return stale.map(containerName);
}
