/**
 * The effective profile of a filter stack (model/seccomp/profile.ts): the call a filter sees per
 * ABI, each call's outcome with its argument cases, verdict text, reach and strictness, and the
 * per-ABI summary.
 */
import { expect } from 'chai';
import { retOf, type Verdict } from '../../../model/seccomp/action.js';
import { OPCODES as O } from '../../../model/seccomp/bpf.js';
import {
  ARG_CASES,
  type AbiProfile,
  atLeastAsStrict,
  type CallOutcome,
  CLONE_NEW,
  callOf,
  effectiveProfile,
  loosest,
  numberOf,
  outcomeOf,
  type Reach,
  reachOf,
  runnable,
  verdictText,
} from '../../../model/seccomp/profile.js';
import { ABIS, SYSCALLS } from '../../../model/seccomp/syscalls.js';
import { i, I386, nr, refuseCall, refuseWithFlag, X32_BIT, X86_64 } from './asm.js';

const v = (action: Verdict['action'], data = 0): Verdict => ({ action, data });

describe('seccomp effective profile', () => {
  describe('callOf / numberOf', () => {
    const table: [Parameters<typeof callOf>[0], number, { nr: number; arch: number }][] = [
      ['x86_64', 250, { nr: 250, arch: X86_64 }],
      ['i386', 288, { nr: 288, arch: I386 }],
      ['x32', 250, { nr: 250 | X32_BIT, arch: X86_64 }],
      ['x32', 0, { nr: 0x40000000, arch: X86_64 }],
    ];
    for (const [abi, n, want] of table) {
      it(`${abi} ${n} → nr ${want.nr.toString(16)}, arch ${want.arch.toString(16)}`, () => expect(callOf(abi, n)).to.deep.equal(want));
    }
    it('numberOf reads the ABI tables: keyctl 250 / 288 / 250, clone 56 / 120, unknown names undefined', () => {
      expect(['x86_64', 'i386', 'x32'].map((a) => numberOf(a as 'x86_64', 'keyctl'))).to.deep.equal([250, 288, 250]);
      expect([numberOf('x86_64', 'clone'), numberOf('i386', 'clone')]).to.deep.equal([56, 120]);
      expect(numberOf('x86_64', 'waitpid')).to.equal(undefined);
      expect(numberOf('i386', 'waitpid')).to.equal(7);
      expect(numberOf('x86_64', 'no_such_call')).to.equal(undefined);
    });
  });

  describe('ARG_CASES', () => {
    const labels = (name: string) => ARG_CASES[name]!.map((c) => c.label);
    it('every case has six 64-bit arguments', () => {
      for (const [name, cases] of Object.entries(ARG_CASES)) {
        for (const c of cases) expect(c.args, `${name} ${c.label}`).to.have.length(6);
      }
    });
    it('clone: SIGCHLD first, then each namespace flag in args[0] but CLONE_NEWTIME (its low byte is the exit signal), and no flags=0', () => {
      expect(labels('clone')).to.deep.equal([
        'flags=SIGCHLD',
        ...Object.keys(CLONE_NEW)
          .filter((f) => f !== 'CLONE_NEWTIME')
          .map((f) => `flags=${f}`),
      ]);
      expect(ARG_CASES.clone![0]!.args).to.deep.equal([17n, 0n, 0n, 0n, 0n, 0n]);
      const userns = ARG_CASES.clone!.find((c) => c.label === 'flags=CLONE_NEWUSER')!;
      expect(userns.args).to.deep.equal([0x10000000n, 0n, 0n, 0n, 0n, 0n]);
    });
    it('unshare starts with flags=0; setns puts nstype in args[1]', () => {
      expect(labels('unshare')[0]).to.equal('flags=0');
      expect(labels('unshare')).to.include('flags=CLONE_NEWTIME');
      const net = ARG_CASES.setns!.find((c) => c.label === 'nstype=CLONE_NEWNET')!;
      expect(net.args).to.deep.equal([0n, 0x40000000n, 0n, 0n, 0n, 0n]);
    });
    it('socket: family in args[0], type in args[1]; ioctl request in args[1]; mprotect prot in args[2]', () => {
      expect(ARG_CASES.socket!.find((c) => c.label === 'family=AF_PACKET,type=SOCK_RAW')!.args).to.deep.equal([17n, 3n, 0n, 0n, 0n, 0n]);
      expect(ARG_CASES.socket).to.have.length(20);
      expect(ARG_CASES.socketpair).to.deep.equal(ARG_CASES.socket);
      expect(ARG_CASES.ioctl!.find((c) => c.label === 'request=TIOCSTI')!.args[1]).to.equal(0x5412n);
      expect(ARG_CASES.mprotect!.find((c) => c.label === 'prot=PROT_READ|PROT_WRITE|PROT_EXEC')!.args[2]).to.equal(7n);
      expect(ARG_CASES.personality!.find((c) => c.label === 'persona=query')!.args[0]).to.equal(0xffffffffn);
      expect(ARG_CASES.prctl!.find((c) => c.label === 'option=PR_SET_SECCOMP')!.args[0]).to.equal(22n);
    });
  });

  describe('verdictText', () => {
    const table: [Verdict, string][] = [
      [v('allow'), 'allow'],
      [v('log'), 'log'],
      [v('errno', 1), 'errno(1)'],
      [v('errno', 38), 'errno(38)'],
      [v('trap', 5), 'trap(5)'],
      [v('trace', 7), 'trace(7)'],
      [v('user_notif', 3), 'user_notif'],
      [v('kill_thread'), 'kill_thread'],
      [v('kill_process', 9), 'kill_process'],
    ];
    for (const [verdict, want] of table) it(`${JSON.stringify(verdict)} → ${want}`, () => expect(verdictText(verdict)).to.equal(want));
  });

  describe('reachOf and atLeastAsStrict', () => {
    const reach: [Verdict['action'], Reach][] = [
      ['allow', 'runs'],
      ['log', 'runs'],
      ['trace', 'delegated'],
      ['user_notif', 'delegated'],
      ['errno', 'refused'],
      ['trap', 'refused'],
      ['kill_thread', 'refused'],
      ['kill_process', 'refused'],
    ];
    for (const [action, want] of reach) it(`${action} ${want}`, () => expect(reachOf(v(action))).to.equal(want));

    const strict: [Verdict, Verdict, boolean][] = [
      [v('errno', 1), v('allow'), true],
      [v('allow'), v('errno', 1), false],
      [v('kill_process'), v('errno', 1), true],
      [v('errno', 1), v('kill_process'), true],
      [v('allow'), v('log'), true],
      [v('log'), v('allow'), true],
      [v('trace'), v('allow'), true],
      [v('allow'), v('trace'), false],
      [v('user_notif'), v('errno', 1), false],
      [v('errno', 1), v('user_notif'), true],
    ];
    for (const [a, b, want] of strict) {
      it(`${verdictText(a)} at least as strict as ${verdictText(b)}: ${want}`, () => expect(atLeastAsStrict(a, b)).to.equal(want));
    }
  });

  describe('loosest', () => {
    const table: [string, CallOutcome, Verdict][] = [
      ['no cases: the verdict', { verdict: v('errno', 1) }, v('errno', 1)],
      [
        'a case that runs beats a refusing verdict',
        {
          verdict: v('errno', 1),
          cases: [
            { label: 'a', verdict: v('kill_process') },
            { label: 'b', verdict: v('log') },
          ],
        },
        v('log'),
      ],
      ['a delegated case beats refused ones', { verdict: v('kill_thread'), cases: [{ label: 'a', verdict: v('trace', 2) }] }, v('trace', 2)],
      ['between equal reaches, the first', { verdict: v('errno', 1), cases: [{ label: 'a', verdict: v('kill_process') }] }, v('errno', 1)],
      ['a running verdict stays', { verdict: v('allow'), cases: [{ label: 'a', verdict: v('errno', 1) }] }, v('allow')],
    ];
    for (const [name, o, want] of table) it(name, () => expect(loosest(o)).to.deep.equal(want));
  });

  describe('outcomeOf', () => {
    const CLONE = nr('x86_64', 'clone');
    const cloneNoUserns = refuseWithFlag(X86_64, CLONE, 0, CLONE_NEW.CLONE_NEWUSER);

    it('a call the filter judges by number alone has no cases', () => {
      const KEYCTL = nr('x86_64', 'keyctl');
      expect(outcomeOf([refuseCall(X86_64, KEYCTL)], 'x86_64', KEYCTL, 'keyctl')).to.deep.equal({ verdict: v('errno', 1) });
      expect(outcomeOf([refuseCall(X86_64, KEYCTL)], 'x86_64', 0, 'read')).to.deep.equal({ verdict: v('allow') });
    });
    it('a call filtered by argument gets every ARG_CASES case, each with its own verdict', () => {
      const o = outcomeOf([cloneNoUserns], 'x86_64', CLONE, 'clone');
      expect(o.verdict).to.deep.equal(v('allow'));
      expect(o.cases!.map((c) => c.label)).to.deep.equal(ARG_CASES.clone!.map((c) => c.label));
      const refused = o.cases!.filter((c) => c.verdict.action !== 'allow').map((c) => c.label);
      expect(refused).to.deep.equal(['flags=CLONE_NEWUSER']);
      expect(o.cases!.find((c) => c.label === 'flags=CLONE_NEWUSER')!.verdict).to.deep.equal(v('errno', 1));
    });
    it('the same filter does not touch clone of another ABI (the arch token differs)', () => {
      expect(outcomeOf([cloneNoUserns], 'i386', nr('i386', 'clone'), 'clone')).to.deep.equal({ verdict: v('allow') });
      expect(outcomeOf([cloneNoUserns], 'x32', nr('x32', 'clone'), 'clone')).to.deep.equal({ verdict: v('allow') });
    });
    it('a call with no ARG_CASES filtered by argument gets args=0 and args=~0', () => {
      const GETPID = nr('x86_64', 'getpid');
      const o = outcomeOf([refuseWithFlag(X86_64, GETPID, 5, 0x80000000)], 'x86_64', GETPID, 'getpid');
      expect(o.cases).to.deep.equal([
        { label: 'args=0', verdict: v('allow') },
        { label: 'args=~0', verdict: v('errno', 1) },
      ]);
    });
    it('stacked filters: the strictest verdict of the stack for each case', () => {
      const o = outcomeOf([cloneNoUserns, refuseWithFlag(X86_64, CLONE, 0, CLONE_NEW.CLONE_NEWNET, retOf('kill_process'))], 'x86_64', CLONE, 'clone');
      const byLabel = Object.fromEntries(o.cases!.map((c) => [c.label, verdictText(c.verdict)]));
      expect(byLabel['flags=CLONE_NEWUSER']).to.equal('errno(1)');
      expect(byLabel['flags=CLONE_NEWNET']).to.equal('kill_process');
      expect(byLabel['flags=SIGCHLD']).to.equal('allow');
    });
  });

  describe('effectiveProfile', () => {
    it('no filter: every call of every ABI allowed, nothing conditional', () => {
      const p = effectiveProfile([]);
      expect(p.filters).to.deep.equal([]);
      for (const abi of ABIS) {
        expect(Object.keys(p.abis[abi].byVerdict), abi).to.deep.equal(['allow']);
        expect(p.abis[abi].byVerdict.allow, abi).to.deep.equal(SYSCALLS[abi].map(([, n]) => n));
        expect(p.abis[abi].conditional, abi).to.deep.equal({});
      }
    });

    it('an x86_64-only keyctl rule behind an arch check: i386 killed whole, x32 passes it (nr has the x32 bit)', () => {
      const KEYCTL = nr('x86_64', 'keyctl');
      const prog = [i(O.LD_W_ABS, 4), i(O.JMP_JEQ, X86_64, 1, 0), i(O.RET_K, retOf('kill_process')), ...refuseCall(X86_64, KEYCTL).slice(2)];
      const p = effectiveProfile([prog]);
      expect(p.filters).to.deep.equal([prog.length]);
      expect(p.abis.x86_64.byVerdict['errno(1)']).to.deep.equal(['keyctl']);
      expect(p.abis.x86_64.byVerdict.allow).to.have.length(SYSCALLS.x86_64.length - 1);
      expect(Object.keys(p.abis.i386.byVerdict)).to.deep.equal(['kill_process']);
      expect(p.abis.i386.byVerdict.kill_process).to.have.length(SYSCALLS.i386.length);
      expect(Object.keys(p.abis.x32.byVerdict)).to.deep.equal(['allow']);
      expect(runnable(p.abis.x86_64)).to.not.include('keyctl');
      expect(runnable(p.abis.i386)).to.deep.equal([]);
    });

    it('a call filtered by argument is listed under conditional, args=0 first, and not in byVerdict', () => {
      const p = effectiveProfile([refuseWithFlag(X86_64, nr('x86_64', 'clone'), 0, CLONE_NEW.CLONE_NEWUSER)]);
      const clone = p.abis.x86_64.conditional.clone!;
      expect(Object.keys(clone)).to.deep.equal(['args=0', ...ARG_CASES.clone!.map((c) => c.label)]);
      expect(clone['args=0']).to.equal('allow');
      expect(clone['flags=CLONE_NEWUSER']).to.equal('errno(1)');
      expect(clone['flags=CLONE_NEWPID']).to.equal('allow');
      expect(Object.values(p.abis.x86_64.byVerdict).flat()).to.not.include('clone');
      expect(Object.keys(p.abis.x86_64.conditional)).to.deep.equal(['clone']);
      expect(p.abis.i386.conditional).to.deep.equal({});
    });

    it('is the same for the same stack', () => {
      const stack = [refuseCall(I386, nr('i386', 'keyctl')), refuseWithFlag(X86_64, nr('x86_64', 'unshare'), 0, CLONE_NEW.CLONE_NEWUSER)];
      expect(effectiveProfile(stack)).to.deep.equal(effectiveProfile(stack));
      expect(effectiveProfile(stack).filters).to.deep.equal([6, 8]);
    });
  });

  describe('runnable', () => {
    it('the calls that allow or log for some value, sorted', () => {
      const p: AbiProfile = {
        byVerdict: { allow: ['b', 'a'], log: ['c'], 'errno(1)': ['d'], 'trace(0)': ['g'], kill_process: ['h'] },
        conditional: { e: { 'args=0': 'errno(1)', x: 'allow' }, f: { 'args=0': 'errno(1)', y: 'kill_process' }, k: { 'args=0': 'trace(1)', z: 'log' } },
      };
      expect(runnable(p)).to.deep.equal(['a', 'b', 'c', 'e', 'k']);
    });
    it('an empty profile runs nothing', () => expect(runnable({ byVerdict: {}, conditional: {} })).to.deep.equal([]));
  });
});
