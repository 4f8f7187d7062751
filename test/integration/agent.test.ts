/**
 * The sandbox profile end to end (docs/sandbox-profile.md): bwrap binding the host's / read-only
 * with one writable workspace, the decoys' /var/tmp and the host's /run hidden, the environment
 * cleared and no network passes every agent check; each control of BWRAP_SANDBOX_WEAKENINGS (the
 * same line with one thing given back) fails exactly the checks that name it, where they pass on
 * the line, and leaves every other check as on the line. Nothing of the decoys stays behind.
 */
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { BWRAP_SANDBOX_LINE } from '../../checks/controls.js';
import { runSuite } from '../../engine/run.js';
import { scanLeftovers } from '../../host/leftovers.js';
import { findBinary } from '../../host/which.js';
import type { RunResults, TargetResult } from '../../model/results.js';
import { weakeningLabel, type Weakening } from '../../model/weakening.js';
import { BWRAP_SANDBOX_WEAKENINGS } from '../../targets/bwrap/weakenings.js';
import { DRIVERS, parseTargetConfig } from '../../targets/registry.js';
import { checksFlippedBy, expectedBeside } from './negative-controls.js';

const LINE = { name: 'bwrap-sandbox', runtime: 'bwrap', ...BWRAP_SANDBOX_LINE };
const nameOf = (w: Weakening) => `bwrap-${w.note}`;
const TARGETS = parseTargetConfig(
  { targets: [LINE, ...BWRAP_SANDBOX_WEAKENINGS.map((w) => ({ name: nameOf(w), runtime: 'bwrap', ...w.settings }))] },
  'agent.test.ts',
);
const AGENT = CATALOGUE.filter((c) => c.area === 'agent').map((c) => c.id);

function statuses(t: TargetResult): Record<string, string> {
  return Object.fromEntries(t.checks.map((c) => [c.id, c.status]));
}

/** The checks naming the control, and those naming the built-in weakening with its shared namespaces. */
function named(w: Weakening): string[] {
  const share = (w.settings.share as string[] | undefined) ?? [];
  return [
    ...new Set([
      ...checksFlippedBy(w, CATALOGUE, 'sandbox'),
      ...share.flatMap((ns) => checksFlippedBy({ kind: 'builtin', settings: { share: [ns] } }, CATALOGUE, 'sandbox')),
    ]),
  ];
}

describe('the sandbox profile (agent checks) on bwrap, end to end', function () {
  this.timeout(300_000);
  let results: RunResults;
  let already: ReturnType<typeof scanLeftovers>;
  const byName = (name: string) => results.targets.find((t) => t.name === name)!;

  before(async () => {
    if (!findBinary('bwrap')) throw new Error('bwrap is not installed; run the tests with "npm test", which installs it');
    already = scanLeftovers();
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: TARGETS, profile: 'sandbox' });
  });

  it('runs every target without a target error, and no agent check errors', () => {
    for (const t of results.targets) {
      expect(t.error, t.name).to.equal(undefined);
      expect(
        t.checks.filter((c) => AGENT.includes(c.id) && c.status === 'error').map((c) => `${c.id}: ${c.reason}`),
        t.name,
      ).to.deep.equal([]);
    }
  });

  it('the sandbox line passes every agent check and every check the profile requires', () => {
    const t = byName(LINE.name);
    for (const c of t.checks) process.stdout.write(`      ${c.status.padEnd(4)} ${c.id}${c.required ? ' (required)' : ''}\n`);
    expect(t.checks.filter((c) => (c.required || AGENT.includes(c.id)) && c.status !== 'pass').map((c) => `${c.id}: ${c.status}`)).to.deep.equal([]);
    expect(t.information?.['agent.mechanisms']).to.match(/seccomp .*no_new_privs 1; user namespace its own; landlock /);
    expect(t.information?.['agent.env-secrets-named']).to.equal('none');
  });

  for (const w of BWRAP_SANDBOX_WEAKENINGS) {
    it(`${weakeningLabel(w)}: fails exactly the checks naming it, the others as on the sandbox line`, () => {
      const ref = statuses(byName(LINE.name));
      const flip = named(w).filter((id) => ref[id] === 'pass');
      expect(
        flip.filter((id) => AGENT.includes(id)),
        'it flips no agent check',
      ).to.not.be.empty;
      const t = byName(nameOf(w));
      const want = Object.fromEntries(
        Object.entries(ref).map(([id, st]) => [id, expectedBeside(CATALOGUE.find((c) => c.id === id)!, st, flip, t.request, byName(LINE.name).request)]),
      );
      process.stdout.write(`      flips: ${flip.join(', ')}\n`);
      expect(statuses(t)).to.deep.equal(want);
    });
  }

  it('leaves no decoy, netns, veth or socket behind', () => {
    // Only the decoys' share of the scan: other runs on this host may be arming their sentinels meanwhile.
    const decoys = (l: ReturnType<typeof scanLeftovers>) => [...l.netns, ...l.ipc.filter((e) => e.includes('isoprobe-decoy'))];
    expect(decoys(scanLeftovers())).to.deep.equal(decoys(already));
  });
});
