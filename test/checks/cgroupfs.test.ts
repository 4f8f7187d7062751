import { AssertionError, expect } from 'chai';
import type { CgroupfsFacts, CgroupLeaveFacts } from '../../model/facts.js';
import { parseProcCgroup } from '../../model/parse/cgroup.js';
import { cannotLeave, cgroupfsReadonly, cgroupMoves } from '../../checks/cgroupfs.js';

const mount = (over: Partial<CgroupfsFacts['mounts'][number]> = {}): CgroupfsFacts['mounts'][number] => ({
  mount_point: '/sys/fs/cgroup/pids',
  root: '/',
  fs_type: 'cgroup',
  super_options: 'rw,pids',
  ro_option: true,
  rdonly: 1,
  mkdir_errno: 30,
  rmdir_errno: -1,
  ...over,
});
const fs = (mounts: CgroupfsFacts['mounts'], refused: CgroupfsFacts['refused'] = null): CgroupfsFacts => ({ mountinfo_errno: 0, refused, mounts });

function failure(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).to.be.instanceOf(AssertionError);
    return (e as Error).message;
  }
  throw new Error('the check passed');
}

describe('cgroup.cgroupfs-readonly', () => {
  it('passes on read-only mounts where mkdir is refused, with each mount as evidence', () => {
    const ev = cgroupfsReadonly(fs([mount(), mount({ mount_point: '/sys/fs/cgroup/unified', fs_type: 'cgroup2', mkdir_errno: 13 })]));
    expect(ev).to.include('2 cgroup mounts inside').and.include('/sys/fs/cgroup/pids (cgroup, root /): ro, mkdir at its root refused, EROFS (30)');
  });
  it('passes with no cgroupfs inside, saying so', () => {
    expect(cgroupfsReadonly(fs([]))).to.match(/^no cgroup or cgroup2 mount inside/);
  });
  const failing: [string, CgroupfsFacts, RegExp][] = [
    ['a read-write mount even where mkdir is refused', fs([mount({ ro_option: false, rdonly: 0, mkdir_errno: 13 })]), /mounted read-write/],
    ['a mount statvfs sees writable', fs([mount({ rdonly: 0 })]), /mounted read-write/],
    ['a child cgroup made', fs([mount({ mkdir_errno: 0, rmdir_errno: 0 })]), /child cgroup was made.*made \(then removed: success\)/],
    ['no attempt (host namespaces)', fs([mount({ mkdir_errno: -1 })], 'shared-with-host'), /made no mkdir attempt.*shared-with-host/],
  ];
  for (const [name, facts, msg] of failing) it(`fails on ${name}`, () => expect(failure(() => cgroupfsReadonly(facts))).to.match(msg));
  it("fails as not observed without the probe's facts", () => {
    expect(failure(() => cgroupfsReadonly(undefined))).to.match(/not observed/);
  });
});

describe('cgroup.cannot-leave', () => {
  const own = '8:pids:/isoprobe/c1\n0::/\n';
  const leave = (over: Partial<CgroupLeaveFacts> = {}): CgroupLeaveFacts => ({
    errno: 0,
    refused: null,
    before: own,
    after: own,
    attempts: [
      { path: '/sys/fs/cgroup/pids/isoprobe', own: false, errno: 30 },
      { path: '/sys/fs/cgroup/pids', own: false, errno: 30 },
    ],
    ...over,
  });
  it('names each hierarchy whose path changed', () => {
    expect(cgroupMoves(parseProcCgroup(own), parseProcCgroup('8:pids:/\n0::/\n'))).to.deep.equal(['pids: /isoprobe/c1 → /']);
    expect(cgroupMoves(parseProcCgroup(own), parseProcCgroup(own))).to.deep.equal([]);
  });
  it("passes when every write is refused, with before, after, each attempt and the host's placement", () => {
    const ev = cannotLeave(leave(), { paths: ['/sys/fs/cgroup/pids/isoprobe/c1'], procCgroup: '8:pids:/isoprobe/c1\n0::/user.slice\n' });
    expect(ev)
      .to.include('before: pids:/isoprobe/c1 v2:/')
      .and.include('/sys/fs/cgroup/pids/cgroup.procs: EROFS (30)')
      .and.include('host placed the container in /sys/fs/cgroup/pids/isoprobe/c1')
      .and.include("host's view of its /proc/<pid>/cgroup before the probe ran: pids:/isoprobe/c1 v2:/user.slice");
  });
  it('passes when only its own cgroup.procs accepted the pid (no move)', () => {
    expect(() => cannotLeave(leave({ attempts: [{ path: '/sys/fs/cgroup/pids', own: true, errno: 0 }] }), { paths: [] })).to.not.throw();
  });
  it('fails when it moved', () => {
    expect(
      failure(() => cannotLeave(leave({ after: '8:pids:/\n0::/\n', attempts: [{ path: '/sys/fs/cgroup/pids', own: false, errno: 0 }] }), { paths: [] })),
    ).to.match(/moved out of its cgroup/);
  });
  it('fails when another cgroup accepted its pid, even if /proc/self/cgroup did not show a move', () => {
    expect(failure(() => cannotLeave(leave({ attempts: [{ path: '/sys/fs/cgroup/pids', own: false, errno: 0 }] }), { paths: [] }))).to.match(
      /another cgroup's cgroup.procs accepted its pid/,
    );
  });
  it('fails when nothing was attempted or observed', () => {
    expect(failure(() => cannotLeave(leave({ refused: 'host-ns-unknown', before: '', after: '', attempts: [] }), { paths: [] }))).to.match(/made no attempt/);
    expect(failure(() => cannotLeave(leave({ errno: 110, before: '', after: '', attempts: [] }), { paths: [] }))).to.match(/did not report back/);
    expect(failure(() => cannotLeave(undefined, { paths: [] }))).to.match(/not observed/);
  });
});
