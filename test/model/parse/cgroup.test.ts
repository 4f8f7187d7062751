import { expect } from 'chai';
import { cpuQuota, parseProcCgroup } from '../../../model/parse/cgroup.js';
import { ParseError } from '../../../model/parse/lines.js';

describe('parseProcCgroup', () => {
  const cases: [string, string, ReturnType<typeof parseProcCgroup>][] = [
    ['cgroup v2 only', '0::/user.slice/session-1.scope\n', [{ hierarchyId: 0, controllers: [], path: '/user.slice/session-1.scope' }]],
    ['a v1 named hierarchy', '9:name=systemd:/\n', [{ hierarchyId: 9, controllers: ['name=systemd'], path: '/' }]],
    ['co-mounted v1 controllers', '2:cpu,cpuacct:/docker/abc\n', [{ hierarchyId: 2, controllers: ['cpu', 'cpuacct'], path: '/docker/abc' }]],
    ['a path with a colon', '0::/a:b\n', [{ hierarchyId: 0, controllers: [], path: '/a:b' }]],
    ['outside the cgroup namespace root', '0::/../../sibling\n', [{ hierarchyId: 0, controllers: [], path: '/../../sibling' }]],
  ];
  for (const [name, text, want] of cases) it(name, () => expect(parseProcCgroup(text)).to.deep.equal(want));

  it('reads the hybrid layout recorded on the development VM', () => {
    const text = '9:name=systemd:/\n8:pids:/\n4:memory:/system.slice/isoprobe-test.scope\n1:cpu:/\n0::/\n';
    expect(parseProcCgroup(text).map((e) => e.hierarchyId)).to.deep.equal([9, 8, 4, 1, 0]);
  });

  const bad: [string, string][] = [
    ['one colon', '0:/\n'],
    ['no id', ':cpu:/\n'],
    ['a word id', 'x:cpu:/\n'],
  ];
  for (const [name, text] of bad) it(`throws on ${name}`, () => expect(() => parseProcCgroup(text)).to.throw(ParseError, /^cgroup line 1: /));
});

describe('cpuQuota', () => {
  const cases: [string, Record<string, string>, number | 'none'][] = [
    ['v2 quota', { 'cpu.max': '50000 100000' }, 0.5],
    ['v2 no quota', { 'cpu.max': 'max 100000' }, 'none'],
    ['v1 quota', { 'cpu.cfs_quota_us': '150000', 'cpu.cfs_period_us': '100000' }, 1.5],
    ['v1 no quota', { 'cpu.cfs_quota_us': '-1', 'cpu.cfs_period_us': '100000' }, 'none'],
    ['nothing read', {}, 'none'],
  ];
  for (const [name, limits, want] of cases) it(`${name} → ${want}`, () => expect(cpuQuota(limits)).to.equal(want));
});
