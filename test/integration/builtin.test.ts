/**
 * End to end on the built-in runtime: every check passes on the isolated container and, for each
 * weakening, exactly the checks that name it as their negative control fail, the rest pass.
 * Needs root and user namespaces (the project's CI has both).
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { RUN_ROOT } from '../../core/paths.js';
import { runSuite } from '../../core/run.js';
import type { RunResults, TargetResult } from '../../core/results.js';
import { scanLeftovers } from '../../core/leftovers.js';
import { CATALOGUE } from '../../suites/catalogue.js';
import { checksFlippedBy, ISOLATED, VARIANTS } from './negative-controls.js';

function statuses(t: TargetResult): Record<string, string> {
  return Object.fromEntries(t.checks.map((c) => [c.id, c.status === 'fail' || c.status === 'pass' ? c.status : `${c.status}: ${c.reason}`]));
}

describe('built-in runtime, end to end', function () {
  this.timeout(120_000);
  let results: RunResults;
  // What other tools on this machine hold (e.g. the Vagrant gate's network namespace) is not ours.
  let already: ReturnType<typeof scanLeftovers>;

  before(async () => {
    already = scanLeftovers();
    results = await runSuite({ targets: [ISOLATED, ...VARIANTS.map((v) => v.target)], profile: 'strict' });
  });

  it('every check has a built-in negative control exercised here', () => {
    const flipped = new Set(VARIANTS.flatMap((v) => checksFlippedBy(v.label, CATALOGUE)));
    expect(CATALOGUE.map((c) => c.id).filter((id) => !flipped.has(id))).to.deep.equal([]);
  });

  it('ran every target', () => {
    for (const t of results.targets) expect(t.error, `${t.name}: ${t.error}`).to.equal(undefined);
    expect(results.targets).to.have.length(1 + VARIANTS.length);
  });

  it('passes every check of every area on the isolated container', () => {
    const isolated = results.targets.find((t) => t.name === ISOLATED.name)!;
    const want = Object.fromEntries(CATALOGUE.map((c) => [c.id, 'pass']));
    expect(statuses(isolated)).to.deep.equal(want);
  });

  for (const v of VARIANTS) {
    it(`${v.label}: exactly the checks naming it fail, the others pass`, () => {
      const flipped = checksFlippedBy(v.label, CATALOGUE);
      expect(flipped, `no check names "${v.label}" as its negative control`).to.not.be.empty;
      const t = results.targets.find((x) => x.name === v.target.name)!;
      const want = Object.fromEntries(CATALOGUE.map((c) => [c.id, flipped.includes(c.id) ? 'fail' : 'pass']));
      expect(statuses(t)).to.deep.equal(want);
    });
  }

  it('leaves no mount, cgroup, process, IPC object or run directory behind', () => {
    expect(scanLeftovers()).to.deep.equal(already);
    expect(fs.existsSync(RUN_ROOT), `${RUN_ROOT} still exists`).to.equal(false);
  });
});
