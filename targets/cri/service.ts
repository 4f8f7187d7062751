/**
 * The CRI runtime a run's cri targets talk to: one per endpoint per run, shared by its targets.
 * No endpoint: a containerd of isoprobe's own (./containerd.ts), started at the first target's
 * first container and stopped by the run's cleanup. A named endpoint: the user's runtime (a real
 * node's), where isoprobe only makes and removes its own pod sandboxes (labelled with the run's
 * id, journalled so the reaper of a killed run removes them by that label). The images go in once.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { journal, own } from '../../host/journal.js';
import type { ProbeFiles } from '../../model/target.js';
import { CriClient } from './client.js';
import { CRI_ROOT, cgroupRootOf, layout, removeCgroupTree, startContainerd, type Containerd } from './containerd.js';
import { pickNetwork } from './cni.js';
import { imageRefs, importImages, type ImageRefs } from './image.js';
import { removeRunSandboxes } from './sandboxes.js';

/** Label with the run's id on every pod sandbox and container isoprobe makes: the reaper removes only those. */
export const RUN_LABEL = 'isoprobe.run';
export const TARGET_LABEL = 'isoprobe.target';

export interface Service {
  endpoint: string;
  client: CriClient;
  images: ImageRefs;
  /** Our own containerd, when isoprobe started it. */
  containerd: Containerd | null;
  /** kubelet's --cgroup-root for this run's pods (a path of cgroupfs). */
  cgroupRoot: string;
  version: { runtimeName: string; runtimeVersion: string; runtimeApiVersion: string };
  /** `containerd --version` of the daemon isoprobe started; null for a named endpoint. */
  daemon: string | null;
}

const services = new Map<string, Promise<Service>>();

/** `scratchDir`: where a named endpoint's image archives are written before `ctr` imports them (the run's directory). */
export function service(endpoint: string | undefined, files: ProbeFiles, scratchDir: string): Promise<Service> {
  const run = journal().id;
  const key = `${run} ${endpoint ?? ''}`;
  let s = services.get(key);
  if (!s) {
    s = endpoint ? named(endpoint, files, run, scratchDir) : ownContainerd(files, run);
    services.set(key, s);
    s.catch(() => services.delete(key));
  }
  return s;
}

/** The run's own containerd directory, by its id. */
export function runDir(run: string): string {
  return path.join(CRI_ROOT, run);
}

async function ownContainerd(files: ProbeFiles, run: string): Promise<Service> {
  const images = imageRefs(files);
  const dir = runDir(run);
  const c = await startContainerd(dir, images.pause, pickNetwork(run), true);
  await importImages(layout(dir).socket, files, images, dir);
  const version = await c.client.version();
  const daemon = spawnSync('containerd', ['--version'], { encoding: 'utf8', timeout: 5000 }).stdout?.trim() || 'unknown';
  return { endpoint: `unix://${c.socket}`, client: c.client, images, containerd: c, cgroupRoot: cgroupRootOf(run), version, daemon };
}

async function named(endpoint: string, files: ProbeFiles, run: string, scratchDir: string): Promise<Service> {
  const client = new CriClient(endpoint);
  const version = await client.version();
  const images = imageRefs(files);
  const have = new Set((await client.listImages()).flatMap((i) => i.repoTags));
  if (!have.has(images.probe) || !have.has(images.pause)) {
    // Both: the pause image is used only where the node's sandbox_image names it (the node's own is kept otherwise).
    fs.mkdirSync(scratchDir, { recursive: true });
    await importImages(endpoint.replace(/^unix:\/\//, ''), files, images, scratchDir);
  }
  // Journalled before any sandbox exists: the reaper lists that endpoint's sandboxes by the run's label.
  // The pods' cgroup tree under the run's cgroup root is made by that runtime and left by it: removed once empty.
  own(
    { kind: 'cri', endpoint, run },
    `pod sandboxes of run ${run} at ${endpoint}`,
    async () => {
      const r = await removeRunSandboxes(client, run);
      const left = [...r.remaining, ...removeCgroupTree(cgroupRootOf(run))];
      if (left.length > 0) throw new Error(left.join('; '));
    },
    { independent: true },
  );
  return { endpoint, client, images, containerd: null, cgroupRoot: cgroupRootOf(run), version, daemon: null };
}
