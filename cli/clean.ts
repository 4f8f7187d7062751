/** `isoprobe clean`: removes what a killed run left behind (see core/reap.ts). */
import { EXIT } from '../core/results.js';
import { isEmpty, liveRuns, reapLeftovers } from '../core/reap.js';

export async function cleanCommand(): Promise<number> {
  const live = liveRuns();
  if (live.length > 0) {
    process.stderr.write(`isoprobe clean: runs ${live.join(', ')} are still going; stop them first\n`);
    return EXIT.usage;
  }
  const { found, remaining } = reapLeftovers();
  const summary = Object.entries(found).map(([k, v]) => `${v.length} ${k}`).join(', ');
  process.stdout.write(`isoprobe clean: found ${summary}\n`);
  if (!isEmpty(remaining)) {
    process.stderr.write(`isoprobe clean: could not remove: ${Object.values(remaining).flat().join('; ')}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
