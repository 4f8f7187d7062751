/**
 * The conformance checks on small fixtures: each passes when the container got what was asked,
 * fails with "asked X, observed Y" (chai expected/observed, the differing items only) when it did
 * not, fails naming a setting the runtime dropped, and skips 'not-requested' when nothing of its
 * group was asked (never a pass).
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { askedCaps, deliveredLimits } from '../../checks/conformance.js';
import { defaultSeccomp } from '../../targets/common/oci-seccomp.js';
import type { BpfInsn } from '../../model/parse/seccomp-filters.js';
import { CATALOGUE } from '../../checks/catalogue.js';
import { evaluate } from '../../engine/evaluate.js';
import type { CheckContext, Verdict } from '../../model/check.js';
import type { Request } from '../../model/request.js';
import { DEFAULT_CAPS, DEFAULT_SPEC } from '../../model/spec.js';

const DEFAULT_MASK = 0xa80425fbn; // Docker's default set, as /proc/self/status shows it
const hex = (m: bigint) => m.toString(16).padStart(16, '0');

function status(o: { eff?: bigint; bnd?: bigint; seccomp?: number; nnp?: number; groups?: string } = {}): string {
  const eff = hex(o.eff ?? DEFAULT_MASK);
  return [
    'Uid:\t0\t0\t0\t0',
    'Gid:\t0\t0\t0\t0',
    `Groups:\t${o.groups ?? ''}`,
    'CapInh:\t0000000000000000',
    `CapPrm:\t${eff}`,
    `CapEff:\t${eff}`,
    `CapBnd:\t${hex(o.bnd ?? o.eff ?? DEFAULT_MASK)}`,
    'CapAmb:\t0000000000000000',
    `NoNewPrivs:\t${o.nnp ?? 1}`,
    `Seccomp:\t${o.seccomp ?? 2}`,
    '',
  ].join('\n');
}

const file = (text: string, errno = 0) => ({ text, errno, truncated: false });
const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             4096                 4096                 processes
Max open files            1024                 1024                 files
Max locked memory         8388608              unlimited            bytes
`;
const ROOT_RO = '20 1 0:40 / / ro,relatime - overlay overlay ro\n21 20 0:41 / /proc rw - proc proc rw\n';
const NULL_DEV = { errno: 0, mode: 0o20666, rdev: '1:3', fs_type: 0x1021994, rdonly: 0, entries: -1 };
const RO_DIR = { errno: 0, mode: 0o40555, rdev: '0:0', fs_type: 0x9fa0, rdonly: 1, entries: 3 };
const RW_DIR = { ...RO_DIR, rdonly: 0 };

interface Fixture {
  request?: Request;
  dropped?: { key: string; why: string }[];
  statusText?: string;
  uid?: number;
  gid?: number;
  hostname?: string | null;
  ns?: Record<string, string>;
  hostNs?: Record<string, string | null>;
  timens?: string;
  limits?: Record<string, string>;
  mountinfo?: string;
  paths?: ({ path: string } & typeof NULL_DEV)[];
  sysctls?: { name: string; text: string; errno: number }[];
  /** The filters the host read and the profile declared (HostSideFacts.seccomp, .declaredSeccomp). */
  seccomp?: { filters: BpfInsn[][]; declared: unknown };
  rlimits?: string;
}

const HOST_NS = { pid: 'pid:[1]', mnt: 'mnt:[2]', net: 'net:[3]', uts: 'uts:[4]', ipc: 'ipc:[5]', user: 'user:[6]', time: 'time:[7]', cgroup: 'cgroup:[8]' };
const OWN_NS = {
  pid: 'pid:[11]',
  mnt: 'mnt:[12]',
  net: 'net:[13]',
  uts: 'uts:[14]',
  ipc: 'ipc:[15]',
  user: 'user:[16]',
  time: 'time:[17]',
  cgroup: 'cgroup:[18]',
};
const link = (l: string | null) => ({ link: l, errno: l ? 0 : 2 });

function ctx(f: Fixture): CheckContext {
  const ns = { ...OWN_NS, ...f.ns };
  const hostNs = { ...HOST_NS, ...f.hostNs };
  return {
    target: 't',
    profile: 'strict',
    spec: { ...DEFAULT_SPEC, argv: [] },
    request: f.request ?? {},
    capabilities: { timeOffsets: true, lsmProfile: { applied: true }, ...(f.dropped ? { dropped: f.dropped } : {}) },
    reference: { ns: Object.fromEntries(Object.entries(hostNs).map(([k, v]) => [k, link(v)])) },
    observed: {
      ns: Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, { link: v, ownerUserNsIno: null, parentIno: null }])),
      cgroup: { version: 'v1', paths: ['/sys/fs/cgroup/pids/x'], limits: f.limits ?? {} },
      ...(f.seccomp
        ? {
            seccomp: { pid: 1, filters: f.seccomp.filters },
            declaredSeccomp: { source: 'a test profile', by: 'isoprobe', profile: f.seccomp.declared, kernel: '6.18.0' },
          }
        : {}),
    },
    container: {
      uid: f.uid ?? 0,
      gid: f.gid ?? 0,
      euid: f.uid ?? 0,
      hostname: f.hostname === undefined ? 'isoprobe' : f.hostname,
      ns: Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, link(v)])),
      files: {
        status: file(f.statusText ?? status()),
        mountinfo: file(f.mountinfo ?? ROOT_RO),
        timens_offsets: file(f.timens ?? 'monotonic 604800 0\nboottime 777600 0\n'),
        limits: file(f.rlimits ?? LIMITS),
        cap_last_cap: file('40\n'),
      },
      security: { masked: [], readonly: [] },
      requested: { paths: f.paths ?? [], sysctls: f.sysctls ?? [] },
    },
  } as unknown as CheckContext;
}

/** The built-in runtime's filter as the host read it (test/fixtures/seccomp-filters.json). */
const BUILTIN_FILTER = (
  JSON.parse(fs.readFileSync(new URL('../../../test/fixtures/seccomp-filters.json', import.meta.url), 'utf8')) as { builtin: BpfInsn[][] }
).builtin;

const run = (id: string, f: Fixture): Verdict => evaluate(CATALOGUE.find((c) => c.id === id)!, ctx(f));
const asked = <K extends keyof Request>(key: K, value: NonNullable<Request[K]>['value'], source: 'isoprobe' | 'user config' = 'isoprobe'): Request =>
  ({ [key]: { value, source } }) as Request;

function expectPass(v: Verdict): void {
  expect(v.status, v.evidence ?? v.reason).to.equal('pass');
}
function expectFail(v: Verdict, want: Record<string, string>, observed: Record<string, string>): void {
  expect(v.status, v.evidence ?? v.reason).to.equal('fail');
  expect(v.expected).to.deep.equal(want);
  expect(v.observed).to.deep.equal(observed);
}

const IDS = CATALOGUE.filter((c) => c.area === 'conformance').map((c) => c.id);

describe('conformance checks', () => {
  it('are thirteen, each declaring its settings, required in every profile, with a lossy or runc control', () => {
    // conformance.seccomp names the built-in runtime's native-only filter too: its declared deny list refuses i386.
    expect(IDS).to.have.length(13);
    for (const c of CATALOGUE.filter((x) => x.area === 'conformance')) {
      expect(c.settings ?? [], c.id).to.not.be.empty;
      expect(c.profiles, c.id).to.deep.equal(['baseline', 'restricted', 'strict']);
      expect(
        c.negativeControls.some((w) => w.kind === 'oci') && c.negativeControls.every((w) => w.kind === 'oci' || w.settings.seccompNativeOnly === true),
        c.id,
      ).to.equal(true);
    }
  });

  for (const id of IDS) {
    it(`${id} skips not-requested when nothing of its group was asked`, () => {
      const v = run(id, { request: {} });
      expect(v.status).to.equal('skip');
      expect(v.requirement).to.equal('not-requested');
      expect(v.reason).to.match(/^nobody asked for .+; the runtime's default is judged by the other areas$/);
    });
  }

  describe('conformance.namespaces', () => {
    const all = (value: 'new' | 'host'): Request => Object.fromEntries(Object.keys(HOST_NS).map((n) => [`ns.${n}`, { value, source: 'isoprobe' }])) as Request;
    it('passes when every namespace asked new is not the host one, and names each source', () => {
      const v = run('conformance.namespaces', { request: { ...all('new'), 'ns.pid': { value: 'host', source: 'user config' } }, ns: { pid: HOST_NS.pid } });
      expectPass(v);
      expect(v.evidence).to.include('ns.pid: asked host (user config), observed host').and.include('ns.net: asked new (isoprobe), observed new');
    });
    it('fails with asked/observed on a namespace asked new and shared with the host', () => {
      const v = run('conformance.namespaces', { request: all('new'), ns: { cgroup: HOST_NS.cgroup } });
      expectFail(v, { 'ns.cgroup': 'new' }, { 'ns.cgroup': 'host (cgroup:[8])' });
    });
    it('fails naming a namespace the runtime refused and ran without, with its message', () => {
      const v = run('conformance.namespaces', {
        request: all('new'),
        ns: { time: HOST_NS.time },
        dropped: [{ key: 'ns.time', why: 'namespace {"time" ""} does not exist' }],
      });
      expect(v.status).to.equal('fail');
      expect((v.observed as Record<string, string>)['ns.time']).to.equal(
        'host (time:[7]) (t refused it and ran without it: namespace {"time" ""} does not exist)',
      );
    });
    it('leaves out a namespace type the kernel lacks', () => {
      expectPass(run('conformance.namespaces', { request: all('new'), hostNs: { time: null }, ns: { time: null as unknown as string } }));
    });
  });

  describe('conformance.capabilities', () => {
    it('passes on the default set, and on ALL with every capability of the kernel', () => {
      expectPass(run('conformance.capabilities', { request: asked('caps', { add: [], drop: [] }) }));
      expectPass(run('conformance.capabilities', { request: asked('caps', { add: ['ALL'], drop: [] }), statusText: status({ eff: (1n << 41n) - 1n }) }));
    });
    it('fails with what is missing and what is extra', () => {
      const v = run('conformance.capabilities', {
        request: asked('caps', { add: ['CAP_SYS_ADMIN'], drop: ['CAP_NET_RAW'] }, 'user config'),
        statusText: status(),
      });
      expectFail(
        v,
        { 'caps bounding': 'add CAP_SYS_ADMIN, drop CAP_NET_RAW (14 capabilities)', 'caps effective': 'add CAP_SYS_ADMIN, drop CAP_NET_RAW (14 capabilities)' },
        { 'caps bounding': 'without CAP_SYS_ADMIN, with CAP_NET_RAW too', 'caps effective': 'without CAP_SYS_ADMIN, with CAP_NET_RAW too' },
      );
    });
    it('compares only the bounding set of a process that is not root (its effective set is empty by design)', () => {
      expectPass(
        run('conformance.capabilities', { request: asked('caps', { add: [], drop: [] }), uid: 1000, statusText: status({ eff: 0n, bnd: DEFAULT_MASK }) }),
      );
    });
    it('askedCaps: ALL minus drops, drop ALL plus adds, else the default set changed', () => {
      const kernel = ['CAP_A', 'CAP_B', ...DEFAULT_CAPS].sort();
      expect(askedCaps({ add: ['ALL'], drop: ['CAP_A'] }, kernel)).to.deep.equal(kernel.filter((c) => c !== 'CAP_A'));
      expect(askedCaps({ add: ['CAP_CHOWN'], drop: ['ALL'] }, kernel)).to.deep.equal(['CAP_CHOWN']);
      expect(askedCaps({ add: [], drop: ['CAP_KILL'] }, kernel)).to.have.length(13);
    });
  });

  describe('conformance.seccomp and conformance.no-new-privs', () => {
    it('pass when delivered', () => {
      expectPass(run('conformance.seccomp', { request: asked('seccomp', 'default') }));
      expectPass(run('conformance.seccomp', { request: asked('seccomp', 'unconfined', 'user config'), statusText: status({ seccomp: 0 }) }));
      expectPass(run('conformance.no-new-privs', { request: asked('noNewPrivs', true) }));
    });
    it("compare the filter the host read with the declared profile: the built-in's filter is its deny list's", () => {
      const v = run('conformance.seccomp', { request: asked('seccomp', 'default'), seccomp: { filters: BUILTIN_FILTER, declared: defaultSeccomp() } });
      expectPass(v);
      expect(v.evidence).to.include('seccomp profile: asked as declared by isoprobe: a test profile').and.include('no call further than declared');
    });
    it('fail naming the calls a filter lets further than declared, ABI and argument case included', () => {
      const lax = { ...defaultSeccomp(), syscalls: [{ names: ['keyctl'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] };
      const tight = run('conformance.seccomp', { request: asked('seccomp', 'default'), seccomp: { filters: BUILTIN_FILTER, declared: lax } });
      // Stricter than declared is no failure, but it is said.
      expectPass(tight);
      expect(tight.evidence, tight.evidence).to.match(/\d+ held tighter: .*mount errno\(1\) \(declared allow\)/);
      const v = run('conformance.seccomp', { request: asked('seccomp', 'default'), seccomp: { filters: [], declared: defaultSeccomp() } });
      expect(v.status).to.equal('fail');
      expect((v.observed as Record<string, string>)['seccomp profile']).to.match(/^\d+ looser: .*keyctl allow \(declared errno\(1\)\)/);
      expect(v.evidence).to.include('unshare(flags=CLONE_NEWUSER) allow (declared errno(1))');
      // The declaration filters x86_64 only, so libseccomp refuses every i386 and x32 call: each one that runs is looser.
      expect(Number(/(\d+) looser/.exec((v.observed as Record<string, string>)['seccomp profile'])![1])).to.be.greaterThan(440 + 351);
    });
    it('fail with asked/observed when not', () => {
      expectFail(
        run('conformance.seccomp', { request: asked('seccomp', 'default'), statusText: status({ seccomp: 0 }) }),
        { seccomp: 'default (filter)' },
        { seccomp: 'disabled' },
      );
      expectFail(
        run('conformance.no-new-privs', { request: asked('noNewPrivs', true), statusText: status({ nnp: 0 }) }),
        { noNewPrivs: 'true' },
        { noNewPrivs: 'false' },
      );
    });
  });

  describe('conformance.limits', () => {
    const req: Request = {
      'limits.pids': { value: 64, source: 'isoprobe' },
      'limits.memory': { value: 67108864, source: 'isoprobe' },
      'limits.cpu': { value: 0.5, source: 'isoprobe' },
    };
    const V1 = { 'pids.max': '64', 'memory.limit_in_bytes': '67108864', 'cpu.cfs_quota_us': '50000', 'cpu.cfs_period_us': '100000' };
    it('passes on the exact values, and 0 on what the host reads as unlimited (v1 and v2)', () => {
      expectPass(run('conformance.limits', { request: req, limits: V1 }));
      const none: Request = {
        'limits.pids': { value: 0, source: 'user config' },
        'limits.memory': { value: 0, source: 'user config' },
        'limits.cpu': { value: 0, source: 'user config' },
      };
      expectPass(
        run('conformance.limits', {
          request: none,
          limits: { 'pids.max': 'max', 'memory.limit_in_bytes': '9223372036854771712', 'cpu.cfs_quota_us': '-1', 'cpu.cfs_period_us': '100000' },
        }),
      );
      expectPass(run('conformance.limits', { request: none, limits: { 'pids.max': 'max', 'memory.max': 'max', 'cpu.max': 'max 100000' } }));
    });
    it('fails with asked/observed per limit that differs or was not read', () => {
      const v = run('conformance.limits', { request: req, limits: { ...V1, 'pids.max': 'max', 'memory.limit_in_bytes': undefined as unknown as string } });
      expectFail(v, { 'limits.pids': '64', 'limits.memory': '67108864' }, { 'limits.pids': '0', 'limits.memory': 'not read (cgroup v1, 1 paths)' });
    });
    it('leaves out, and says so, a limit whose controller the host lacks; all of them: skip cgroup-controller', () => {
      const v = run('conformance.limits', { request: req, limits: { ...V1, 'memory:unsupported': 'no memory hierarchy' } });
      expectPass(v);
      expect(v.evidence).to.match(/not compared \(no controller here\): memory$/);
      const all = run('conformance.limits', { request: asked('limits.pids', 64), limits: { 'pids:unsupported': 'x' } });
      expect(all.requirement).to.equal('cgroup-controller');
    });
    it('deliveredLimits reads v2 cpu.max as a fraction of a cpu', () => {
      expect(deliveredLimits({ 'cpu.max': '25000 100000' })['limits.cpu']).to.equal(0.25);
      expect(deliveredLimits({})).to.deep.equal({ 'limits.pids': null, 'limits.memory': null, 'limits.cpu': null });
    });
  });

  describe('conformance.readonly-rootfs, conformance.user, conformance.hostname', () => {
    it('pass when delivered', () => {
      expectPass(run('conformance.readonly-rootfs', { request: asked('readonlyRootfs', true) }));
      expectPass(
        run('conformance.user', {
          request: asked('user', { uid: 1000, gid: 1000, groups: [4242, 10] }),
          uid: 1000,
          gid: 1000,
          statusText: status({ groups: '10 4242' }),
        }),
      );
      expectPass(run('conformance.hostname', { request: asked('hostname', 'isoprobe') }));
    });
    it('fail with asked/observed when not', () => {
      expectFail(
        run('conformance.readonly-rootfs', { request: asked('readonlyRootfs', true), mountinfo: '20 1 0:40 / / rw,relatime - overlay overlay rw\n' }),
        { readonlyRootfs: 'read-only' },
        { readonlyRootfs: 'writable (rw,relatime)' },
      );
      expectFail(
        run('conformance.user', { request: asked('user', { uid: 1000, gid: 0, groups: [4242] }, 'user config'), statusText: status({ groups: '' }) }),
        { 'user uid': '1000', 'user groups': '4242' },
        { 'user uid': '0', 'user groups': '(none)' },
      );
      expectFail(run('conformance.hostname', { request: asked('hostname', 'isoprobe'), hostname: 'vm' }), { hostname: '"isoprobe"' }, { hostname: '"vm"' });
    });
    it('the last mount on / is the root the container sees', () => {
      const stacked = `20 1 0:40 / / rw - ext4 /dev/sda rw\n${ROOT_RO}`;
      expectPass(run('conformance.readonly-rootfs', { request: asked('readonlyRootfs', true), mountinfo: stacked }));
    });
  });

  describe('conformance.time-offsets', () => {
    const req = asked('timeOffsets', { monotonicSec: 604800, boottimeSec: 777600 });
    it('passes on the offsets asked', () => expectPass(run('conformance.time-offsets', { request: req })));
    it('fails with asked/observed, naming the dropped time namespace', () => {
      const v = run('conformance.time-offsets', {
        request: req,
        timens: 'monotonic 0 0\nboottime 0 0\n',
        dropped: [{ key: 'timeOffsets', why: 'no time namespace to apply them in: refused' }],
      });
      expectFail(
        v,
        { 'timeOffsets monotonic': '604800 s', 'timeOffsets boottime': '777600 s' },
        {
          'timeOffsets monotonic': '0 s (t refused it and ran without it: no time namespace to apply them in: refused)',
          'timeOffsets boottime': '0 s (t refused it and ran without it: no time namespace to apply them in: refused)',
        },
      );
    });
    it('skips timens on a kernel without time namespaces', () => {
      expect(run('conformance.time-offsets', { request: req, hostNs: { time: null } }).requirement).to.equal('timens');
    });
  });

  describe('conformance.masked-paths and conformance.readonly-paths', () => {
    it('pass on /dev/null, read-only, and absent paths', () => {
      const paths = [{ path: '/proc/kcore', ...NULL_DEV }, { path: '/proc/sys', ...RO_DIR }, { path: '/proc/nope', errno: 2 } as never];
      expectPass(run('conformance.masked-paths', { request: asked('maskedPaths', ['/proc/kcore', '/proc/nope']), paths }));
      expectPass(run('conformance.readonly-paths', { request: asked('readonlyPaths', ['/proc/sys', '/proc/nope']), paths }));
    });
    it('fail on a readable or writable path, and on one the probe did not look at', () => {
      const paths = [{ path: '/proc/kcore', ...RW_DIR, fs_type: 0x9fa0 }];
      expectFail(
        run('conformance.masked-paths', { request: asked('maskedPaths', ['/proc/kcore', '/proc/other']), paths }),
        { 'maskedPaths /proc/kcore': 'masked', 'maskedPaths /proc/other': 'masked' },
        { 'maskedPaths /proc/kcore': 'readable', 'maskedPaths /proc/other': 'not observed (the probe was not asked for it)' },
      );
      expectFail(
        run('conformance.readonly-paths', { request: asked('readonlyPaths', ['/proc/kcore']), paths }),
        { 'readonlyPaths /proc/kcore': 'read-only' },
        { 'readonlyPaths /proc/kcore': 'writable' },
      );
    });
  });

  describe('conformance.sysctls and conformance.rlimits', () => {
    const req = asked('sysctls', { 'net.ipv4.ping_group_range': '0 2147483647' }, 'user config');
    it('pass on the values asked (a vector compared word by word)', () => {
      expectPass(run('conformance.sysctls', { request: req, sysctls: [{ name: 'net.ipv4.ping_group_range', text: '0\t2147483647\n', errno: 0 }] }));
      expectPass(
        run('conformance.rlimits', { request: asked('rlimits', { nofile: { soft: 1024, hard: 1024 }, memlock: { soft: 8388608, hard: 2 ** 64 - 1 } }) }),
      );
    });
    it('fail with asked/observed', () => {
      expectFail(
        run('conformance.sysctls', { request: req, sysctls: [{ name: 'net.ipv4.ping_group_range', text: '1\t0\n', errno: 0 }] }),
        { 'sysctls net.ipv4.ping_group_range': '"0 2147483647"' },
        { 'sysctls net.ipv4.ping_group_range': '"1 0"' },
      );
      expectFail(
        run('conformance.rlimits', { request: asked('rlimits', { nofile: { soft: 1024, hard: 4096 }, nproc: { soft: 10, hard: 10 } }) }),
        { 'rlimits nofile': '1024:4096', 'rlimits nproc': '10:10' },
        { 'rlimits nofile': '1024:1024', 'rlimits nproc': '4096:4096' },
      );
    });
  });
});
