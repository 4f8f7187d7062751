/**
 * Docker's part of `isoprobe clean`: labelled containers of dead runs, then the probe images
 * (label isoprobe=1). An image is shared by every run on the machine, so it goes only while no
 * run is alive (asked again right before, as a run may have started since clean's own check),
 * and without force: the daemon refuses to remove an image a container still uses, and that
 * refusal is reported, not overridden.
 */
import type Dockerode from 'dockerode';
import type { CleanItem } from '../../model/clean-report.js';
import { containerName, staleContainers } from './daemon.js';
import { daemonMessage, failureKind } from './errors.js';
import { LABEL } from './image.js';

export type CleanClient = Pick<Dockerode, 'ping' | 'listContainers' | 'getContainer' | 'listImages' | 'getImage'>;

export interface DockerCleanOptions {
  socketPath: string;
  /** Why the images must stay (a live run uses them), or null when they may go. */
  imagesInUse(): string | null;
}

export async function cleanDocker(docker: CleanClient, opts: DockerCleanOptions): Promise<CleanItem[]> {
  try {
    await docker.ping();
  } catch (e) {
    // No daemon: nothing of ours runs, and what it stored is out of reach until it runs again.
    if (failureKind(e) === 'unreachable') {
      return [{ kind: 'docker', found: [], remaining: [], unchecked: `no Docker daemon answers at ${opts.socketPath} (${daemonMessage(e)})` }];
    }
    return [{ kind: 'docker', found: [], remaining: [`the daemon at ${opts.socketPath}: ${daemonMessage(e)}`] }];
  }
  return [await cleanContainers(docker), await cleanImages(docker, opts)];
}

async function cleanContainers(docker: CleanClient): Promise<CleanItem> {
  const kind = 'docker containers';
  let stale: Dockerode.ContainerInfo[];
  try {
    stale = await staleContainers(docker);
  } catch (e) {
    return { kind, found: [], remaining: [`listing them: ${daemonMessage(e)}`] };
  }
  const why = new Map<string, string>();
  for (const c of stale) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch((e: unknown) => {
        if (failureKind(e) !== 'not-found') why.set(c.Id, daemonMessage(e));
      });
  }
  // A second look: a 409 "removal already in progress" is only done once it is gone from the list.
  const still = new Set((await staleContainers(docker).catch(() => stale)).map((c) => c.Id));
  const remaining = stale.filter((c) => still.has(c.Id)).map((c) => `${containerName(c)}: ${why.get(c.Id) ?? 'still listed after its removal'}`);
  return { kind, found: stale.map(containerName), remaining };
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
