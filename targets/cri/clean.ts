/**
 * The cri driver's part of the reaper (model/driver.ts CleanContext), from dead runs' journal
 * entries only. A containerd of isoprobe's (an entry with `dir`): if that daemon still runs (same
 * pid and start time) it is asked; if it died, it is started again on the same directory, so
 * that its pod sandboxes are removed the way containerd removes them (shims, network namespaces,
 * CNI leases); then it is stopped and what outlives it goes (./containerd.ts teardown): shims
 * that carry its socket, mounts under its directory, the run's bridge, its cgroup tree, the
 * directory. A runtime the user named (no `dir`): the pod sandboxes with the run's label.
 */
import fs from 'node:fs';
import path from 'node:path';
import { procStartTime } from '../../host/proc.js';
import type { CleanContext } from '../../model/driver.js';
import type { CleanItem } from '../../model/clean-report.js';
import type { Resource } from '../../model/journal.js';
import { CriClient } from './client.js';
import { pickNetwork } from './cni.js';
import { cgroupRootOf, layout, removeCgroupTree, startContainerd, stopContainerd, teardown } from './containerd.js';
import { removeRunSandboxes } from './sandboxes.js';

type CriEntry = Extract<Resource, { kind: 'cri' }>;

export async function cleanCri(ctx: CleanContext): Promise<CleanItem[]> {
  const entries = ctx.entries.filter((e): e is CriEntry => e.kind === 'cri');
  const item: CleanItem = { kind: 'cri pod sandboxes and containerd', found: [], remaining: [] };
  for (const e of entries) {
    const left = e.dir ? await reapContainerd(e, item) : await reapEndpoint(e, item);
    if (left.length > 0) {
      ctx.keep(e);
      item.remaining.push(...left);
    }
  }
  return [item];
}

async function reapEndpoint(e: CriEntry, item: CleanItem): Promise<string[]> {
  const client = new CriClient(e.endpoint ?? '');
  try {
    const r = await removeRunSandboxes(client, e.run);
    item.found.push(...r.found.map((id) => `pod sandbox ${id} at ${e.endpoint}`));
    return [...r.remaining, ...removeCgroupTree(cgroupRootOf(e.run))];
  } catch (err) {
    return [`pod sandboxes of run ${e.run} at ${e.endpoint}: ${(err as Error).message}`];
  } finally {
    client.close();
  }
}

async function reapContainerd(e: CriEntry, item: CleanItem): Promise<string[]> {
  const dir = e.dir!;
  if (path.dirname(dir) !== '/run/isoprobe-cri' || !fs.existsSync(dir)) return [];
  item.found.push(`containerd of run ${e.run} (${dir})`);
  const bridge = pickNetwork(e.run, []).bridge;
  const left: string[] = [];
  const alive = e.pid !== undefined && e.start !== undefined && procStartTime(e.pid) === e.start;
  let pid: number | null = alive ? e.pid! : null;
  let client: CriClient | null = null;
  try {
    if (alive) {
      client = new CriClient(`unix://${layout(dir).socket}`);
    } else if (fs.existsSync(layout(dir).config)) {
      // The pause image's name is in its config: the restarted daemon needs the same.
      const pause = /sandbox_image = "([^"]+)"/.exec(fs.readFileSync(layout(dir).config, 'utf8'))?.[1] ?? '';
      const c = await startContainerd(dir, pause, pickNetwork(e.run, []), false);
      client = c.client;
      pid = c.pid;
    }
    if (client) {
      const r = await removeRunSandboxes(client, e.run);
      item.found.push(...r.found.map((id) => `pod sandbox ${id}`));
      left.push(...r.remaining);
    }
  } catch (err) {
    left.push(`containerd of run ${e.run}: ${(err as Error).message}`);
  } finally {
    client?.close();
  }
  if (pid) await stopContainerd(pid);
  left.push(...(await teardown({ dir, pid: null, bridge })));
  return left;
}
