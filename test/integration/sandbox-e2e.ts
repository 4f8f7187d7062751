/**
 * What the sandboxes' end-to-end tests (bwrap, firejail, nspawn, LXC, command) share: the verdicts
 * of a target, a weakened target judged against its reference (exactly the checks to flip fail,
 * the others as there: negative-controls.ts expectedBeside), the tool each needs, the next run
 * after a SIGKILLed one reaping it, and bounded waits.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { REPO_ROOT } from '../../host/paths.js';
import { pidAlive } from '../../host/process.js';
import { liveRuns, lockDeadRuns, releaseDeadRuns } from '../../host/reap.js';
import { findBinary } from '../../host/which.js';
import type { Resource } from '../../model/journal.js';
import type { TargetResult } from '../../model/results.js';
import { expectedBeside } from './negative-controls.js';

export const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');
/** Other suites' runs on the machine may hold the reaper off: the next run is tried this often, this far apart. */
export const NEXT_RUN_ATTEMPTS = 20;
export const NEXT_RUN_PAUSE_MS = 3000;

/** The checks of cgroup limits and time offsets: what most sandboxes cannot be asked for (a target-feature skip there). */
export const LIMIT_AND_OFFSET_CHECKS = ['time.offsets-applied', 'cgroup.limits-set', 'cgroup.pids-enforced', 'cgroup.memory-enforced', 'cgroup.cpu-enforced'];

export function statuses(t: TargetResult): Record<string, string> {
  return Object.fromEntries(t.checks.map((c) => [c.id, c.status]));
}

/** The target's error and its checks' errors, each with its reason. */
export function errors(t: TargetResult): string[] {
  return [...(t.error ? [t.error] : []), ...t.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.reason}`)];
}

/** On `weakened`, exactly the checks in `flip` fail and every other check is as on `reference` (expectedBeside). */
export function expectFlippedExactly(reference: TargetResult, weakened: TargetResult, flip: readonly string[]): void {
  const want = Object.fromEntries(
    Object.entries(statuses(reference)).map(([id, st]) => [
      id,
      expectedBeside(CATALOGUE.find((c) => c.id === id)!, st, flip, weakened.request, reference.request),
    ]),
  );
  expect(statuses(weakened)).to.deep.equal(want);
}

/**
 * The sandbox's binary is installed (npm test installs it: scripts/docker-up.sh); where the
 * test script could not provide its packages it says why and the suite skips, else a missing one fails.
 */
export function requireTool(ctx: Mocha.Context, binary: string, what: string): void {
  if (findBinary(binary)) return;
  const why = process.env.ISOPROBE_DOCKER_UNAVAILABLE;
  if (why) {
    process.stdout.write(`    skipped: ${what} not installed; ${why}\n`);
    ctx.skip();
  }
  throw new Error(`${what} is not installed; run the tests with "npm test", which installs it`);
}

/** The dead runs' journal entries of one kind (the runs' locks are taken and released, as the reaper does). */
export function deadEntries<K extends Resource['kind']>(kind: K): Extract<Resource, { kind: K }>[] {
  const runs = lockDeadRuns();
  releaseDeadRuns(runs);
  return runs.flatMap((r) => r.entries.filter((e): e is Extract<Resource, { kind: K }> => e.kind === kind));
}

/**
 * A run after a SIGKILLed one reaps what it left ("removed what an earlier, killed run left
 * behind"), tried while no other run is live (bounded); false when other runs stayed live throughout.
 */
export async function nextRunReaps(runtime: string, outDir: string): Promise<boolean> {
  for (let i = 0; i < NEXT_RUN_ATTEMPTS; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, NEXT_RUN_PAUSE_MS));
    if (liveRuns().length > 0) continue;
    const next = spawnSync(process.execPath, [CLI, 'run', '--runtime', runtime, '--grep', 'pid.own-ns', '--out', path.join(outDir, 'next')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(next.status, next.stderr).to.equal(0);
    if (next.stderr.includes('removed what an earlier, killed run left behind')) return true;
  }
  process.stdout.write(`    skipped: other isoprobe runs stayed live for ${NEXT_RUN_ATTEMPTS} attempts (${liveRuns().join(', ')})\n`);
  return false;
}

export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return cond();
}

/** A pid that was just used and is now free: the owner of a "killed run". */
export function deadPid(): number {
  const r = spawnSync('true');
  expect(pidAlive(r.pid!), `pid ${r.pid} is alive again`).to.equal(false);
  return r.pid!;
}
