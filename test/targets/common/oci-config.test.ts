import { expect } from 'chai';
import { DEFAULT_SPEC, type ContainerSpec } from '../../../model/spec.js';
import { DEFAULT_CAPS, madeNamespaces, ociConfig, OCI_VERSION, type OciConfigOptions } from '../../../targets/common/oci-config.js';
import { DENIED_SYSCALLS } from '../../../targets/common/oci-seccomp.js';

const OPTS: OciConfigOptions = {
  rootfs: '/run/isoprobe/r/rootfs',
  scratch: '/run/isoprobe/r/c1/scratch',
  idMapping: { hostBase: 100_000, count: 65_536 },
  cgroupsPath: '/isoprobe-1-1-runc',
  hostCaps: ['CAP_CHOWN', 'CAP_SYS_ADMIN', 'CAP_SYS_TIME'],
};

function spec(over: Partial<ContainerSpec> = {}): ContainerSpec {
  return { ...DEFAULT_SPEC, argv: ['/isoprobe/probe', 'facts'], ...over };
}

// The config as a loosely typed tree, for the assertions.
// biome-ignore lint/suspicious/noExplicitAny: the generated config.json is walked freely by the assertions
type Tree = Record<string, any>;
const config = (s: ContainerSpec, o: Partial<OciConfigOptions> = {}) => ociConfig(s, { ...OPTS, ...o }) as Tree;
const mountAt = (c: Tree, dest: string) => c.mounts.find((m: Tree) => m.destination === dest);

describe('ContainerSpec → OCI config.json', () => {
  it('speaks runtime-spec 1.0.2 (crun 1.8.1 refuses ≥ 1.2)', () => {
    expect(config(spec()).ociVersion).to.equal('1.0.2');
    expect(OCI_VERSION).to.equal('1.0.2');
  });

  it('makes all eight namespaces by default, with id maps and time offsets', () => {
    const c = config(spec());
    expect(c.linux.namespaces.map((n: Tree) => n.type)).to.deep.equal(['pid', 'mount', 'network', 'uts', 'ipc', 'user', 'time', 'cgroup']);
    expect(c.linux.uidMappings).to.deep.equal([{ containerID: 0, hostID: 100_000, size: 65_536 }]);
    expect(c.linux.gidMappings).to.deep.equal(c.linux.uidMappings);
    expect(c.linux.timeOffsets).to.deep.equal({ monotonic: { secs: 604_800, nanosecs: 0 }, boottime: { secs: 777_600, nanosecs: 0 } });
    expect(c.hostname).to.equal('isoprobe');
  });

  it('leaves out the shared namespaces and what belongs to them', () => {
    const c = config(spec({ share: ['user', 'time', 'uts'] }));
    expect(c.linux.namespaces.map((n: Tree) => n.type)).to.deep.equal(['pid', 'mount', 'network', 'ipc', 'cgroup']);
    expect(c.linux).to.not.have.any.keys('uidMappings', 'gidMappings', 'timeOffsets');
    expect(c).to.not.have.property('hostname'); // runc refuses a hostname without a UTS namespace
  });

  it('leaves out a namespace the runtime refused', () => {
    expect(madeNamespaces(spec(), ['time'])).to.not.include('time');
    expect(config(spec(), { omit: ['time'] }).linux).to.not.have.property('timeOffsets');
  });

  it("mounts proc, sysfs and mqueue where the user namespace owns theirs, binds the host's otherwise", () => {
    const own = config(spec());
    expect([mountAt(own, '/proc').type, mountAt(own, '/sys').type, mountAt(own, '/dev/mqueue')?.type]).to.deep.equal(['proc', 'sysfs', 'mqueue']);
    const shared = config(spec({ share: ['pid', 'net', 'ipc'] }));
    expect(mountAt(shared, '/proc')).to.include({ type: 'none', source: '/proc' });
    expect(mountAt(shared, '/sys')).to.include({ type: 'none', source: '/sys' });
    expect(mountAt(shared, '/sys').options).to.include.members(['rbind', 'ro', 'rro']);
    expect(mountAt(shared, '/dev/mqueue')).to.equal(undefined);
    // Without a new user namespace, root may mount them for any namespace.
    const hostUser = config(spec({ share: ['user', 'pid', 'net'] }));
    expect([mountAt(hostUser, '/proc').type, mountAt(hostUser, '/sys').type]).to.deep.equal(['proc', 'sysfs']);
  });

  it('binds the scratch directory read-write and keeps the root read-only', () => {
    const c = config(spec());
    expect(mountAt(c, '/scratch')).to.include({ source: OPTS.scratch, type: 'none' });
    expect(c.root).to.deep.equal({ path: OPTS.rootfs, readonly: true });
  });

  it("keeps Docker's 14 default capabilities, or the harness's whole bounding set for caps=all", () => {
    expect(config(spec()).process.capabilities.bounding).to.deep.equal(DEFAULT_CAPS).and.to.have.length(14);
    const all = config(spec({ caps: 'all' })).process.capabilities;
    expect(all).to.deep.equal({ bounding: OPTS.hostCaps, effective: OPTS.hostCaps, permitted: OPTS.hostCaps, inheritable: [], ambient: [] });
  });

  it('translates the limits, and no limits into none', () => {
    expect(config(spec()).linux.resources).to.deep.equal({
      devices: [{ allow: false, access: 'rwm' }],
      pids: { limit: 64 },
      memory: { limit: 67_108_864, swap: 67_108_864 },
      cpu: { quota: 50_000, period: 100_000 },
    });
    expect(config(spec({ limits: {} })).linux.resources).to.deep.equal({ devices: [{ allow: false, access: 'rwm' }] });
  });

  it('installs the project\'s deny-list filter unless seccomp is "none"', () => {
    const sc = config(spec()).linux.seccomp;
    expect(sc.defaultAction).to.equal('SCMP_ACT_ALLOW');
    expect(sc.syscalls[0]).to.deep.include({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 });
    expect(sc.syscalls[0].names).to.deep.equal(DENIED_SYSCALLS).and.to.include.members(['keyctl', 'bpf', 'io_uring_setup', 'mount']);
    expect(sc.syscalls[2]).to.deep.include({ names: ['unshare', 'clone'], errnoRet: 1 });
    expect(config(spec({ seccomp: 'none' })).linux).to.not.have.property('seccomp');
  });

  it('sets no_new_privs as the spec says, and masks and write-protects like runc spec', () => {
    expect(config(spec()).process.noNewPrivileges).to.equal(true);
    expect(config(spec({ noNewPrivs: false })).process.noNewPrivileges).to.equal(false);
    const c = config(spec());
    expect(c.linux.maskedPaths).to.include.members(['/proc/kcore', '/proc/keys', '/sys/firmware', '/sys/devices/virtual/powercap']);
    expect(c.linux.readonlyPaths).to.include.members(['/proc/sys', '/proc/sysrq-trigger', '/proc/irq', '/proc/bus']);
    expect(c.linux.cgroupsPath).to.equal(OPTS.cgroupsPath);
    expect(c.process).to.deep.include({ args: ['/isoprobe/probe', 'facts'], cwd: '/', terminal: false, user: { uid: 0, gid: 0 } });
  });
});

describe('an OCI sibling that joins the first (the cross area)', () => {
  it("names the first's namespaces by path, its user namespace too, and no hostname for a joined UTS", () => {
    const c = config(spec({ joinSibling: { namespaces: ['net', 'uts'], pid: 9 } }));
    const paths = Object.fromEntries(c.linux.namespaces.filter((n: Tree) => n.path).map((n: Tree) => [n.type, n.path]));
    expect(paths).to.deep.equal({ network: '/proc/9/ns/net', uts: '/proc/9/ns/uts', user: '/proc/9/ns/user' });
    expect(c.hostname).to.equal(undefined);
    expect(config(spec({ joinSibling: { namespaces: ['pid'], pid: 9 } })).hostname).to.equal('isoprobe');
  });
});
