/**
 * Issue 14's acceptance end to end: each container's real filter, read from the host and judged
 * over the whole syscall table. The built-in runtime's table is its own deny list
 * (targets/builtin/harden.c, targets/common/oci-seccomp.ts); runc with the generated config.json
 * gets exactly the spec's profile; Docker's default profile (20.10.24 here) lets io_uring through
 * and the checks name it. The negative controls: no filter at all; a profile allowing one
 * dangerous call (keyctl, the user's profile file), named alone; a filter of the native ABI only, which fails the ABI
 * check. `isoprobe diff` between the two runc profiles is a regression naming keyctl.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { runSuite } from '../../engine/run.js';
import type { RunResults, TargetResult } from '../../model/results.js';
import { DANGEROUS_NAMES } from '../../model/seccomp/dangerous.js';
import { verdictsByName } from '../../model/seccomp/profile.js';
import type { SeccompResult } from '../../model/seccomp/summary.js';
import { diffResults } from '../../reports/diff.js';
import { DENIED_SYSCALLS, defaultSeccomp } from '../../targets/common/oci-seccomp.js';
import { DRIVERS, parseTargetConfig } from '../../targets/registry.js';
import { requireDaemon } from './requirements.js';

const CHECKS = ['security.seccomp-filter', 'security.dangerous-syscalls-refused', 'security.seccomp-abi', 'conformance.seccomp'];
const GREP = `^(${CHECKS.map((c) => c.replace('.', '\\.')).join('|')})$`;

/** isoprobe's deny list without keyctl: a user's profile that lets one dangerous call through. */
function allowingKeyctl(): Record<string, unknown> {
  const p = defaultSeccomp() as { syscalls: { names: string[] }[] };
  return { ...p, syscalls: p.syscalls.map((r) => ({ ...r, names: r.names.filter((n) => n !== 'keyctl') })) };
}

/** The keyctl-allowing profile as a user's file (`"seccompProfile"`), and the project's deny list as one for Docker. */
const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-seccomp-'));
const KEYCTL_FILE = path.join(DIR, 'keyctl-allowed.json');
const DENY_LIST_FILE = path.join(DIR, 'deny-list.json');
fs.writeFileSync(KEYCTL_FILE, JSON.stringify(allowingKeyctl()));
fs.writeFileSync(DENY_LIST_FILE, JSON.stringify(defaultSeccomp()));

const TARGETS = [
  { name: 'builtin', runtime: 'builtin' },
  { name: 'builtin-native-only', runtime: 'builtin', seccompNativeOnly: true },
  { name: 'runc', runtime: 'oci', binary: 'runc' },
  { name: 'runc-keyctl', runtime: 'oci', binary: 'runc', seccompProfile: KEYCTL_FILE },
  { name: 'runc-unconfined', runtime: 'oci', binary: 'runc', seccomp: 'none' },
];

function target(results: RunResults, name: string): TargetResult {
  const t = results.targets.find((x) => x.name === name);
  if (!t) throw new Error(`no target ${name}`);
  expect(t.error, t.error).to.equal(undefined);
  return t;
}
const check = (t: TargetResult, id: string) => t.checks.find((c) => c.id === id)!;
const statusOf = (t: TargetResult) => Object.fromEntries(CHECKS.map((id) => [id, check(t, id).status]));
function profile(t: TargetResult): Extract<SeccompResult, { abis: unknown }> {
  expect(t.seccomp, JSON.stringify(t.seccomp)).to.have.property('abis');
  return t.seccomp as Extract<SeccompResult, { abis: unknown }>;
}

describe('seccomp judged over the whole syscall table (issue 14)', function () {
  this.timeout(300_000);
  let results: RunResults;

  after(() => fs.rmSync(DIR, { recursive: true, force: true }));

  before(async () => {
    results = await runSuite({
      drivers: DRIVERS,
      catalogue: CATALOGUE,
      targets: parseTargetConfig({ targets: TARGETS }, 'seccomp-profile.test.ts'),
      profile: 'strict',
      grep: GREP,
    });
  });

  it("builtin: the table is the runtime's deny list (EPERM), clone3 ENOSYS, user namespaces refused by flag, i386 and x32 refused whole", () => {
    const t = target(results, 'builtin');
    const p = profile(t);
    const x86 = verdictsByName(p.abis.x86_64);
    const denied = [...x86].filter(([, v]) => v !== 'allow' && v !== 'conditional').map(([n]) => n);
    expect(denied.sort()).to.deep.equal([...DENIED_SYSCALLS, 'clone3'].sort());
    expect(DENIED_SYSCALLS.every((n) => x86.get(n) === 'errno(1)')).to.equal(true);
    expect(x86.get('clone3')).to.equal('errno(38)');
    expect(p.abis.x86_64.conditional.unshare).to.include({ 'flags=CLONE_NEWUSER': 'errno(1)', 'flags=CLONE_NEWNET': 'allow' });
    expect(Object.keys(p.abis.i386.byVerdict)).to.deep.equal(['errno(1)']);
    expect(Object.keys(p.abis.x32.byVerdict)).to.deep.equal(['errno(1)']);
    expect(statusOf(t)).to.deep.equal(Object.fromEntries(CHECKS.map((id) => [id, 'pass'])));
  });

  it("runc with the generated config.json: the spec's profile, the same table as the built-in runtime's", () => {
    const t = target(results, 'runc');
    expect(statusOf(t)).to.deep.equal(Object.fromEntries(CHECKS.map((id) => [id, 'pass'])));
    expect(check(t, 'conformance.seccomp').evidence).to.include("the OCI spec's linux.seccomp (config.json)").and.include('no call further than declared');
    expect(profile(t).abis.x86_64).to.deep.equal(profile(target(results, 'builtin')).abis.x86_64);
    // libseccomp's bad-architecture action kills where the shim's filter says EPERM: both refuse every call.
    for (const abi of ['i386', 'x32'] as const) expect(Object.keys(profile(t).abis[abi].byVerdict)).to.deep.equal(['kill_thread']);
  });

  it('seccomp=unconfined: no filter, every call of every ABI allowed, the filter checks fail', () => {
    const t = target(results, 'runc-unconfined');
    expect(profile(t).filters).to.deep.equal([]);
    for (const abi of ['x86_64', 'i386', 'x32'] as const) expect(Object.keys(profile(t).abis[abi].byVerdict)).to.deep.equal(['allow']);
    expect(statusOf(t)).to.include({ 'security.seccomp-filter': 'fail', 'security.dangerous-syscalls-refused': 'fail', 'security.seccomp-abi': 'fail' });
    // Nothing was declared but no filter: the runtime delivered that.
    expect(check(t, 'conformance.seccomp').status).to.equal('pass');
  });

  it('a profile that allows one dangerous call: exactly that call named, and the profile still the one declared', () => {
    const t = target(results, 'runc-keyctl');
    const c = check(t, 'security.dangerous-syscalls-refused');
    expect(c.status).to.equal('fail');
    const failures = c.observed as string[];
    expect(failures.map((f) => f.split(':')[0])).to.deep.equal(['keyctl']);
    expect(failures[0]).to.match(/^keyctl: reachable, filter allow, probe /);
    expect(statusOf(t)).to.include({ 'security.seccomp-filter': 'pass', 'security.seccomp-abi': 'pass', 'conformance.seccomp': 'pass' });
    expect(check(t, 'conformance.seccomp').evidence).to.include('by user');
    expect(t.request?.seccomp).to.deep.equal({ value: 'custom', source: 'user config' });
  });

  it('a profile file that is missing or no profile stops the run before anything starts, in one line', async () => {
    const bad = path.join(DIR, 'not-a-profile.json');
    fs.writeFileSync(bad, JSON.stringify({ syscalls: [] }));
    for (const [file, why] of [
      [path.join(DIR, 'absent.json'), /^target "runc-bad": seccompProfile \S+ cannot be read as JSON \(ENOENT\)$/],
      [bad, /^target "runc-bad": seccompProfile \S+: not a seccomp profile: defaultAction: /],
    ] as const) {
      const targets = parseTargetConfig({ targets: [{ name: 'runc-bad', runtime: 'oci', binary: 'runc', seccompProfile: file }] }, 'seccomp-profile.test.ts');
      const err = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets, profile: 'strict', grep: GREP }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).to.match(why);
      expect(err?.message).to.not.include('\n');
    }
  });

  it('a filter of the native ABI only: the ABI check fails naming i386 and x32 calls, the native table is unchanged', () => {
    const t = target(results, 'builtin-native-only');
    const c = check(t, 'security.seccomp-abi');
    expect(c.status).to.equal('fail');
    const looser = c.observed as string[];
    expect(looser).to.include('i386 keyctl: allow (x86_64: errno(1))');
    expect(looser.some((l) => l.startsWith('x32 '))).to.equal(true);
    expect(statusOf(t)).to.include({ 'security.seccomp-filter': 'pass', 'security.dangerous-syscalls-refused': 'pass', 'conformance.seccomp': 'fail' });
    expect(profile(t).abis.x86_64).to.deep.equal(profile(target(results, 'builtin')).abis.x86_64);
  });

  it('isoprobe diff: a call that became runnable is a regression naming it', () => {
    const as = (name: string): RunResults => ({ ...results, targets: [{ ...target(results, name), name: 'runc' }] });
    const d = diffResults(as('runc'), as('runc-keyctl'));
    const item = d.regressions.find((r) => r.id === 'seccomp.profile');
    expect(item?.detail).to.equal('1 now run: x86_64 keyctl: errno(1) → allow');
    expect(diffResults(as('runc-keyctl'), as('runc')).regressions.filter((r) => r.id === 'seccomp.profile')).to.deep.equal([]);
  });

  it("Docker's default profile: the effective profile shown, io_uring named as allowed, and it is the profile Docker declares for its release", async function () {
    await requireDaemon(this, new Dockerode({ socketPath: '/var/run/docker.sock' }));
    const r = await runSuite({
      drivers: DRIVERS,
      catalogue: CATALOGUE,
      targets: parseTargetConfig(
        {
          targets: [
            { name: 'docker', runtime: 'docker' },
            { name: 'docker-deny-list', runtime: 'docker', seccompProfile: DENY_LIST_FILE },
          ],
        },
        'seccomp-profile.test.ts',
      ),
      profile: 'strict',
      grep: GREP,
    });
    const t = target(r, 'docker');
    const x86 = verdictsByName(profile(t).abis.x86_64);
    const runnableDangerous = [...x86].filter(([n, v]) => DANGEROUS_NAMES.has(n) && v === 'allow').map(([n]) => n);
    expect(runnableDangerous).to.include.members(['io_uring_setup', 'io_uring_enter', 'io_uring_register']);
    const c = check(t, 'security.dangerous-syscalls-refused');
    expect(c.status).to.equal('fail');
    expect((c.observed as string[]).map((f) => f.split(':')[0])).to.deep.equal(['io_uring_setup', 'io_uring_enter', 'io_uring_register']);
    const conf = check(t, 'conformance.seccomp');
    expect(conf.status, conf.evidence ?? conf.reason).to.equal('pass');
    expect(conf.evidence).to.match(/declared by runtime: Docker \d+\.\d+\.\d+'s default profile/);
    expect(check(t, 'security.seccomp-abi').status).to.equal('pass');
    // The same daemon given the user's profile file: that file is the declaration, and io_uring is refused.
    const u = target(r, 'docker-deny-list');
    expect(statusOf(u)).to.deep.equal(Object.fromEntries(CHECKS.map((id) => [id, 'pass'])));
    expect(check(u, 'conformance.seccomp').evidence).to.include('declared by user: SecurityOpt seccomp=<profile JSON>');
    expect(verdictsByName(profile(u).abis.x86_64).get('io_uring_setup')).to.equal('errno(1)');
  });
});
