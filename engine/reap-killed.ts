/**
 * The start of every run removes what killed runs left, by their journals (host/reap.ts): only
 * dead runs' entries, each checked to still be what was recorded, so a run going beside this one
 * keeps everything of its own. The drivers remove their containers; shared things (images) stay.
 */
import type { TargetDriver } from '../model/driver.js';
import { reapDeadRuns } from '../host/reap.js';

export async function reapKilledRuns(drivers: readonly TargetDriver[]): Promise<void> {
  const { items } = await reapDeadRuns(drivers, { shared: false, inUse: () => 'a run is going', onlyWithEntries: true });
  const what = items
    .filter((i) => i.kind !== 'run journals' && i.found.length > 0)
    .map((i) => `${i.found.length - i.remaining.length} ${i.kind}`)
    .join(', ');
  if (what) process.stderr.write(`isoprobe: removed what an earlier, killed run left behind (${what})\n`);
  const left = items.flatMap((i) => i.remaining);
  if (left.length > 0) process.stderr.write(`isoprobe: could not remove what a killed run left (run "isoprobe clean"): ${left.join('; ')}\n`);
}
