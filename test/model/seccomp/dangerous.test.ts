/**
 * The dangerous-syscall list judged through a stack (model/seccomp/dangerous.ts): refused by the
 * filter, delegated, held by a capability gate, or reachable; and whether the stack lets a user
 * namespace be made.
 */
import { expect } from 'chai';
import { retOf } from '../../../model/seccomp/action.js';
import { type ContainerPrivilege, DANGEROUS, type DangerousFinding, filterLetsUserNs, judgeDangerous } from '../../../model/seccomp/dangerous.js';
import { CLONE_NEW, type Stack } from '../../../model/seccomp/profile.js';
import { SYSCALLS } from '../../../model/seccomp/syscalls.js';
import { I386, nr, refuseCall, refuseWithFlag, X86_64 } from './asm.js';

const ALL_CAPS = new Set(DANGEROUS.flatMap((d) => [d.gate?.cap, ...Object.values(d.cases ?? {}).map((g) => g?.cap)]).filter((c): c is string => !!c));
/** A container in the initial user namespace (the privilege this file judges: its bounding set and whether it can make a user namespace). */
const priv = (bounding: ReadonlySet<string>, canMakeUserNs: boolean): ContainerPrivilege =>
  ({ bounding, canMakeUserNs, initUserNs: true }) as ContainerPrivilege;
const root = priv(ALL_CAPS, false);
const noCaps = priv(new Set(), false);
const noCapsUserNs = priv(new Set(), true);

const find = (fs: DangerousFinding[], name: string, label?: string) => {
  const f = fs.find((x) => x.name === name && x.case === label);
  if (!f) throw new Error(`no finding for ${name} ${label ?? ''}`);
  return f;
};
const x = (name: string) => nr('x86_64', name);

describe('seccomp dangerous calls', () => {
  it('lists each dangerous call the ABI has, once per case for the calls with cases', () => {
    const fs = judgeDangerous([], 'x86_64', root);
    const names = new Set(SYSCALLS.x86_64.map(([, n]) => n));
    const expected = DANGEROUS.flatMap((d) =>
      d.names.filter((n) => names.has(n)).flatMap((n) => (d.cases ? Object.keys(d.cases).map((c) => `${n} ${c}`) : [n])),
    );
    expect(fs.map((f) => (f.case ? `${f.name} ${f.case}` : f.name))).to.deep.equal(expected);
    expect(fs.every((f) => f.abi === 'x86_64')).to.equal(true);
    // stime is an i386 call only.
    expect(fs.some((f) => f.name === 'stime')).to.equal(false);
    expect(judgeDangerous([], 'i386', root).some((f) => f.name === 'stime')).to.equal(true);
  });

  it('no filter and every capability: every call reachable, its verdict allow', () => {
    const fs = judgeDangerous([], 'x86_64', root);
    expect(fs.filter((f) => f.standing !== 'reachable')).to.deep.equal([]);
    expect(find(fs, 'keyctl')).to.deep.equal({ name: 'keyctl', abi: 'x86_64', standing: 'reachable', detail: 'allow' });
  });

  describe('standing of a call without cases', () => {
    const table: [string, Stack, ContainerPrivilege, string, DangerousFinding['standing'], string][] = [
      ['refused by the filter', [refuseCall(X86_64, x('keyctl'))], root, 'keyctl', 'refused', 'errno(1)'],
      ['refused with kill', [refuseCall(X86_64, x('bpf'), retOf('kill_process'))], root, 'bpf', 'refused', 'kill_process'],
      ['delegated to a tracer', [refuseCall(X86_64, x('ptrace'), retOf('trace', 3))], noCaps, 'ptrace', 'delegated', 'trace(3)'],
      ['delegated to a supervisor', [refuseCall(X86_64, x('bpf'), retOf('user_notif'))], root, 'bpf', 'delegated', 'user_notif'],
      ['allowed and ungated: reachable without any capability', [], noCaps, 'keyctl', 'reachable', 'allow'],
      ['logged counts as running', [refuseCall(X86_64, x('userfaultfd'), retOf('log'))], noCaps, 'userfaultfd', 'reachable', 'log'],
      ['a capability missing from the bounding set holds the call', [], noCaps, 'open_by_handle_at', 'held', 'allow, held: no CAP_DAC_READ_SEARCH'],
      ['with the capability, the same call is reachable', [], root, 'open_by_handle_at', 'reachable', 'allow'],
      ['a userns:false gate holds even when a user namespace can be made', [], noCapsUserNs, 'init_module', 'held', 'allow, held: no CAP_SYS_MODULE'],
      ['a userns:true gate holds while no user namespace can be made', [], noCaps, 'mount', 'held', 'allow, held: no CAP_SYS_ADMIN'],
      ['a userns:true gate does not hold when the container can make a user namespace', [], noCapsUserNs, 'mount', 'reachable', 'allow'],
      ['a refused gated call is refused, not held', [refuseCall(X86_64, x('reboot'))], noCaps, 'reboot', 'refused', 'errno(1)'],
      ['a call refused only for i386 stays reachable natively', [refuseCall(I386, nr('i386', 'keyctl'))], noCaps, 'keyctl', 'reachable', 'allow'],
    ];
    for (const [title, stack, priv, name, standing, detail] of table) {
      it(title, () => {
        const f = find(judgeDangerous(stack, 'x86_64', priv), name);
        expect([f.standing, f.detail]).to.deep.equal([standing, detail]);
      });
    }
    it('one capability of the bounding set opens only its own gates', () => {
      const fs = judgeDangerous([], 'x86_64', priv(new Set(['CAP_SYS_TIME']), false));
      expect(find(fs, 'settimeofday').standing).to.equal('reachable');
      expect(find(fs, 'clock_settime').standing).to.equal('reachable');
      expect(find(fs, 'reboot').standing).to.equal('held');
    });
    it('a call filtered by argument is judged by its loosest case', () => {
      // keyctl refused only when args[0] has bit 0 set: the zero case runs.
      const fs = judgeDangerous([refuseWithFlag(X86_64, x('keyctl'), 0, 1)], 'x86_64', noCaps);
      expect(find(fs, 'keyctl')).to.deep.equal({ name: 'keyctl', abi: 'x86_64', standing: 'reachable', detail: 'conditional, loosest allow' });
      const gated = find(judgeDangerous([refuseWithFlag(X86_64, x('ptrace'), 0, 1)], 'x86_64', noCaps), 'ptrace');
      expect([gated.standing, gated.detail]).to.deep.equal(['held', 'conditional, loosest allow, held: no CAP_SYS_PTRACE']);
    });
  });

  describe('calls dangerous only with some arguments', () => {
    const CLONE = x('clone');
    const UNSHARE = x('unshare');
    it('unshare(CLONE_NEWUSER) needs no capability; the other namespaces take CAP_SYS_ADMIN in a user namespace', () => {
      const fs = judgeDangerous([], 'x86_64', noCaps);
      expect(find(fs, 'unshare', 'flags=CLONE_NEWUSER').standing).to.equal('reachable');
      expect(find(fs, 'unshare', 'flags=CLONE_NEWNS')).to.deep.include({ standing: 'held', detail: 'allow, held: no CAP_SYS_ADMIN' });
      expect(find(judgeDangerous([], 'x86_64', noCapsUserNs), 'unshare', 'flags=CLONE_NEWNS').standing).to.equal('reachable');
      expect(fs.some((f) => f.name === 'unshare' && f.case === 'flags=0')).to.equal(false);
      expect(fs.some((f) => f.name === 'clone' && f.case === 'flags=SIGCHLD')).to.equal(false);
    });
    it('each case takes its own verdict from the filter', () => {
      const stack = [refuseWithFlag(X86_64, CLONE, 0, CLONE_NEW.CLONE_NEWUSER), refuseWithFlag(X86_64, UNSHARE, 0, CLONE_NEW.CLONE_NEWNET, retOf('trace', 1))];
      const fs = judgeDangerous(stack, 'x86_64', noCaps);
      expect(find(fs, 'clone', 'flags=CLONE_NEWUSER')).to.deep.include({ standing: 'refused', detail: 'errno(1)' });
      expect(find(fs, 'clone', 'flags=CLONE_NEWPID')).to.deep.include({ standing: 'held', detail: 'allow, held: no CAP_SYS_ADMIN' });
      expect(find(fs, 'unshare', 'flags=CLONE_NEWNET')).to.deep.include({ standing: 'delegated', detail: 'trace(1)' });
      expect(find(fs, 'unshare', 'flags=CLONE_NEWUSER').standing).to.equal('reachable');
    });
    it('a call refused by number refuses every case', () => {
      const fs = judgeDangerous([refuseCall(X86_64, UNSHARE)], 'x86_64', root);
      const cases = fs.filter((f) => f.name === 'unshare');
      expect(cases).to.have.length(Object.keys(CLONE_NEW).length);
      expect(cases.every((f) => f.standing === 'refused' && f.detail === 'errno(1)')).to.equal(true);
    });
    it('setns: every nstype, nstype=0 included, is gated by CAP_SYS_ADMIN in a user namespace', () => {
      const fs = judgeDangerous([], 'x86_64', noCaps).filter((f) => f.name === 'setns');
      expect(fs.map((f) => f.case)).to.deep.equal(['nstype=0', ...Object.keys(CLONE_NEW).map((k) => `nstype=${k}`)]);
      expect(fs.every((f) => f.standing === 'held')).to.equal(true);
      const withNs = judgeDangerous([], 'x86_64', noCapsUserNs).filter((f) => f.name === 'setns');
      expect(withNs.every((f) => f.standing === 'reachable')).to.equal(true);
    });
    it('judges the i386 numbers for the i386 ABI', () => {
      const fs = judgeDangerous([refuseWithFlag(I386, nr('i386', 'clone'), 0, CLONE_NEW.CLONE_NEWUSER)], 'i386', noCaps);
      expect(find(fs, 'clone', 'flags=CLONE_NEWUSER')).to.deep.include({ abi: 'i386', standing: 'refused' });
      expect(
        find(judgeDangerous([refuseWithFlag(I386, nr('i386', 'clone'), 0, CLONE_NEW.CLONE_NEWUSER)], 'x86_64', noCaps), 'clone', 'flags=CLONE_NEWUSER')
          .standing,
      ).to.equal('reachable');
    });
  });

  describe('filterLetsUserNs', () => {
    const unshareNoUserns = refuseWithFlag(X86_64, x('unshare'), 0, CLONE_NEW.CLONE_NEWUSER);
    const cloneNoUserns = refuseWithFlag(X86_64, x('clone'), 0, CLONE_NEW.CLONE_NEWUSER);
    const noClone3 = refuseCall(X86_64, x('clone3'), retOf('errno', 38));
    const table: [string, Stack, boolean][] = [
      ['no filter', [], true],
      ['unshare refused CLONE_NEWUSER, clone not', [unshareNoUserns], true],
      ['unshare and clone refused CLONE_NEWUSER, clone3 allowed', [unshareNoUserns, cloneNoUserns], true],
      ['unshare and clone refused CLONE_NEWUSER, clone3 ENOSYS', [unshareNoUserns, cloneNoUserns, noClone3], false],
      ['unshare refused whole, clone CLONE_NEWUSER, clone3', [refuseCall(X86_64, x('unshare')), cloneNoUserns, noClone3], false],
      ['clone CLONE_NEWUSER and clone3 refused, unshare allowed', [cloneNoUserns, noClone3], true],
      ['CLONE_NEWUSER only traced', [refuseWithFlag(X86_64, x('unshare'), 0, CLONE_NEW.CLONE_NEWUSER, retOf('trace')), cloneNoUserns, noClone3], false],
      ['refusing another namespace flag does not stop it', [refuseWithFlag(X86_64, x('unshare'), 0, CLONE_NEW.CLONE_NEWNET), cloneNoUserns, noClone3], true],
    ];
    for (const [title, stack, want] of table) it(`${title}: ${want}`, () => expect(filterLetsUserNs(stack)).to.equal(want));

    it('judges the ABI asked for', () => {
      const stack = [unshareNoUserns, cloneNoUserns, noClone3];
      expect(filterLetsUserNs(stack, 'x86_64')).to.equal(false);
      expect(filterLetsUserNs(stack, 'i386')).to.equal(true);
    });
  });
});
