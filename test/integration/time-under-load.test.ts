/**
 * time.offsets-applied under a CPU hog: both CPUs saturated by busy loops while the built-in
 * target and its share=time weakening run, five times. The host reads its clocks on both sides of
 * the probe's own reading (targets/common/lifecycle.ts), so load widens the window but cannot flip
 * the verdict: it passes on the isolated target and fails on the weakening, every time. Needs root
 * and user namespaces.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { runSuite } from '../../engine/run.js';
import { share } from '../../checks/controls.js';
import { sameWeakening } from '../../model/weakening.js';
import { DRIVERS } from '../../targets/registry.js';
import { ISOLATED, VARIANTS } from './negative-controls.js';

const RUNS = 5;
/** Two busy loops per CPU; each ends by itself after this long should the test die without its after(). */
const HOG_BOUND_SEC = 300;

function startHogs(): ChildProcess[] {
  return Array.from({ length: 2 * os.availableParallelism() }, () =>
    spawn('timeout', [String(HOG_BOUND_SEC), 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' }),
  );
}

async function stopHogs(hogs: ChildProcess[]): Promise<void> {
  await Promise.all(
    hogs.map(async (h) => {
      if (h.exitCode !== null || h.signalCode !== null) return;
      const exited = once(h, 'exit');
      // timeout(1) passes the signal on to the loop it runs.
      h.kill('SIGTERM');
      await exited;
    }),
  );
}

describe('time.offsets-applied under a CPU hog', function () {
  this.timeout(RUNS * 60_000);
  const weakened = VARIANTS.find((v) => sameWeakening(v.weakening, share('time')))!.target;
  let hogs: ChildProcess[] = [];

  before(() => {
    hogs = startHogs();
  });
  after(() => stopHogs(hogs));

  it(`passes on the isolated target and fails on share=time, ${RUNS} runs out of ${RUNS}`, async () => {
    const seen: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: [ISOLATED, weakened], profile: 'strict', grep: 'time.offsets-applied' });
      for (const t of r.targets) {
        const c = t.checks.find((x) => x.id === 'time.offsets-applied');
        seen.push(`${t.name} ${c?.status}${c?.status === 'pass' || c?.status === 'fail' ? '' : `: ${c?.reason ?? t.error}`}`);
      }
      process.stdout.write(
        `    run ${i + 1}: ${r.targets.map((t) => t.checks.find((x) => x.id === 'time.offsets-applied')?.evidence?.split(';')[0]).join(' | ')}\n`,
      );
    }
    expect(
      hogs.every((h) => h.exitCode === null),
      'the hogs ran throughout',
    ).to.equal(true);
    const want = Array.from({ length: RUNS }, () => [`${ISOLATED.name} pass`, `${weakened.name} fail`]).flat();
    expect(seen).to.deep.equal(want);
  });
});
