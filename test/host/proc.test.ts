import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { readIdMap, readMountinfo, readProcCgroup, readStatus } from '../../host/proc.js';

describe('host/proc: /proc/<pid>/<file> through its parser, on a fixture tree', () => {
  let root = '';
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-proc-'));
    const files: Record<string, string> = {
      '42/mountinfo': '22 27 0:21 / /proc rw,relatime - proc proc rw\n301 300 0:52 / /tmp/my\\040dir ro - tmpfs isoprobe-n1 rw\n',
      '7/uid_map': '0 100000 65536\n',
      '7/gid_map': '0 200000 10\n',
      'self/status': 'Name:\tprobe\nNoNewPrivs:\t1\nSeccomp:\t2\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n',
      '1/cgroup': '0::/\n',
    };
    for (const [f, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), text);
    }
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('readMountinfo decodes a mount point with a space', () => {
    expect(readMountinfo(root, 42).map((m) => m.mountPoint)).to.deep.equal(['/proc', '/tmp/my dir']);
  });
  it('readIdMap reads uid_map and gid_map', () => {
    expect(readIdMap(root, 7, 'uid')).to.deep.equal([{ inside: 0, outside: 100000, count: 65536 }]);
    expect(readIdMap(root, 7, 'gid')).to.deep.equal([{ inside: 0, outside: 200000, count: 10 }]);
  });
  it('readStatus reads status', () => expect(readStatus(root, 'self').seccomp).to.equal(2));
  it('readProcCgroup reads cgroup', () => {
    expect(readProcCgroup(root, 1)).to.deep.equal([{ hierarchyId: 0, controllers: [], path: '/' }]);
  });
  it('an absent process is ENOENT, not an empty list', () => expect(() => readMountinfo(root, 99)).to.throw(/ENOENT/));
});
