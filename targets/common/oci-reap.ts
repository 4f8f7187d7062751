/**
 * The OCI runtimes' part of the reaper (model/driver.ts CleanContext): the containers dead runs'
 * journals list (binary, id, cgroups path), deleted with `BINARY delete -f`, and the cgroups a
 * runtime killed mid-create made removed by that path. An id carries its run's id
 * (isoprobe-<pid>-<run id>-<seq>-<target>), so no other run's container has it; a container that
 * no dead run's journal names is never touched, whatever its id.
 */
import type { CleanItem } from '../../model/clean-report.js';
import type { Resource } from '../../model/journal.js';
import { findBinary } from '../../host/which.js';
import { removeCgroupPath } from './oci-cgroups.js';
import { deleteContainer, listContainers } from './oci-runtime-cli.js';

type OciEntry = Extract<Resource, { kind: 'oci' }>;

/** One item per runtime binary: the ids its state still had, then a second look for what `delete -f` left. */
export async function cleanJournalled(binary: string, entries: Resource[], keep: (e: Resource) => void): Promise<CleanItem> {
  const kind = `${binary} containers`;
  const mine = entries.filter((e): e is OciEntry => e.kind === 'oci' && e.binary === binary);
  if (!findBinary(binary)) {
    for (const e of mine) keep(e);
    return { kind, found: [], remaining: [], unchecked: `${binary} is not installed` };
  }
  let known: Set<string>;
  try {
    known = new Set(listContainers(binary));
  } catch (e) {
    for (const m of mine) keep(m);
    return { kind, found: [], remaining: [`${binary} list: ${(e as Error).message}`] };
  }
  const found = mine.filter((e) => known.has(e.id));
  for (const e of found) deleteContainer(binary, e.id);
  // Also for ids the runtime never saved: one killed mid-create made its cgroups, nothing else.
  for (const e of mine) await removeCgroupPath(e.cgroupsPath);
  let still: Set<string>;
  try {
    still = new Set(listContainers(binary));
  } catch (e) {
    for (const m of found) keep(m);
    return { kind, found: found.map((f) => f.id), remaining: found.map((f) => `${f.id}: ${binary} list afterwards: ${(e as Error).message}`) };
  }
  const left = found.filter((f) => still.has(f.id));
  for (const l of left) keep(l);
  return { kind, found: found.map((f) => f.id), remaining: left.map((f) => `${f.id}: still listed after "${binary} delete --force"`) };
}
