/**
 * The conformance area end to end: the built-in runtime and runc are asked for their settings and
 * deliver them (runc all but the time namespace it refuses), and each lossy runtime
 * (test/support/lossy-runtime/: runc with one setting removed from config.json, the request
 * unchanged) fails exactly the conformance check that names it, on the setting it dropped.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { runSuite } from '../../engine/run.js';
import { findBinary } from '../../host/which.js';
import type { RunResults, TargetResult } from '../../model/results.js';
import { weakeningLabel, type Weakening } from '../../model/weakening.js';
import { weakenings as ociWeakenings } from '../../targets/oci/weakenings.js';
import { DRIVERS, parseTargetConfig, type TargetConfig } from '../../targets/registry.js';
import { checksFlippedBy, ISOLATED, notAsked } from './negative-controls.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CONFORMANCE = CATALOGUE.filter((c) => c.area === 'conformance');
const LOSSY = ociWeakenings.filter((w) => typeof w.settings.binary === 'string');
/** The setting a lossy weakening drops: its annotation. */
const dropped = (w: Weakening) => (w.settings.specPatch as { annotations: Record<string, string> }).annotations['isoprobe.drop'] ?? '';
const nameOf = (w: Weakening) =>
  `lossy-${dropped(w)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')}`;

const RUNC = { name: 'runc', runtime: 'oci', binary: 'runc' };
/** The wrapper's path is relative to the repository (targets/oci/weakenings.ts); the runtime is spawned from anywhere. */
const TARGETS: TargetConfig[] = parseTargetConfig(
  {
    targets: [ISOLATED, RUNC, ...LOSSY.map((w) => ({ name: nameOf(w), runtime: 'oci', ...w.settings, binary: path.join(ROOT, String(w.settings.binary)) }))],
  },
  'test/integration/conformance.test.ts',
);

function conformance(t: TargetResult): Record<string, string> {
  return Object.fromEntries(
    t.checks.filter((c) => c.id.startsWith('conformance.')).map((c) => [c.id, c.status === 'skip' ? `skip ${c.requirement}` : c.status]),
  );
}

/** The items a failed conformance check names (its observed side: {"<key> <part>": observed}). */
function failedItems(t: TargetResult, id: string): string[] {
  const c = t.checks.find((x) => x.id === id)!;
  return c.status === 'fail' ? Object.keys((c.observed ?? {}) as Record<string, string>) : [];
}

describe('conformance: requested vs delivered, end to end', function () {
  this.timeout(300_000);
  let results: RunResults;
  const byName = (name: string) => results.targets.find((t) => t.name === name)!;

  before(async () => {
    if (!findBinary('runc')) throw new Error('runc is not installed; run the tests with "npm test", which installs it');
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: TARGETS, profile: 'strict' });
  });

  it('runs every target, and every conformance check, without an error', () => {
    for (const t of results.targets) {
      const errors = t.checks.filter((c) => c.id.startsWith('conformance.') && c.status === 'error').map((c) => `${c.id}: ${c.reason}`);
      expect([t.error, ...errors].filter(Boolean), t.name).to.deep.equal([]);
    }
  });

  it('the built-in runtime delivers everything it is asked for; what it is not asked for skips not-requested', () => {
    const t = byName(ISOLATED.name);
    const want = Object.fromEntries(CONFORMANCE.map((c) => [c.id, notAsked(c, t.request) ? 'skip not-requested' : 'pass']));
    expect(conformance(t)).to.deep.equal(want);
    expect(want['conformance.namespaces']).to.equal('pass');
  });

  it('runc delivers everything but the time namespace it refuses (when it does), named with its message', () => {
    const t = byName('runc');
    const refused = t.info.timeNamespace !== undefined;
    const fails = refused ? ['conformance.namespaces', 'conformance.time-offsets'] : [];
    const want = Object.fromEntries(CONFORMANCE.map((c) => [c.id, notAsked(c, t.request) ? 'skip not-requested' : fails.includes(c.id) ? 'fail' : 'pass']));
    expect(conformance(t)).to.deep.equal(want);
    if (refused) {
      expect(failedItems(t, 'conformance.namespaces')).to.deep.equal(['ns.time']);
      expect(failedItems(t, 'conformance.time-offsets')).to.deep.equal(['timeOffsets monotonic', 'timeOffsets boottime']);
    }
  });

  it('every conformance check names a lossy-runtime control run here', () => {
    const run = new Set(LOSSY.flatMap((w) => checksFlippedBy(w, CATALOGUE)));
    expect(CONFORMANCE.map((c) => c.id).filter((id) => !run.has(id))).to.deep.equal(['conformance.time-offsets']);
  });

  for (const w of LOSSY) {
    it(`${weakeningLabel(w)}: the check naming it fails on ${dropped(w)}, which runc delivers; the other conformance checks as on runc`, () => {
      const flip = checksFlippedBy(w, CATALOGUE);
      expect(flip, `no check names ${weakeningLabel(w)}`).to.have.length(1);
      const [id] = flip;
      const t = byName(nameOf(w));
      // The request still says it was asked: the lossy runtime changed the bundle, not the request.
      const key = dropped(w) as keyof NonNullable<TargetResult['request']>;
      expect(t.request?.[key], `${key} in the request`).to.not.equal(undefined);
      const onRunc = failedItems(byName('runc'), id!);
      const items = failedItems(t, id!).filter((i) => !onRunc.includes(i));
      expect(items.length, `${id} fails on ${t.name} beyond what fails on runc`).to.be.above(0);
      expect(
        items.every((i) => i === key || i.startsWith(`${key} `)),
        `${id} fails on ${items.join(', ')}`,
      ).to.equal(true);
      expect(
        onRunc.filter((i) => i === key || i.startsWith(`${key} `)),
        `runc delivers ${key}`,
      ).to.deep.equal([]);
      const ref = conformance(byName('runc'));
      const want = Object.fromEntries(Object.entries(ref).map(([c, st]) => [c, c === id ? 'fail' : st]));
      // A setting only the weakening asks for (groups, a sysctl): on runc its check is not asked, here it is.
      const got = conformance(t);
      if (ref[id!] === 'skip not-requested') want[id!] = 'fail';
      expect(got).to.deep.equal(want);
    });
  }
});
