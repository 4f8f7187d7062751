/**
 * Containers a killed run left with an OCI runtime. Ids are isoprobe-<owner pid>-<seq>-<target>:
 * only those whose owner is dead are removed, so a run beside ours keeps its containers.
 */
import type { CleanItem } from '../../model/clean-report.js';
import { pidAlive } from '../../host/process.js';
import { deleteContainer, listContainers } from './runtime-cli.js';

const ID = /^isoprobe-(\d+)-\d+-/;

export function staleIds(ids: string[], isAlive: (pid: number) => boolean): string[] {
  return ids.filter((id) => {
    const owner = Number(ID.exec(id)?.[1]);
    return Number.isInteger(owner) && owner !== process.pid && !isAlive(owner);
  });
}

/** Before a target starts: best effort (a runtime that cannot list has nothing we could delete). */
export function reapStaleContainers(binary: string): string[] {
  let ids: string[];
  try {
    ids = listContainers(binary);
  } catch {
    return [];
  }
  const stale = staleIds(ids, pidAlive);
  for (const id of stale) deleteContainer(binary, id);
  return stale;
}

/** `isoprobe clean`: the stale containers, then a second look for what `delete -f` left. */
export function cleanStaleContainers(binary: string): CleanItem {
  const kind = `${binary} containers`;
  let stale: string[];
  try {
    stale = staleIds(listContainers(binary), pidAlive);
  } catch (e) {
    return { kind, found: [], remaining: [`${binary} list: ${(e as Error).message}`] };
  }
  for (const id of stale) deleteContainer(binary, id);
  let still: Set<string>;
  try {
    still = new Set(listContainers(binary));
  } catch (e) {
    return { kind, found: stale, remaining: stale.map((id) => `${id}: ${binary} list afterwards: ${(e as Error).message}`) };
  }
  return { kind, found: stale, remaining: stale.filter((id) => still.has(id)).map((id) => `${id}: still listed after "${binary} delete -f"`) };
}
