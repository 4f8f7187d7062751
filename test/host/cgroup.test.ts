import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { cgroupMounts, detectCgroupLayout, readCgroupEvents } from '../../host/cgroup.js';

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
      version: 'v1',
      mode: 'hybrid',
      controllers: { pids: '/sys/fs/cgroup/pids', memory: '/sys/fs/cgroup/memory', cpu: '/sys/fs/cgroup/cpu,cpuacct' },
    });
  });

  const cases: [string, string[], ReturnType<typeof detectCgroupLayout>][] = [
    ['pure cgroup v2', [line(30, '/sys/fs/cgroup', 'cgroup2', 'rw,nsdelegate')], { version: 'v2', mode: 'v2', mountpoint: '/sys/fs/cgroup' }],
    ['cgroup v2 at a path with a space', [line(30, '/mnt/cg\\0402', 'cgroup2', 'rw')], { version: 'v2', mode: 'v2', mountpoint: '/mnt/cg 2' }],
    [
      'v1 only, a controller at a path with a space',
      [line(32, '/cg/my\\040pids', 'cgroup', 'rw,pids')],
      { version: 'v1', mode: 'v1', controllers: { pids: '/cg/my pids' } },
    ],
    // "cpuacct" names cpu only as a prefix: the super options are compared whole.
    ['v1 without the cpu controller', [line(32, '/sys/fs/cgroup/cpuacct', 'cgroup', 'rw,cpuacct')], { version: 'v1', mode: 'v1', controllers: {} }],
    ['no cgroup filesystem', [line(30, '/', 'ext4', 'rw')], { version: 'none', mode: 'none' }],
    ['empty mountinfo', [], { version: 'none', mode: 'none' }],
  ];
  for (const [name, lines, want] of cases) it(name, () => expect(detectCgroupLayout(lines.join('\n'))).to.deep.equal(want));

  it('cgroupMounts keeps v1 and v2 hierarchies, decoded', () => {
    const text = [line(30, '/sys/fs/cgroup', 'tmpfs', 'rw'), line(31, '/a\\040b', 'cgroup2', 'rw'), line(32, '/c', 'cgroup', 'rw,pids')].join('\n');
    expect(cgroupMounts(text).map((m) => [m.fsType, m.mountPoint])).to.deep.equal([
      ['cgroup2', '/a b'],
      ['cgroup', '/c'],
    ]);
  });
});

describe('cgroup event counters', () => {
  it('reads the counters that exist, trimmed, and skips the others', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-cgev-'));
    try {
      fs.writeFileSync(path.join(dir, 'pids.events'), 'max 3\n');
      expect(readCgroupEvents([dir, path.join(dir, 'absent')])).to.deep.equal({ 'pids.events': 'max 3' });
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});
