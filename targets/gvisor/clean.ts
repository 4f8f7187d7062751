/**
 * gVisor's share of the reaper (model/driver.ts CleanContext): the runsc containers dead runs'
 * journals list, in isoprobe's own state root (`runsc --root`, so no other runsc user's container
 * is ever listed), removed with `runsc delete --force`, and the cgroups of one killed mid-create
 * removed by path. An id carries its run's id, so a live run's containers are never named here.
 */
import type { CleanItem } from '../../model/clean-report.js';
import type { Resource } from '../../model/journal.js';
import { findBinary } from '../../host/which.js';
import { removeCgroupPath } from '../common/oci-cgroups.js';
import { deleteContainer, listContainers } from '../common/oci-runtime-cli.js';

type GvisorEntry = Extract<Resource, { kind: 'gvisor' }>;

export async function cleanGvisor(entries: Resource[], keep: (e: Resource) => void): Promise<CleanItem[]> {
  const mine = entries.filter((e): e is GvisorEntry => e.kind === 'gvisor');
  const groups = new Map<string, GvisorEntry[]>();
  for (const e of mine) groups.set(`${e.binary}\0${e.root}`, [...(groups.get(`${e.binary}\0${e.root}`) ?? []), e]);
  const items: CleanItem[] = [];
  for (const group of groups.values()) items.push(await cleanRoot(group, keep));
  return items;
}

async function cleanRoot(mine: GvisorEntry[], keep: (e: Resource) => void): Promise<CleanItem> {
  const { binary, root } = mine[0];
  const kind = `runsc sandboxes (${root})`;
  const global = ['--root', root];
  if (!findBinary(binary)) {
    for (const e of mine) keep(e);
    return { kind, found: [], remaining: [], unchecked: `${binary} is not installed` };
  }
  let known: Set<string>;
  try {
    known = new Set(listContainers(binary, global));
  } catch (e) {
    for (const m of mine) keep(m);
    return { kind, found: [], remaining: [`${binary} list: ${(e as Error).message}`] };
  }
  const found = mine.filter((e) => known.has(e.id));
  for (const e of found) deleteContainer(binary, e.id, global);
  for (const e of mine) await removeCgroupPath(e.cgroupsPath);
  let still: Set<string>;
  try {
    still = new Set(listContainers(binary, global));
  } catch (e) {
    for (const m of found) keep(m);
    return { kind, found: found.map((f) => f.id), remaining: found.map((f) => `${f.id}: ${binary} list afterwards: ${(e as Error).message}`) };
  }
  const left = found.filter((f) => still.has(f.id));
  for (const l of left) keep(l);
  return { kind, found: found.map((f) => f.id), remaining: left.map((f) => `${f.id}: still listed after "${binary} delete --force"`) };
}
