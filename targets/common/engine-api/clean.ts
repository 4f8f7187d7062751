/**
 * Docker's part of the reaper (model/driver.ts CleanContext): the containers dead runs' journals
 * list, each removed only if the container of that name still carries its run's label
 * (isoprobe.run=<run id>): one named like ours, or labelled with another run's id, is someone
 * else's. Then, for `isoprobe clean` only, the probe images (label isoprobe=1). An image is shared
 * by every run on the machine, so it goes only while no run is alive (asked again right before,
 * as a run may have started since clean's own check), and without force: the daemon refuses to
 * remove an image a container still uses, and that refusal is reported, not overridden.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { cgroupMounts } from '../../../host/cgroup.js';
import { killCgroupTrees } from '../cgroup-tree.js';
import type { CleanItem } from '../../../model/clean-report.js';
import type { Resource } from '../../../model/journal.js';
import { RUN_LABEL } from './labels.js';
import { daemonMessage, failureKind } from './errors.js';
import { LABEL } from './image.js';

type DockerEntry = Extract<Resource, { kind: 'docker' }>;

export type CleanClient = Pick<Dockerode, 'ping' | 'getContainer' | 'listImages' | 'getImage'>;

export interface DockerCleanOptions {
  socketPath: string;
  /** Why the images must stay (a live run uses them), or null when they may go. */
  imagesInUse(): string | null;
  /** The dead runs' journalled containers. */
  entries: Resource[];
  /** The images too (`isoprobe clean`); a run's start leaves them. */
  shared: boolean;
  /** A container that could not be removed or checked: its journal stays. */
  keep(entry: Resource): void;
}

export async function cleanDocker(docker: CleanClient, opts: DockerCleanOptions): Promise<CleanItem[]> {
  const entries = opts.entries.filter((e): e is DockerEntry => e.kind === 'docker');
  try {
    await docker.ping();
  } catch (e) {
    for (const entry of entries) opts.keep(entry);
    // Permission denied is a daemon that answers someone else, not an absent one.
    if ((e as { code?: string }).code === 'EACCES') {
      return [{ kind: 'docker', found: [], remaining: [`the daemon at ${opts.socketPath}: permission denied (EACCES), run as root`] }];
    }
    // No daemon: nothing of ours runs, and what it stored is out of reach until it runs again.
    if (failureKind(e) === 'unreachable') {
      return [{ kind: 'docker', found: [], remaining: [], unchecked: `no Docker daemon answers at ${opts.socketPath} (${daemonMessage(e)})` }];
    }
    return [{ kind: 'docker', found: [], remaining: [`the daemon at ${opts.socketPath}: ${daemonMessage(e)}`] }];
  }
  const containers = await cleanContainers(docker, entries, opts.keep);
  return opts.shared ? [containers, await cleanImages(docker, opts)] : [containers];
}

async function cleanContainers(docker: CleanClient, entries: DockerEntry[], keep: (e: Resource) => void): Promise<CleanItem> {
  const item: CleanItem = { kind: 'docker containers', found: [], remaining: [] };
  for (const entry of entries) {
    const outcome = await removeIfOurs(docker, entry);
    if (outcome === 'gone') continue;
    item.found.push(entry.name);
    if (outcome !== 'removed') {
      keep(entry);
      item.remaining.push(`${entry.name}: ${outcome}`);
    }
  }
  return item;
}

/** 'gone' also for a container of that name that is not this run's (no label with its id). */
async function removeIfOurs(docker: CleanClient, entry: DockerEntry): Promise<'removed' | 'gone' | string> {
  let info: Dockerode.ContainerInspectInfo;
  try {
    info = await docker.getContainer(entry.name).inspect();
  } catch (e) {
    return failureKind(e) === 'not-found' ? 'gone' : daemonMessage(e);
  }
  if (!entry.run || info.Config?.Labels?.[RUN_LABEL] !== entry.run) return 'gone';
  try {
    await docker.getContainer(info.Id).remove({ force: true, v: true });
  } catch (e) {
    // 409: its removal is already under way (the daemon finishes it).
    if (!['not-found', 'conflict'].includes(failureKind(e))) return daemonMessage(e);
  }
  const left = await removeContainerCgroups(info.Id, info.HostConfig?.CgroupParent || '/docker');
  return left.length === 0 ? 'removed' : `removed, but its cgroups ${left.join(', ')} cannot be removed`;
}

/** How long the cgroups of a removed container may take to empty (runc removes them just after the daemon answers). */
const CGROUP_EMPTY_WAIT_MS = 5000;
/** How long the processes killed in them may take to leave. */
const CGROUP_KILLED_WAIT_MS = 2000;

/**
 * A container created by a daemon that was killed before it started keeps cgroups
 * (<hierarchy>/<parent>/<id>) that the restarted daemon never removes, empty or holding the
 * runtime's `runc init` still waiting to be started (the daemon that would have started or killed
 * it is gone, and the new one does not know it). They are this run's container's, so they go with
 * it: first a wait for the daemon's own teardown (rmdir(2) removes only an empty cgroup), then
 * what still runs in that container's cgroups is killed and they are removed. Returns those left.
 */
async function removeContainerCgroups(id: string, parent: string): Promise<string[]> {
  const dirs = cgroupMounts(fs.readFileSync('/proc/self/mountinfo', 'utf8')).map((m) => path.join(m.mountPoint, parent, id));
  let left = await rmdirWithin(dirs, CGROUP_EMPTY_WAIT_MS);
  if (left.length > 0) {
    killCgroupTrees(left, []);
    left = await rmdirWithin(left, CGROUP_KILLED_WAIT_MS);
  }
  return left;
}

async function rmdirWithin(dirs: string[], ms: number): Promise<string[]> {
  for (const deadline = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 100))) {
    dirs = dirs.filter((d) => {
      try {
        fs.rmdirSync(d);
        return false;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code !== 'ENOENT';
      }
    });
    if (dirs.length === 0 || Date.now() > deadline) return dirs;
  }
}

async function cleanImages(docker: CleanClient, opts: DockerCleanOptions): Promise<CleanItem> {
  const kind = 'docker images';
  let images: Dockerode.ImageInfo[];
  try {
    images = await docker.listImages({ filters: JSON.stringify({ label: [`${LABEL}=1`] }) });
  } catch (e) {
    return { kind, found: [], remaining: [`listing them: ${daemonMessage(e)}`] };
  }
  const refs = images.flatMap((i) => {
    const tags = (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
    return tags.length > 0 ? tags : [i.Id];
  });
  const inUse = refs.length > 0 ? opts.imagesInUse() : null;
  if (inUse) return { kind, found: refs, remaining: refs.map((r) => `${r}: kept, ${inUse}`) };
  const remaining: string[] = [];
  for (const ref of refs) {
    await docker
      .getImage(ref)
      .remove()
      .catch((e: unknown) => {
        if (failureKind(e) !== 'not-found') remaining.push(`${ref}: ${daemonMessage(e)}`);
      });
  }
  return { kind, found: refs, remaining };
}
