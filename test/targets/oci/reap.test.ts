import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { cgroupMountPoints, removeCgroupPath } from '../../../targets/oci/cgroups.js';
import { staleIds } from '../../../targets/oci/reap.js';

describe('reaping OCI containers of killed runs', () => {
  it('takes only isoprobe ids whose owning run is dead', () => {
    const alive = new Set([100]);
    const ids = ['isoprobe-100-1-runc', 'isoprobe-200-3-runc-hostpid', 'isoprobe-x-1-runc', 'someone-else', `isoprobe-${process.pid}-1-runc`];
    expect(staleIds(ids, (pid) => alive.has(pid))).to.deep.equal(['isoprobe-200-3-runc-hostpid']);
  });
});

describe('removing an OCI cgroupsPath from every hierarchy', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-cg-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds every v1 and v2 mount point in mountinfo', () => {
    const mountinfo = [
      '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
      '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
      '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
      '50 23 0:45 / /mnt/my\\040cgroup rw,relatime - cgroup cgroup rw,name=x',
    ].join('\n');
    expect(cgroupMountPoints(mountinfo)).to.deep.equal(['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/unified', '/mnt/my cgroup']);
  });

  it('removes the directory where it exists and leaves the other hierarchies alone', async () => {
    for (const h of ['pids', 'memory']) fs.mkdirSync(path.join(root, h, 'isoprobe-1-2-runc'), { recursive: true });
    fs.mkdirSync(path.join(root, 'cpu', 'other'), { recursive: true });
    await removeCgroupPath(
      '/isoprobe-1-2-runc',
      ['pids', 'memory', 'cpu'].map((h) => path.join(root, h)),
    );
    expect(['pids', 'memory', 'cpu'].map((h) => fs.readdirSync(path.join(root, h)))).to.deep.equal([[], [], ['other']]);
  });
});
