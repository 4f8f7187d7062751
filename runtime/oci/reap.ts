/**
 * Containers a killed run left with an OCI runtime. Ids are isoprobe-<owner pid>-<seq>-<target>:
 * only those whose owner is dead are removed, so a run beside ours keeps its containers.
 */
import { deleteContainer, listContainers } from './runtime-cli.js';

const ID = /^isoprobe-(\d+)-\d+-/;

export function staleIds(ids: string[], isAlive: (pid: number) => boolean): string[] {
  return ids.filter((id) => {
    const owner = Number(ID.exec(id)?.[1]);
    return Number.isInteger(owner) && owner !== process.pid && !isAlive(owner);
  });
}

export function reapStaleContainers(binary: string): string[] {
  const stale = staleIds(listContainers(binary), pidAlive);
  for (const id of stale) deleteContainer(binary, id);
  return stale;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
