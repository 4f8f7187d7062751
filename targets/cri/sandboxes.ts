/**
 * Removing what a run made in a CRI runtime: every pod sandbox labelled with its id (RemovePodSandbox
 * removes its containers too, and containerd its network namespace and CNI attachment). Used by
 * the run's cleanup and by the reaper of a killed run.
 */
import type { CriClient } from './client.js';

export async function removeSandbox(client: CriClient, id: string): Promise<void> {
  await client.stopPodSandbox(id).catch((e: { notFound?: boolean }) => {
    if (!e.notFound) throw e;
  });
  await client.removePodSandbox(id).catch((e: { notFound?: boolean }) => {
    if (!e.notFound) throw e;
  });
}

/** The ids found, and one line for each that could not be removed. */
export async function removeRunSandboxes(client: CriClient, run: string): Promise<{ found: string[]; remaining: string[] }> {
  const found = (await client.listPodSandbox({ 'isoprobe.run': run })).map((s) => s.id);
  const remaining: string[] = [];
  for (const id of found) await removeSandbox(client, id).catch((e: Error) => remaining.push(`pod sandbox ${id}: ${e.message}`));
  return { found, remaining };
}
