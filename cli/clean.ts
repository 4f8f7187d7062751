/**
 * `isoprobe clean`: removes what killed runs left behind, by their journals (host/reap.ts): each
 * kind of target removes its journalled things through its driver's clean() (Docker its
 * containers, OCI runtimes theirs, bwrap its sandboxes), then the host's reaper the processes,
 * mounts, cgroups, IPC objects and run directories; Docker's probe images go too (label
 * isoprobe=1). Nothing that no dead run's journal lists is touched, whatever its name.
 *
 * One line per kind of thing on stdout. Exit codes: 0 everything found was removed (a runtime
 * that is not installed, or a Docker daemon that does not answer, is said in its line and is no
 * failure: nothing of ours runs there, and a daemon's stored images wait for the next clean);
 * 1 something could not be removed; 2 refused: not root, RUN_ROOT unusable, or a run is still
 * going (its containers and the image it uses must stay).
 */
import fs from 'node:fs';
import type { CleanItem } from '../model/clean-report.js';
import { cleanLine } from '../model/clean-report.js';
import { RUN_ROOT } from '../host/paths.js';
import { liveRuns, reapDeadRuns, type Reaper, type ReapOptions } from '../host/reap.js';
import { EXIT } from '../model/results.js';
import { DRIVERS } from '../targets/registry.js';

export interface CleanDeps {
  isRoot(): boolean;
  /** Why RUN_ROOT cannot hold journals (a file in its place), or null. */
  runRootProblem(): string | null;
  liveRuns(): number[];
  /** Each kind's share, in registry order (model/driver.ts TargetDriver.clean). */
  drivers: readonly Reaper[];
  reap(drivers: readonly Reaper[], opts: ReapOptions): Promise<{ items: CleanItem[] }>;
  out(line: string): void;
  err(line: string): void;
}

export async function runClean(deps: CleanDeps): Promise<number> {
  if (!deps.isRoot()) {
    deps.err("isoprobe clean: needs root (what runs leave is root's: containers, cgroups, mounts)");
    return EXIT.usage;
  }
  const problem = deps.runRootProblem();
  if (problem) {
    deps.err(`isoprobe clean: ${problem}`);
    return EXIT.usage;
  }
  const live = deps.liveRuns();
  if (live.length > 0) {
    deps.err(`isoprobe clean: runs ${live.join(', ')} are still going; stop them first`);
    return EXIT.usage;
  }
  const inUse = () => {
    const now = deps.liveRuns();
    return now.length > 0 ? `run${now.length > 1 ? 's' : ''} ${now.join(', ')} started meanwhile and may use ${now.length > 1 ? 'them' : 'it'}` : null;
  };
  const { items } = await deps.reap(deps.drivers, { shared: true, inUse });
  for (const item of items) deps.out(`isoprobe clean: ${cleanLine(item)}`);
  const left = items.reduce((n, i) => n + i.remaining.length, 0);
  if (left > 0) {
    deps.err(`isoprobe clean: ${left} thing${left > 1 ? 's' : ''} could not be removed (see above)`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

function runRootProblem(): string | null {
  try {
    if (!fs.statSync(RUN_ROOT).isDirectory()) return `${RUN_ROOT} is not a directory: move it away (isoprobe keeps its run journals there)`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return `cannot look at ${RUN_ROOT}: ${(e as Error).message}`;
  }
  return null;
}

export function cleanCommand(): Promise<number> {
  return runClean({
    isRoot: () => process.getuid?.() === 0,
    runRootProblem,
    liveRuns,
    drivers: DRIVERS,
    reap: reapDeadRuns,
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  });
}
