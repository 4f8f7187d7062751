/**
 * The OCI runtimes end to end: runc with the project's config.json and with one weakening per
 * namespace (dropped by a spec patch, or shared through the spec where the mounts must follow),
 * capability, seccomp, no_new_privs and limit setting (targets/oci/weakenings.ts). Each is the same
 * as one of the built-in runtime's weakenings, so it must flip exactly the checks that name that one.
 * crun runs beside it: on a host it refuses, its refusal is the target's error, in its words.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { scanLeftovers } from '../../host/leftovers.js';
import type { RunResults, TargetResult } from '../../model/results.js';
import { runSuite } from '../../engine/run.js';
import { findBinary } from '../../host/which.js';
import { sameWeakening, weakeningLabel, type Weakening } from '../../model/weakening.js';
import { weakenings as builtinWeakenings } from '../../targets/builtin/weakenings.js';
import { weakenings as ociWeakenings } from '../../targets/oci/weakenings.js';
import type { OciTargetConfig } from '../../targets/oci/driver.js';
import { DRIVERS, parseTargetConfig } from '../../targets/registry.js';
import { CATALOGUE } from '../../checks/catalogue.js';
import { interruptedRun, runDirsOf } from './interrupted-run.js';
import { checksFlippedBy, documentedSkip, expectedBeside, notRequestedSkip } from './negative-controls.js';

function runc(name: string, extra: Partial<OciTargetConfig> = {}): OciTargetConfig {
  return { name, runtime: 'oci', binary: 'runc', share: [], rootChange: 'pivot_root', caps: 'default', limits: 'default', ...extra };
}

const RUNC = runc('runc');
const CRUN: OciTargetConfig = { ...runc('crun'), binary: 'crun' };

/** The built-in weakening an OCI one is the same as: it must flip exactly the checks that name that one. */
function builtinTwin(settings: Record<string, unknown>): Weakening {
  const w = builtinWeakenings.find((x) => sameWeakening(x, { kind: 'builtin', settings }));
  if (!w) throw new Error(`targets/builtin/weakenings.ts does not list ${JSON.stringify(settings)}`);
  return w;
}

/** Each OCI weakening (targets/oci/weakenings.ts, in its order): its target's name and its built-in twin. */
const TWINS: [string, Weakening][] = [
  ['runc-share-pid', builtinTwin({ share: ['pid'] })],
  ['runc-share-net', builtinTwin({ share: ['net'] })],
  ['runc-share-ipc', builtinTwin({ share: ['ipc'] })],
  ['runc-patch-no-uts', builtinTwin({ share: ['uts'] })],
  ['runc-patch-no-cgroup', builtinTwin({ share: ['cgroup'] })],
  ['runc-patch-no-user', builtinTwin({ share: ['user'] })],
  ['runc-caps-all', builtinTwin({ caps: 'all' })],
  ['runc-no-seccomp', builtinTwin({ seccomp: 'none' })],
  ['runc-no-nnp', builtinTwin({ noNewPrivs: false })],
  ['runc-no-limits', builtinTwin({ limits: 'none' })],
  ['runc-join-sibling-pid', builtinTwin({ joinSibling: ['pid'] })],
  ['runc-join-sibling-ipc', builtinTwin({ joinSibling: ['ipc'] })],
  ['runc-join-sibling-net', builtinTwin({ joinSibling: ['net'] })],
  ['runc-join-sibling-uts', builtinTwin({ joinSibling: ['uts'] })],
];

/** The lossy-runtime weakenings (a `binary` of their own) are the conformance controls: conformance.test.ts runs them. */
const TWINNED = ociWeakenings.filter((w) => w.settings.binary === undefined);
const WEAKENINGS = parseTargetConfig(
  { targets: TWINNED.map((w, i) => runc(TWINS[i][0], w.settings as Partial<OciTargetConfig>)) },
  'targets/oci/weakenings.ts',
).map((target, i) => ({ twin: TWINS[i][1], target, weakening: TWINNED[i] }));

function statuses(t: TargetResult): Record<string, string> {
  return Object.fromEntries(t.checks.map((c) => [c.id, c.status]));
}

/** A run's containers (ids isoprobe-<pid>-...): other runs on the machine may be using runc too. */
function ociContainers(binary: string, owner: number): string[] {
  const r = spawnSync(binary, ['list', '-q'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').filter((id) => id.startsWith(`isoprobe-${owner}-`));
}

/** A run's OCI cgroups (cgroupsPath /isoprobe-<pid>-...). */
function ociCgroups(owner: number): string[] {
  return scanLeftovers().cgroups.filter((d) => path.basename(d).startsWith(`isoprobe-${owner}-`));
}

/** runc and crun come with scripts/docker-up.sh: skip only when it could not install them. */
function requireRuntimes(ctx: Mocha.Context): void {
  const missing = ['runc', 'crun'].filter((b) => !findBinary(b));
  if (missing.length === 0) return;
  const why = process.env.ISOPROBE_DOCKER_UNAVAILABLE;
  if (why) {
    process.stdout.write(`    skipped: ${missing.join(', ')} not installed; ${why}\n`);
    ctx.skip();
  }
  throw new Error(`${missing.join(', ')} not installed; run the tests with "npm test", which installs them`);
}

describe('OCI runtimes (runc, crun), end to end', function () {
  this.timeout(300_000);
  let results: RunResults;
  const byName = (name: string) => results.targets.find((t) => t.name === name)!;

  before(async function () {
    requireRuntimes(this);
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: [RUNC, CRUN, ...WEAKENINGS.map((w) => w.target)], profile: 'strict' });
  });

  it('runs runc and every weakening without an error', () => {
    for (const t of results.targets.filter((x) => x.name !== 'crun')) {
      expect([t.error, ...t.checks.filter((c) => c.status === 'error').map((c) => c.reason)].filter(Boolean), t.name).to.deep.equal([]);
    }
  });

  it('passes every check on runc except the time namespace, which runc either makes or is reported refusing', () => {
    // The bundle names no LSM profile, as the built-in runtime loads none: the same documented
    // skip; nor a sysctl: conformance.sysctls has nothing to compare.
    const failing = byName('runc')
      .checks.filter((c) => c.status !== 'pass' && !documentedSkip(c) && !notRequestedSkip(c))
      .map((c) => c.id);
    const info = byName('runc').info;
    if (info.timeNamespace) {
      expect(info.timeNamespace).to.match(/^refused by runc, containers run without one: .*time/);
      expect(failing).to.deep.equal([
        'time.own-ns',
        'time.offsets-applied',
        'conformance.namespaces',
        'conformance.time-offsets',
        'inside.time-ns-not-initial',
      ]);
    } else {
      expect(failing).to.deep.equal([]);
    }
  });

  it("a time namespace runc refused is a conformance failure naming ns.time and runc's own message, and the request still says it was asked", () => {
    const t = byName('runc');
    if (!t.info.timeNamespace) return;
    expect(t.request?.['ns.time']).to.deep.equal({ value: 'new', source: 'isoprobe' });
    const ns = t.checks.find((c) => c.id === 'conformance.namespaces')!;
    expect(Object.keys(ns.observed as Record<string, string>)).to.deep.equal(['ns.time']);
    expect((ns.observed as Record<string, string>)['ns.time']).to.match(/runc refused it and ran without it: .*time/);
    const offsets = t.checks.find((c) => c.id === 'conformance.time-offsets')!;
    expect(JSON.stringify(offsets.observed)).to.match(/timeOffsets monotonic.*runc refused it/);
  });

  it("crun runs, or its refusal is the target's error in crun's own words (this VM: hybrid cgroups)", () => {
    const crun = byName('crun');
    if (crun.error === undefined) return;
    expect(crun.error).to.match(/^crun: crun refused the container \(exit \d+\): \S/);
    expect(crun.info.refusal).to.equal(crun.error.slice('crun: '.length));
    if (results.environment.cgroupMode === 'hybrid') expect(crun.error).to.match(/hybrid/);
  });

  for (const w of WEAKENINGS) {
    it(`${w.target.name} (${weakeningLabel(w.weakening)}): exactly the checks naming "${weakeningLabel(w.twin)}" fail, the others as on runc`, () => {
      const flip = checksFlippedBy(w.twin, CATALOGUE);
      expect(flip, `no check names "${weakeningLabel(w.twin)}"`).to.not.be.empty;
      const ref = statuses(byName('runc'));
      expect(
        flip.filter((id) => ref[id] !== 'pass'),
        'must pass on runc',
      ).to.deep.equal([]);
      const t = byName(w.target.name);
      // A setting the weakening's patch removes (the hostname with the UTS namespace) is asked of nobody: its conformance check skips.
      const want = Object.fromEntries(
        Object.entries(ref).map(([id, st]) => [id, expectedBeside(CATALOGUE.find((c) => c.id === id)!, st, flip, t.request, byName('runc').request)]),
      );
      expect(statuses(t)).to.deep.equal(want);
    });
  }

  it('leaves no container, bundle, cgroup or mount behind', () => {
    expect([...ociContainers('runc', process.pid), ...ociContainers('crun', process.pid)]).to.deep.equal([]);
    // Only what can be told apart from other runs on the machine (theirs may be going on now).
    expect(ociCgroups(process.pid)).to.deep.equal([]);
    expect(scanLeftovers().mounts).to.deep.equal([]);
    expect(runDirsOf(process.pid)).to.deep.equal([]);
  });

  it('Ctrl-C while runc containers run leaves none of them behind', async () => {
    const run = await interruptedRun('runc', (pid) => ociContainers('runc', pid).length > 0);
    expect(run.seen, 'no container was ever seen').to.equal(true);
    expect(run.code, run.stderr).to.equal(130);
    expect(ociContainers('runc', run.pid)).to.deep.equal([]);
    expect(ociCgroups(run.pid)).to.deep.equal([]);
    expect(runDirsOf(run.pid)).to.deep.equal([]);
  });
});
