/**
 * The OCI runtimes end to end: runc with the project's config.json and with one weakening per
 * namespace (dropped by a spec patch, or shared through the spec where the mounts must follow),
 * capability, seccomp, no_new_privs and limit setting. A weakening is the same as the built-in
 * runtime's of that name, so it must flip exactly the checks that name "builtin <weakening>".
 * crun runs beside it: on a host it refuses, its refusal is the target's error, in its words.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { scanLeftovers } from '../../host/leftovers.js';
import type { RunResults, TargetResult } from '../../model/results.js';
import { runSuite } from '../../engine/run.js';
import { findBinary } from '../../host/which.js';
import type { OciTargetConfig } from '../../targets/oci/driver.js';
import { DRIVERS } from '../../targets/registry.js';
import { CATALOGUE } from '../../checks/catalogue.js';
import { interruptedRun, runDirsOf } from './interrupted-run.js';
import { checksFlippedBy, documentedSkip } from './negative-controls.js';

const OCI_NS = ['pid', 'mount', 'network', 'uts', 'ipc', 'user', 'cgroup'];

function runc(name: string, extra: Partial<OciTargetConfig> = {}): OciTargetConfig {
  return { name, runtime: 'oci', binary: 'runc', share: [], rootChange: 'pivot_root', caps: 'default', limits: 'default', ...extra };
}

/** A spec patch that replaces linux.namespaces with all but `ns` (the time namespace runc 1.1 refuses anyway). */
function dropNamespace(ns: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return { linux: { namespaces: OCI_NS.filter((n) => n !== ns).map((type) => ({ type })), ...more } };
}

const RUNC = runc('runc');
const CRUN: OciTargetConfig = { ...runc('crun'), binary: 'crun' };

/**
 * Spec patches for uts, cgroup and user (with what belongs to them: the hostname, the id maps);
 * `share` for pid, net and ipc, whose proc, sysfs and mqueue mounts a new user namespace cannot
 * make for the host's namespaces (the translator binds the host's instead; a patch would have to
 * rewrite the mount list).
 */
const WEAKENINGS: { label: string; target: OciTargetConfig }[] = [
  { label: 'builtin share=pid', target: runc('runc-share-pid', { share: ['pid'] }) },
  { label: 'builtin share=net', target: runc('runc-share-net', { share: ['net'] }) },
  { label: 'builtin share=ipc', target: runc('runc-share-ipc', { share: ['ipc'] }) },
  { label: 'builtin share=uts', target: runc('runc-patch-no-uts', { specPatch: { ...dropNamespace('uts'), hostname: null } }) },
  { label: 'builtin share=cgroup', target: runc('runc-patch-no-cgroup', { specPatch: dropNamespace('cgroup') }) },
  { label: 'builtin share=user', target: runc('runc-patch-no-user', { specPatch: dropNamespace('user', { uidMappings: null, gidMappings: null }) }) },
  { label: 'builtin caps=all', target: runc('runc-caps-all', { caps: 'all' }) },
  { label: 'builtin seccomp=none', target: runc('runc-no-seccomp', { seccomp: 'none' }) },
  { label: 'builtin no-new-privs=off', target: runc('runc-no-nnp', { noNewPrivs: false }) },
  { label: 'builtin limits=none', target: runc('runc-no-limits', { limits: 'none' }) },
];

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
    // The bundle names no LSM profile, as the built-in runtime loads none: the same documented skip.
    const failing = byName('runc').checks.filter((c) => c.status !== 'pass' && !documentedSkip(c)).map((c) => c.id);
    const info = byName('runc').info;
    if (info.timeNamespace) {
      expect(info.timeNamespace).to.match(/^refused by runc, containers run without one: .*time/);
      expect(failing).to.deep.equal(['time.own-ns', 'time.offsets-applied']);
    } else {
      expect(failing).to.deep.equal([]);
    }
  });

  it('crun runs, or its refusal is the target\'s error in crun\'s own words (this VM: hybrid cgroups)', () => {
    const crun = byName('crun');
    if (crun.error === undefined) return;
    expect(crun.error).to.match(/^crun: crun refused the container \(exit \d+\): \S/);
    expect(crun.info.refusal).to.equal(crun.error.slice('crun: '.length));
    if (results.environment.cgroupMode === 'hybrid') expect(crun.error).to.match(/hybrid/);
  });

  for (const w of WEAKENINGS) {
    it(`${w.target.name}: exactly the checks naming "${w.label}" fail, the others as on runc`, () => {
      const flip = checksFlippedBy(w.label, CATALOGUE);
      expect(flip, `no check names "${w.label}"`).to.not.be.empty;
      const ref = statuses(byName('runc'));
      expect(flip.filter((id) => ref[id] !== 'pass'), 'must pass on runc').to.deep.equal([]);
      const want = Object.fromEntries(Object.entries(ref).map(([id, st]) => [id, flip.includes(id) ? 'fail' : st]));
      expect(statuses(byName(w.target.name))).to.deep.equal(want);
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
