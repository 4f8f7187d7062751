/**
 * `isoprobe clean`: removes what killed runs left behind, and the probe image. It orchestrates;
 * each kind of target removes its own things through its driver's clean() (Docker its containers
 * and images, OCI runtimes their containers), then the host sweep the built-in runtime's
 * processes, mounts, cgroups, IPC objects and every run directory with its bundles (host/reap.ts).
 * The drivers go first: the host's sweep would otherwise kill their containers' processes and
 * cgroups from under the runtime, leaving its state behind.
 *
 * One line per kind of thing on stdout. Exit codes: 0 everything found was removed (a runtime
 * that is not installed, or a Docker daemon that does not answer, is said in its line and is no
 * failure: nothing of ours runs there, and a daemon's stored images wait for the next clean);
 * 1 something could not be removed; 2 refused, a run is still going (its containers and the
 * image it uses must stay).
 */
import type { CleanItem } from '../model/clean-report.js';
import { cleanLine } from '../model/clean-report.js';
import type { CleanContext } from '../model/driver.js';
import { cleanHost, liveRuns } from '../host/reap.js';
import { EXIT } from '../model/results.js';
import { DRIVERS } from '../targets/registry.js';

export interface CleanDeps {
  liveRuns(): number[];
  /** Each kind's share, in registry order (model/driver.ts TargetDriver.clean). */
  drivers: readonly { kind: string; clean(ctx: CleanContext): Promise<CleanItem[]> }[];
  host(): CleanItem[];
  out(line: string): void;
  err(line: string): void;
}

export async function runClean(deps: CleanDeps): Promise<number> {
  const live = deps.liveRuns();
  if (live.length > 0) {
    deps.err(`isoprobe clean: runs ${live.join(', ')} are still going; stop them first`);
    return EXIT.usage;
  }
  const ctx: CleanContext = {
    inUse: () => {
      const now = deps.liveRuns();
      return now.length > 0 ? `run${now.length > 1 ? 's' : ''} ${now.join(', ')} started meanwhile and may use ${now.length > 1 ? 'them' : 'it'}` : null;
    },
  };
  const items: CleanItem[] = [];
  for (const d of deps.drivers) items.push(...(await d.clean(ctx)));
  items.push(...deps.host());
  for (const item of items) deps.out(`isoprobe clean: ${cleanLine(item)}`);
  const left = items.reduce((n, i) => n + i.remaining.length, 0);
  if (left > 0) {
    deps.err(`isoprobe clean: ${left} thing${left > 1 ? 's' : ''} could not be removed (see above)`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

export function cleanCommand(): Promise<number> {
  return runClean({
    liveRuns,
    drivers: DRIVERS,
    host: cleanHost,
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  });
}
