import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { cgroupResources, containerCgroups, nspawnHierarchies, placedCommand, removeCgroups } from '../../../targets/nspawn/cgroup.js';

const MOUNTINFO = [
  '30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
  '31 30 0:27 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  '32 30 0:28 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
  '33 30 0:29 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
].join('\n');

describe("systemd-nspawn's cgroups", () => {
  it('uses cgroup2 and the name=systemd hierarchy, not the v1 controllers', () => {
    expect(nspawnHierarchies(MOUNTINFO)).to.deep.equal(['/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd']);
  });

  it("journals the shared parent, the container's cgroup and nspawn's payload and supervisor in it", () => {
    const dirs = containerCgroups(['/sys/fs/cgroup/unified'], 'm1');
    expect(cgroupResources(dirs)).to.deep.equal([
      { kind: 'cgroup', path: '/sys/fs/cgroup/unified/isoprobe', shared: true },
      { kind: 'cgroup', path: '/sys/fs/cgroup/unified/isoprobe/m1' },
      { kind: 'cgroup', path: '/sys/fs/cgroup/unified/isoprobe/m1/payload' },
      { kind: 'cgroup', path: '/sys/fs/cgroup/unified/isoprobe/m1/supervisor' },
    ]);
  });

  it('starts nspawn through a shell that joins each cgroup and then execs it (same pid)', () => {
    const c = placedCommand(['/a/cgroup.procs', '/b/cgroup.procs'], '/usr/bin/systemd-nspawn', ['-D', '/r', '--', '/p']);
    expect(c.binary).to.equal('/bin/sh');
    expect(c.argv.slice(2)).to.deep.equal(['sh', '/a/cgroup.procs', '/b/cgroup.procs', '--', '/usr/bin/systemd-nspawn', '-D', '/r', '--', '/p']);
    expect(c.argv[1]).to.include('exec "$@"');
  });

  it('removes the subgroups, the cgroup and an empty parent (plain directories here)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-nspawn-cg-'));
    try {
      const [d] = containerCgroups([root], 'm1');
      for (const s of ['payload', 'supervisor']) fs.mkdirSync(path.join(d!, s), { recursive: true });
      await removeCgroups([d!]);
      expect(fs.readdirSync(root)).to.deep.equal([]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
