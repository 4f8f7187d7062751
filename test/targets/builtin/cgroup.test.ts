import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { detectCgroupLayout } from '../../../host/cgroup.js';
import { createCgroup } from '../../../targets/builtin/cgroup.js';

const line = (id: number, point: string, fsType: string, superOpts: string) =>
  `${id} 1 0:${id} / ${point} rw,nosuid shared:${id} - ${fsType} ${fsType} ${superOpts}`;

describe('cgroup layout detection', () => {
  it('finds a hybrid layout (v1 controllers plus a cgroup2 mount)', () => {
    const text = [
      line(30, '/sys/fs/cgroup', 'tmpfs', 'rw,mode=755'),
      line(31, '/sys/fs/cgroup/unified', 'cgroup2', 'rw'),
      line(32, '/sys/fs/cgroup/pids', 'cgroup', 'rw,pids'),
      line(33, '/sys/fs/cgroup/memory', 'cgroup', 'rw,memory'),
      line(34, '/sys/fs/cgroup/cpu,cpuacct', 'cgroup', 'rw,cpu,cpuacct'),
    ].join('\n');
    expect(detectCgroupLayout(text)).to.deep.equal({
      version: 'v1', mode: 'hybrid',
      controllers: { pids: '/sys/fs/cgroup/pids', memory: '/sys/fs/cgroup/memory', cpu: '/sys/fs/cgroup/cpu,cpuacct' },
    });
  });
  it('finds pure cgroup v2', () => {
    expect(detectCgroupLayout(line(30, '/sys/fs/cgroup', 'cgroup2', 'rw,nsdelegate'))).to.deep.equal({ version: 'v2', mode: 'v2', mountpoint: '/sys/fs/cgroup' });
  });
  it('says none when no cgroup filesystem is mounted', () => {
    expect(detectCgroupLayout(line(30, '/', 'ext4', 'rw')).mode).to.equal('none');
  });
});

describe('cgroup placement on a fixture tree', () => {
  let root: string;
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-cg-')); });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes v1 limit files per controller', () => {
    const ctrl = { pids: path.join(root, 'pids'), memory: path.join(root, 'memory') };
    const cg = createCgroup({ version: 'v1', mode: 'v1', controllers: ctrl }, 'c1', { pids: 64, memoryBytes: 1024, cpus: 0.5 });
    expect(cg.readLimits()).to.deep.equal({ 'pids.max': '64', 'memory.limit_in_bytes': '1024' });
    expect(cg.unsupported).to.have.keys('cpu');
    cg.join(1234);
    expect(fs.readFileSync(path.join(root, 'pids/isoprobe/c1/cgroup.procs'), 'utf8')).to.equal('1234');
  });
  it('writes v2 limits only for available controllers and enables them on the way down', () => {
    fs.writeFileSync(path.join(root, 'cgroup.controllers'), 'cpu pids hugetlb\n');
    const cg = createCgroup({ version: 'v2', mode: 'v2', mountpoint: root }, 'c2', { pids: 10, memoryBytes: 1024, cpus: 0.25 });
    expect(cg.readLimits()).to.deep.equal({ 'pids.max': '10', 'cpu.max': '25000 100000' });
    expect(cg.unsupported).to.have.keys('memory');
    expect(fs.readFileSync(path.join(root, 'isoprobe/cgroup.subtree_control'), 'utf8')).to.equal('+pids +cpu');
  });
});
