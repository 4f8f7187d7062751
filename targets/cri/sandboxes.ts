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

/** A container a killed run was starting stays "starting" until the runtime finishes: bounded retries. */
const RETRY_MS = 15_000;
const RETRY_PAUSE_MS = 250;

/** The ids found, and one line for each that could not be removed. */
export async function removeRunSandboxes(client: CriClient, run: string): Promise<{ found: string[]; remaining: string[] }> {
  const found = (await client.listPodSandbox({ 'isoprobe.run': run })).map((s) => s.id);
  const remaining: string[] = [];
  for (const id of found) {
    for (const end = Date.now() + RETRY_MS; ; await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS))) {
      const failed = await removeSandbox(client, id).then(
        () => null,
        (e: Error) => e.message,
      );
      if (!failed) break;
      if (Date.now() > end || !/starting state|in use|try again/i.test(failed)) {
        remaining.push(`pod sandbox ${id}: ${failed}`);
        break;
      }
    }
  }
  return { found, remaining };
}
