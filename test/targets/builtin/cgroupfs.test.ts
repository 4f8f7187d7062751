import { expect } from 'chai';
import { cgroupfsArgs, cgroupfsMounts, describeCgroupfs } from '../../../targets/builtin/cgroupfs.js';

const HYBRID = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd,release_agent=/x',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate',
  '50 23 0:36 / /mnt/elsewhere rw,relatime - cgroup cgroup rw,pids',
  '51 31 0:36 /a /sys/fs/cgroup/deep/er rw,relatime - cgroup cgroup rw,pids',
].join('\n');

describe('cgroupfs shown by the built-in runtime', () => {
  it('takes every hierarchy one level under /sys/fs/cgroup, with what selects it', () => {
    expect(cgroupfsMounts(HYBRID)).to.deep.equal([
      { type: 'cgroup', dir: 'cpu,cpuacct', options: 'cpu,cpuacct' },
      { type: 'cgroup', dir: 'pids', options: 'pids' },
      { type: 'cgroup', dir: 'systemd', options: 'name=systemd' },
      { type: 'cgroup2', dir: 'unified', options: '' },
    ]);
  });
  it("takes a pure v2 host's cgroup2 at /sys/fs/cgroup itself", () => {
    const mounts = cgroupfsMounts('30 23 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot');
    expect(mounts).to.deep.equal([{ type: 'cgroup2', dir: '', options: '' }]);
    expect(cgroupfsArgs(mounts)).to.deep.equal(['--cgroup-mount', 'cgroup2::']);
    expect(describeCgroupfs(mounts)).to.equal('cgroup2 at /sys/fs/cgroup');
  });
  it('says so when the host has none', () => {
    expect(cgroupfsMounts('22 1 0:21 / /proc rw - proc proc rw')).to.deep.equal([]);
    expect(describeCgroupfs([])).to.match(/^none/);
  });
});
