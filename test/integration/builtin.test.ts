/**
 * End to end on the built-in runtime: every check passes on the isolated container and, for each
 * weakening, exactly the checks that name it as their negative control fail, the rest pass.
 * Needs root and user namespaces (the project's CI has both).
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { RUN_ROOT } from '../../host/paths.js';
import { runSuite } from '../../engine/run.js';
import type { RunResults, TargetResult } from '../../model/results.js';
import { scanLeftovers } from '../../host/leftovers.js';
import { CATALOGUE } from '../../checks/catalogue.js';
import { weakeningLabel } from '../../model/weakening.js';
import { DRIVERS } from '../../targets/registry.js';
import {
  checksFlippedBy,
  DECOY_CHECKS,
  documentedSkip,
  evidenceTakenBy,
  isConformance,
  ISOLATED,
  NOT_ON_BUILTIN,
  notAsked,
  notRequestedSkip,
  SANDBOX_CHECKS,
  VARIANTS,
} from './negative-controls.js';

/** A documented skip of a check the built-in runtime cannot be asked for reads "documented skip"; its reason is printed. */
function statuses(t: TargetResult): Record<string, string> {
  return Object.fromEntries(
    t.checks.map((c) => [
      c.id,
      documentedSkip(c) ? 'documented skip' : (notRequestedSkip(c) ?? (c.status === 'fail' || c.status === 'pass' ? c.status : `${c.status}: ${c.reason}`)),
    ]),
  );
}

/**
 * What a built-in target must show for a check: its documented skip; for a conformance check of
 * settings its request does not name, and for a decoy check outside the sandbox profile, "not
 * requested"; else the status asked for.
 */
function want(t: TargetResult, status: (id: string) => 'pass' | 'fail', taken: readonly string[] = []): Record<string, string> {
  return Object.fromEntries(
    CATALOGUE.map((c) => [
      c.id,
      c.id in NOT_ON_BUILTIN || SANDBOX_CHECKS.has(c.id) || taken.includes(c.id)
        ? 'documented skip'
        : notAsked(c, t.request) || DECOY_CHECKS.has(c.id)
          ? 'not requested'
          : status(c.id),
    ]),
  );
}

describe('built-in runtime, end to end', function () {
  this.timeout(120_000);
  let results: RunResults;
  // What other tools on this machine hold (e.g. the Vagrant gate's network namespace) is not ours.
  let already: ReturnType<typeof scanLeftovers>;

  before(async () => {
    already = scanLeftovers();
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: [ISOLATED, ...VARIANTS.map((v) => v.target)], profile: 'strict' });
  });

  it('every check has a built-in negative control exercised here, except the few it cannot be asked for (Docker controls)', () => {
    const flipped = new Set(VARIANTS.flatMap((v) => checksFlippedBy(v.weakening, CATALOGUE)));
    // The conformance checks' controls are lossy OCI runtimes, run by conformance.test.ts; the sandbox checks' are runsc's, run by gvisor.test.ts;
    // the decoy checks' are judged under the sandbox profile, by agent.test.ts.
    const own = CATALOGUE.filter((c) => !isConformance(c) && !SANDBOX_CHECKS.has(c.id) && !DECOY_CHECKS.has(c.id));
    expect(own.map((c) => c.id).filter((id) => !flipped.has(id) && !(id in NOT_ON_BUILTIN))).to.deep.equal([]);
    for (const id of Object.keys(NOT_ON_BUILTIN)) {
      const c = CATALOGUE.find((x) => x.id === id);
      expect(c, `${id} is not in the catalogue`).to.not.equal(undefined);
      expect(
        c!.negativeControls.some((w) => w.kind === 'docker'),
        `${id} names no Docker control`,
      ).to.equal(true);
      expect(flipped.has(id), `${id} has a built-in control now: remove it from NOT_ON_BUILTIN`).to.equal(false);
    }
  });

  it('ran every target', () => {
    for (const t of results.targets) expect(t.error, `${t.name}: ${t.error}`).to.equal(undefined);
    expect(results.targets).to.have.length(1 + VARIANTS.length);
  });

  it('passes every check of every area on the isolated container', () => {
    const isolated = results.targets.find((t) => t.name === ISOLATED.name)!;
    expect(statuses(isolated)).to.deep.equal(want(isolated, () => 'pass'));
    for (const c of isolated.checks.filter(documentedSkip)) process.stdout.write(`    ${c.id} skipped (${c.requirement}): ${c.reason}\n`);
  });

  for (const v of VARIANTS) {
    it(`${weakeningLabel(v.weakening)}: exactly the checks naming it fail, the others pass`, () => {
      const flipped = checksFlippedBy(v.weakening, CATALOGUE);
      expect(flipped, `no check names "${weakeningLabel(v.weakening)}" as its negative control`).to.not.be.empty;
      const t = results.targets.find((x) => x.name === v.target.name)!;
      const taken = evidenceTakenBy(v.weakening);
      const got = statuses(t);
      for (const id of taken) if (t.checks.find((c) => c.id === id)?.requirement === 'evidence') got[id] = 'documented skip';
      expect(got).to.deep.equal(want(t, (id) => (flipped.includes(id) ? 'fail' : 'pass'), taken));
    });
  }

  it('leaves no mount, cgroup, process, IPC object or run directory behind', () => {
    expect(scanLeftovers()).to.deep.equal(already);
    expect(fs.existsSync(RUN_ROOT), `${RUN_ROOT} still exists`).to.equal(false);
  });
});
