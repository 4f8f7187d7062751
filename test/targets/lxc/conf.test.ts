import { expect } from 'chai';
import { keepLine, limitLines, lxcConfig, type LxcRequest } from '../../../targets/lxc/conf.js';

const REQ: LxcRequest = {
  hostname: 'isoprobe',
  share: [],
  idmap: null,
  caps: 'default',
  seccomp: 'default',
  noNewPrivs: false,
  limits: { pids: 64, memoryBytes: 1024, cpus: 0.5 },
  timeOffsets: { monotonicSec: 60, boottimeSec: 120 },
  env: {},
  config: [],
};
const PATHS = { root: '/r/root', scratch: '/r/scratch', cgroup: 'isoprobe/c-1' };
const V1 = { version: 'v1', mode: 'hybrid', controllers: {} } as const;
const V2 = { version: 'v2', mode: 'v2', mountpoint: '/sys/fs/cgroup' } as const;
const lines = (r: Partial<LxcRequest>, layout: Parameters<typeof lxcConfig>[2] = V1) =>
  lxcConfig({ ...REQ, ...r }, PATHS, layout)
    .trim()
    .split('\n');

describe('LXC configuration', () => {
  it("is Debian's default.conf with an empty network, common.conf, the root, hostname, mounts, cgroups, limits and offsets", () => {
    expect(lines({})).to.deep.equal([
      'lxc.apparmor.profile = generated',
      'lxc.apparmor.allow_nesting = 1',
      'lxc.net.0.type = empty',
      'lxc.net.0.flags = up',
      'lxc.include = /usr/share/lxc/config/common.conf',
      'lxc.rootfs.path = dir:/r/root',
      'lxc.uts.name = isoprobe',
      'lxc.mount.entry = shm dev/shm tmpfs defaults,create=dir 0 0',
      'lxc.mount.entry = /r/scratch scratch none rw,bind 0 0',
      'lxc.cgroup.dir.container = isoprobe/c-1/payload',
      'lxc.cgroup.dir.monitor = isoprobe/c-1/monitor',
      'lxc.cgroup.dir.monitor.pivot = isoprobe/c-1/pivot',
      'lxc.cgroup.pids.max = 64',
      'lxc.cgroup.memory.limit_in_bytes = 1024',
      'lxc.cgroup.cpu.cfs_period_us = 100000',
      'lxc.cgroup.cpu.cfs_quota_us = 50000',
      'lxc.time.offset.monotonic = 60s',
      'lxc.time.offset.boot = 120s',
    ]);
  });

  it('writes cgroup2 keys on a v2 host and none where there are no cgroups', () => {
    expect(limitLines(REQ.limits, V2)).to.deep.equal(['lxc.cgroup2.pids.max = 64', 'lxc.cgroup2.memory.max = 1024', 'lxc.cgroup2.cpu.max = 50000 100000']);
    expect(limitLines(REQ.limits, { version: 'none', mode: 'none' })).to.deep.equal([]);
    expect(limitLines({}, V1)).to.deep.equal([]);
  });

  it('keeps namespaces with the user namespace listed, and drops the network lines and the hostname it keeps', () => {
    expect(keepLine([])).to.equal(null);
    const l = lines({ share: ['net', 'uts'] });
    expect(l).to.include('lxc.namespace.keep = user net uts');
    expect(l.filter((x) => x.startsWith('lxc.net.') || x.startsWith('lxc.uts.'))).to.deep.equal([]);
  });

  it('maps ids, clears the caps drop list and the seccomp profile after common.conf, sets no_new_privs, plants variables, ends with raw lines', () => {
    const l = lines({
      idmap: { uid: { start: 100, count: 10 }, gid: { start: 200, count: 20 } },
      caps: 'all',
      seccomp: 'none',
      noNewPrivs: true,
      env: { A_TOKEN: 'x' },
      config: ['lxc.cap.drop = sys_admin'],
    });
    expect(l).to.include.members(['lxc.idmap = u 0 100 10', 'lxc.idmap = g 0 200 20', 'lxc.environment = A_TOKEN=x', 'lxc.no_new_privs = 1']);
    const at = (s: string) => l.indexOf(s);
    expect(at('lxc.cap.drop =')).to.be.greaterThan(at('lxc.include = /usr/share/lxc/config/common.conf'));
    expect(at('lxc.seccomp.profile =')).to.be.greaterThan(at('lxc.include = /usr/share/lxc/config/common.conf'));
    expect(l.at(-1)).to.equal('lxc.cap.drop = sys_admin');
  });
});
