/**
 * Posture: normalisation on recorded facts (test/fixtures: a probe run in the host's namespaces,
 * one under unshare, and the built-in runtime's status and security facts), the expectation as a
 * function of the spec and the environment, and the diff over compared fields only.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import type { ProbeFacts, SecurityFacts } from '../../model/facts.js';
import type { HostView } from '../../model/host-view.js';
import { capNames } from '../../model/parse/status.js';
import {
  COMPARED_FIELDS,
  mapClassOf,
  maskClassOf,
  observePosture,
  POSTURE_FIELDS,
  PostureSchema,
  type Posture,
  type PostureEvidence,
} from '../../model/posture.js';
import { ExpectedPostureSchema, expectedPosture, postureEnv, type PostureEnv } from '../../model/posture-expect.js';
import { assessPosture, diffPosture, PostureResultSchema } from '../../model/posture-diff.js';
import { DEFAULT_CAPS, DEFAULT_SPEC, NAMESPACES, type ContainerSpec, type HostSideFacts, type Namespace } from '../../model/spec.js';

const fixture = <T>(name: string): T => JSON.parse(fs.readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url), 'utf8')) as T;
const HOST = fixture<ProbeFacts>('facts-host.json');
const UNSHARE = fixture<ProbeFacts>('facts-unshare.json');
type Recorded = Record<'builtin' | 'noseccomp' | 'allcaps', { status: string; security: SecurityFacts }>;
const SECURITY = fixture<Recorded>('security-facts.json');

/** The host reference, as the harness would have captured it next to facts-host.json. */
const REFERENCE = {
  ns: Object.fromEntries(NAMESPACES.map((ns) => [ns, { link: HOST.ns[ns].link, ino: null }])),
  nsForChildren: { pid: { link: HOST.ns.pid.link, ino: null }, time: { link: HOST.ns.time.link, ino: null } },
} as unknown as HostView;
const HARNESS = { status: HOST.files.status.text, capLastCap: 40 };
const ENV: PostureEnv = postureEnv(REFERENCE, HARNESS);

const V1_LIMITS = { 'pids.max': '64', 'memory.limit_in_bytes': '67108864', 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '50000' };
function hostSide(over: Partial<HostSideFacts> = {}): HostSideFacts {
  return {
    ns: {},
    uidMap: '         0     100000      65536\n',
    gidMap: '         0     100000      65536\n',
    createdFiles: [],
    hostClocks: null,
    cgroup: { version: 'v1', paths: ['/sys/fs/cgroup/pids/isoprobe/x'], limits: { ...V1_LIMITS } },
    ...over,
  };
}
const RO_CGROUPFS: ProbeFacts['cgroupfs'] = {
  mountinfo_errno: 0,
  refused: null,
  mounts: [
    {
      mount_point: '/sys/fs/cgroup/pids',
      root: '/',
      fs_type: 'cgroup',
      super_options: 'rw,pids',
      ro_option: true,
      rdonly: 1,
      mkdir_errno: 30,
      rmdir_errno: -1,
    },
  ],
};

/** The isolated built-in container: unshare's namespaces and offsets, the shim's status, security and cgroupfs. */
function builtinFacts(which: keyof Recorded = 'builtin'): ProbeFacts {
  return {
    ...UNSHARE,
    files: { ...UNSHARE.files, status: { text: SECURITY[which].status, errno: 0, truncated: false } },
    security: SECURITY[which].security,
    cgroupfs: RO_CGROUPFS,
  };
}
const evidence = (facts: ProbeFacts, host = hostSide()): PostureEvidence => ({ facts, host, reference: REFERENCE });
const spec = (over: Partial<ContainerSpec> = {}): ContainerSpec => ({ ...DEFAULT_SPEC, argv: [], ...over });
const fields = (p: Posture, e = expectedPosture(spec(), ENV)) => diffPosture(e, p).map((d) => d.field);

describe('model/posture: normalisation', () => {
  it("a probe in the host's namespaces: everything inherited, identity maps, no seccomp, the host's capabilities", () => {
    const p = observePosture(evidence(HOST, hostSide({ uidMap: null, gidMap: null })));
    expect(p.namespaces).to.deep.equal(Object.fromEntries(NAMESPACES.map((ns) => [ns, 'inherited'])));
    expect(p.userMapping).to.deep.equal({ uid: 'identity', gid: 'identity' });
    expect(p).to.include({ seccomp: 'disabled', noNewPrivs: false, seccompFilters: 0, cgroupfs: 'unknown', hostFds: 'unknown', rootEscape: 'contained' });
    expect(p.capabilities.effective).to.have.length(40).and.not.include('CAP_SYS_RESOURCE');
    expect(p.capabilities.inheritable).to.deep.equal([]);
    expect(p.masked).to.deep.equal({});
    expect(p.timeOffsets).to.deep.equal({ monotonic: 0, boottime: 0 });
  });

  it('under unshare: every namespace new, root mapped to root, the offsets it set', () => {
    const p = observePosture(evidence(UNSHARE, hostSide({ uidMap: null, gidMap: null })));
    expect(p.namespaces).to.deep.equal(Object.fromEntries(NAMESPACES.map((ns) => [ns, 'new'])));
    expect(p.userMapping).to.deep.equal({ uid: 'root-to-root', gid: 'root-to-root' });
    expect(p.timeOffsets).to.deep.equal({ monotonic: 604800, boottime: 777600 });
    expect(p.nsInodes.pid).to.equal(4026532182);
  });

  it("the host's link wins over the probe's (the container cannot fake it)", () => {
    const p = observePosture(evidence(UNSHARE, hostSide({ ns: { pid: { link: HOST.ns.pid.link, ownerUserNsIno: null, parentIno: null } } })));
    expect(p.namespaces.pid).to.equal('inherited');
    expect(p.nsInodes.pid).to.equal(4026531836);
  });

  const nsCases: [string, Partial<ProbeFacts['ns'][Namespace]>, string | null, string][] = [
    ['kernel without the type', { link: null, errno: 2 }, null, 'absent'],
    ['the probe could not read it', { link: null, errno: 13 }, 'time:[4026531834]', 'unknown'],
    ['another known namespace', { link: 'time:[4026532999]', errno: 0 }, 'time:[4026531834]', 'joined:other'],
  ];
  for (const [what, link, ref, want] of nsCases) {
    it(`namespace ${want}: ${what}`, () => {
      const facts = { ...UNSHARE, ns: { ...UNSHARE.ns, time: { ...UNSHARE.ns.time, ...link } } };
      const reference = { ...REFERENCE, ns: { ...REFERENCE.ns, time: { link: ref, ino: null } } };
      const known = [{ label: 'other', ns: 'time' as const, link: 'time:[4026532999]' }];
      expect(observePosture({ facts, host: hostSide(), reference, known }).namespaces.time).to.equal(want);
    });
  }

  it('the built-in runtime: sorted default capabilities, a filter, no_new_privs, masked and read-only classes', () => {
    const p = observePosture(evidence(builtinFacts()));
    expect(p.capabilities).to.deep.equal({
      effective: [...DEFAULT_CAPS].sort(),
      permitted: [...DEFAULT_CAPS].sort(),
      bounding: [...DEFAULT_CAPS].sort(),
      inheritable: [],
      ambient: [],
    });
    expect(p).to.include({ seccomp: 'filter', seccompFilters: 1, noNewPrivs: true, cgroupfs: 'ro', hostFds: 'none' });
    expect(p.userMapping).to.deep.equal({ uid: 'root-to-unprivileged', gid: 'root-to-unprivileged' });
    expect(p.masked).to.deep.equal({
      '/proc/kcore': 'absent',
      '/proc/keys': 'null-device',
      '/proc/timer_list': 'null-device',
      '/proc/sched_debug': 'absent',
      '/proc/latency_stats': 'absent',
      '/proc/scsi': 'absent',
      '/proc/acpi': 'empty-ro-tmpfs',
      '/sys/firmware': 'empty-ro-tmpfs',
      '/sys/devices/virtual/powercap': 'absent',
    });
    expect(p.readonly).to.deep.equal({
      '/proc/sys': 'read-only',
      '/proc/sysrq-trigger': 'absent',
      '/proc/irq': 'read-only',
      '/proc/bus': 'read-only',
      '/sys': 'read-only',
    });
    expect(p.limits).to.deep.equal({ pids: 'set', memory: 'set', cpu: 'set' });
  });

  it('without seccomp and no_new_privs; with all capabilities', () => {
    expect(observePosture(evidence(builtinFacts('noseccomp')))).to.include({ seccomp: 'disabled', noNewPrivs: false, seccompFilters: 0 });
    expect(observePosture(evidence(builtinFacts('allcaps'))).capabilities.bounding).to.deep.equal(capNames((1n << 41n) - 1n).sort());
  });

  const maps: [string | null, string][] = [
    ['0 0 4294967295\n', 'identity'],
    ['0 100000 65536\n', 'root-to-unprivileged'],
    ['0 0 1\n', 'root-to-root'],
    ['1 1000 1\n', 'root-unmapped'],
    [null, 'unknown'],
  ];
  for (const [map, want] of maps) it(`id map ${JSON.stringify(map)}: ${want}`, () => expect(mapClassOf(map)).to.equal(want));

  const masks: [Partial<SecurityFacts['masked'][number]>, string][] = [
    [{ errno: 2 }, 'absent'],
    [{ errno: 13 }, 'unreadable'],
    [{ mode: 0o20666, rdev: '1:3' }, 'null-device'],
    [{ mode: 0o20666, rdev: '1:5' }, 'readable'],
    [{ mode: 0o40755, fs_type: 0x01021994, rdonly: 1, entries: 0 }, 'empty-ro-tmpfs'],
    [{ mode: 0o40755, fs_type: 0x01021994, rdonly: 0, entries: 0 }, 'readable'],
    [{ mode: 0o40755, fs_type: 0x01021994, rdonly: 1, entries: 3 }, 'readable'],
    [{ mode: 0o100444, rdev: '0:0', fs_type: 0x9fa0 }, 'readable'],
  ];
  for (const [stat, want] of masks) {
    it(`masked path ${JSON.stringify(stat)}: ${want}`, () => expect(maskClassOf({ path: '/proc/x', errno: 0, ...stat })).to.equal(want));
  }

  const limits: [string, Partial<HostSideFacts['cgroup']>, Posture['limits']][] = [
    [
      'v1 unlimited',
      { limits: { 'pids.max': 'max', 'memory.limit_in_bytes': '9223372036854771712', 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '-1' } },
      { pids: 'unset', memory: 'unset', cpu: 'unset' },
    ],
    [
      'v2 set',
      { version: 'v2', limits: { 'pids.max': '64', 'memory.max': '67108864', 'cpu.max': '50000 100000' } },
      { pids: 'set', memory: 'set', cpu: 'set' },
    ],
    [
      'v2 unlimited',
      { version: 'v2', limits: { 'pids.max': 'max', 'memory.max': 'max', 'cpu.max': 'max 100000' } },
      { pids: 'unset', memory: 'unset', cpu: 'unset' },
    ],
    ['a controller the host lacks', { limits: { ...V1_LIMITS, 'cpu:unsupported': 'no cpu controller' } }, { pids: 'set', memory: 'set', cpu: 'unsupported' }],
    ['no cgroup observed', { version: 'none', paths: [], limits: {} }, { pids: 'unknown', memory: 'unknown', cpu: 'unknown' }],
  ];
  for (const [what, cg, want] of limits) {
    it(`limits, ${what}`, () =>
      expect(observePosture(evidence(builtinFacts(), hostSide({ cgroup: { ...hostSide().cgroup, ...cg } }))).limits).to.deep.equal(want));
  }

  const cgroupfs: [string, ProbeFacts['cgroupfs'], string][] = [
    ['no mount inside', { ...RO_CGROUPFS!, mounts: [] }, 'none'],
    ['a mount without "ro"', { ...RO_CGROUPFS!, mounts: [{ ...RO_CGROUPFS!.mounts[0]!, ro_option: false }] }, 'rw'],
    ['statvfs says writable', { ...RO_CGROUPFS!, mounts: [{ ...RO_CGROUPFS!.mounts[0]!, rdonly: 0 }] }, 'rw'],
    ['not observed', undefined, 'unknown'],
  ];
  for (const [what, fs, want] of cgroupfs) {
    it(`cgroupfs ${want}: ${what}`, () => expect(observePosture(evidence({ ...builtinFacts(), cgroupfs: fs })).cgroupfs).to.equal(want));
  }

  it('a leaked descriptor or cwd outside the root; a chroot escape', () => {
    const sec = SECURITY.builtin.security;
    expect(observePosture(evidence({ ...builtinFacts(), security: { ...sec, fds: [{ fd: 7, target: '/', inside_root: 0 }] } })).hostFds).to.equal('leaked');
    expect(observePosture(evidence({ ...builtinFacts(), security: { ...sec, cwd: { path: null, errno: 0, inside_root: 0 } } })).hostFds).to.equal('leaked');
    const escaped = { ...UNSHARE.sentinels, chroot_escape: { ...UNSHARE.sentinels.chroot_escape!, escaped: true } };
    expect(observePosture(evidence({ ...builtinFacts(), sentinels: escaped })).rootEscape).to.equal('escaped');
  });

  it('declares every field compared or informational, exactly once, and fits its schema', () => {
    const p = observePosture(evidence(builtinFacts()));
    expect(Object.keys(p).sort()).to.deep.equal(Object.keys(POSTURE_FIELDS).sort());
    expect(COMPARED_FIELDS).to.include.members(['namespaces', 'capabilities', 'masked']).and.not.include.members(['nsInodes', 'idMaps', 'cgroupPaths']);
    expect(PostureSchema.parse(p)).to.deep.equal(p);
  });
});

describe('model/posture: expectation', () => {
  it('the default spec: every namespace new, the default set, a filter, no_new_privs, limits, masked and read-only', () => {
    const e = expectedPosture(spec(), ENV);
    expect(e.namespaces).to.deep.equal(Object.fromEntries(NAMESPACES.map((ns) => [ns, 'new'])));
    expect(e.capabilities.effective).to.deep.equal([...DEFAULT_CAPS].sort());
    expect(e).to.deep.include({ seccomp: 'filter', noNewPrivs: true, hostFds: 'none', rootEscape: 'contained', cgroupfs: { oneOf: ['ro', 'none'] } });
    expect(e.limits).to.deep.equal({ pids: 'set', memory: 'set', cpu: 'set' });
    expect(e.userMapping).to.deep.equal({ uid: 'root-to-unprivileged', gid: 'root-to-unprivileged' });
    expect(e.timeOffsets).to.deep.equal({ monotonic: 7 * 86400, boottime: 9 * 86400 });
    expect(ExpectedPostureSchema.parse(e)).to.deep.equal(e);
  });

  const cases: [string, Partial<ContainerSpec>, Partial<PostureEnv>, (e: ReturnType<typeof expectedPosture>) => unknown, unknown][] = [
    ['share=pid', { share: ['pid'] }, {}, (e) => e.namespaces.pid, 'inherited'],
    ['share=user: identity maps', { share: ['user'] }, {}, (e) => e.userMapping, { uid: 'identity', gid: 'identity' }],
    ['share=time: no offsets', { share: ['time'] }, {}, (e) => e.timeOffsets, { monotonic: 0, boottime: 0 }],
    [
      'no time namespaces on this kernel',
      {},
      { namespaces: NAMESPACES.filter((n) => n !== 'time') },
      (e) => [e.namespaces.time, e.timeOffsets],
      ['absent', null],
    ],
    ['caps=all in a new user namespace: every capability of the kernel', { caps: 'all' }, {}, (e) => e.capabilities.bounding.length, 41],
    ["caps=all in the host's: its bounding set", { caps: 'all', share: ['user'] }, {}, (e) => e.capabilities.effective.includes('CAP_SYS_RESOURCE'), false],
    ['seccomp=none', { seccomp: 'none' }, {}, (e) => e.seccomp, 'disabled'],
    ['a kernel without seccomp', {}, { seccomp: false }, (e) => e.seccomp, 'unsupported'],
    ['no-new-privs off', { noNewPrivs: false }, {}, (e) => e.noNewPrivs, false],
    ['limits=none', { limits: {} }, {}, (e) => e.limits, { pids: 'unset', memory: 'unset', cpu: 'unset' }],
    ['a controller the host lacks', {}, { unsupportedLimits: ['memory'] }, (e) => e.limits.memory, 'unsupported'],
    ['cgroupfs=rw', { cgroupfs: 'rw' }, {}, (e) => e.cgroupfs, 'rw'],
    ['leak-fd', { leakHostFd: true }, {}, (e) => e.hostFds, 'leaked'],
    ['root=chroot', { rootChange: 'chroot' }, {}, (e) => e.rootEscape, 'escaped'],
    ["share=mnt: the host's mounts, any class", { share: ['mnt'] }, {}, (e) => (e.masked['*'] as { oneOf: string[] }).oneOf.length, 5],
  ];
  for (const [what, s, env, get, want] of cases) {
    it(what, () => expect(get(expectedPosture(spec(s), { ...ENV, ...env }))).to.deep.equal(want));
  }

  it('the environment: namespaces the host has, its bounding set, seccomp, missing controllers', () => {
    const reference = { ...REFERENCE, ns: { ...REFERENCE.ns, time: { link: null, ino: null } } };
    const env = postureEnv(reference, HARNESS, hostSide({ cgroup: { version: 'v1', paths: [], limits: { 'pids:unsupported': 'no pids controller' } } }));
    expect(env.namespaces).to.not.include('time');
    expect(env.bounding).to.have.length(40).and.not.include('CAP_SYS_RESOURCE');
    expect(env.kernelCaps).to.have.length(41);
    expect(env).to.deep.include({ seccomp: true, unsupportedLimits: ['pids'] });
  });
});

describe('model/posture: diff', () => {
  it('the isolated built-in container delivers what the default spec asks: no diff', () => {
    expect(diffPosture(expectedPosture(spec(), ENV), observePosture(evidence(builtinFacts())))).to.deep.equal([]);
  });

  it('says field, expected and observed for each compared leaf that differs', () => {
    const p = observePosture(evidence(builtinFacts('noseccomp'), hostSide({ uidMap: '0 0 4294967295\n' })));
    expect(diffPosture(expectedPosture(spec(), ENV), p)).to.deep.equal([
      { field: 'seccomp', expected: 'filter', observed: 'disabled' },
      { field: 'noNewPrivs', expected: 'true', observed: 'false' },
      { field: 'userMapping.uid', expected: 'root-to-unprivileged', observed: 'identity' },
    ]);
  });

  it('a masked path: any of the right ways matches, a reachable one is named with the alternatives', () => {
    const sec = SECURITY.builtin.security;
    const masked = sec.masked.map((m) => (m.path === '/proc/keys' ? { path: m.path, errno: 0, mode: 0o100444, rdev: '0:0', fs_type: 0x9fa0 } : m));
    const p = observePosture(evidence({ ...builtinFacts(), security: { ...sec, masked } }));
    expect(diffPosture(expectedPosture(spec(), ENV), p)).to.deep.equal([
      { field: 'masked./proc/keys', expected: 'null-device | empty-ro-tmpfs | absent', observed: 'readable' },
    ]);
  });

  it('never compares informational fields; compares whole capability lists; a key one side lacks is "(none)"', () => {
    const a = observePosture(evidence(builtinFacts()));
    const b: Posture = { ...a, nsInodes: { ...a.nsInodes, pid: 1 }, idMaps: { uid: 'x', gid: 'y' }, seccompFilters: 9, cgroupPaths: [], cgroupLimits: {} };
    expect(diffPosture(a, b)).to.deep.equal([]);
    const c: Posture = { ...a, capabilities: { ...a.capabilities, ambient: ['CAP_KILL'] }, masked: { ...a.masked, '/proc/new': 'readable' } };
    expect(diffPosture(a, c)).to.deep.equal([
      { field: 'capabilities.ambient', expected: '(empty)', observed: 'CAP_KILL' },
      { field: 'masked./proc/new', expected: '(none)', observed: 'readable' },
    ]);
    expect(diffPosture(c, a).map((d) => d.observed)).to.deep.equal(['(empty)', '(none)']);
  });

  it('a weakened spec against the isolated container: the fields it asked to change', () => {
    const p = observePosture(evidence(builtinFacts()));
    expect(fields(p, expectedPosture(spec({ share: ['pid'], limits: {} }), ENV))).to.deep.equal([
      'namespaces.pid',
      'limits.cpu',
      'limits.memory',
      'limits.pids',
    ]);
    expect(fields(p, expectedPosture(spec({ share: ['time'] }), ENV))).to.deep.equal(['namespaces.time', 'timeOffsets.boottime', 'timeOffsets.monotonic']);
  });

  it('assessPosture: observed, expected and diff in one schema-valid record; a malformed status is a reason, not a throw', () => {
    const r = assessPosture(spec(), evidence(builtinFacts()), HARNESS);
    expect(r).to.have.property('posture');
    if ('posture' in r) expect(PostureResultSchema.parse(r.posture)).to.deep.equal(r.posture);
    const broken = { ...builtinFacts(), files: { ...builtinFacts().files, status: { text: 'CapEff:\tzz\n', errno: 0, truncated: false } } };
    expect(assessPosture(spec(), evidence(broken), HARNESS))
      .to.have.property('error')
      .that.matches(/CapInh|CapEff/);
  });
});
