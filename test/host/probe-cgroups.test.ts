import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { removeProbeCgroups } from '../../host/probe-cgroups.js';

describe('cgroups the probe made', () => {
  let root = '';
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-pcg-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("removes this run's probe directories at each cgroup mount root, nothing else", () => {
    for (const d of [
      'sys/fs/cgroup/pids/isoprobe-probe-n1-builtin',
      'sys/fs/cgroup/pids/isoprobe-probe-n2-other',
      'sys/fs/cgroup/unified/isoprobe-probe-n1-x',
      'proc/isoprobe-probe-n1-y',
    ]) {
      fs.mkdirSync(path.join(root, d), { recursive: true });
    }
    const mountinfo = [
      '39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids',
      '41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw',
      '22 1 0:21 / /proc rw - proc proc rw',
      '43 31 0:40 / /sys/fs/cgroup/absent rw - cgroup cgroup rw,cpu',
    ].join('\n');
    expect(removeProbeCgroups('isoprobe-probe-n1-', mountinfo, root)).to.deep.equal([
      '/sys/fs/cgroup/pids/isoprobe-probe-n1-builtin',
      '/sys/fs/cgroup/unified/isoprobe-probe-n1-x',
    ]);
    expect(fs.readdirSync(path.join(root, 'sys/fs/cgroup/pids'))).to.deep.equal(['isoprobe-probe-n2-other']);
    expect(fs.existsSync(path.join(root, 'proc/isoprobe-probe-n1-y'))).to.equal(true);
  });
  it('never throws on unreadable mountinfo', () => {
    expect(removeProbeCgroups('x', 'garbage', root)).to.deep.equal([]);
  });
});
