import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createCgroup } from '../../../targets/builtin/cgroup.js';

describe('cgroup placement on a fixture tree', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-cg-'));
  });
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
