/**
 * A declared seccomp profile, the JSON runtimes read (model/seccomp/declared.ts): the default
 * action, plain and argument rules with every SCMP_CMP_* operator, Docker's includes/excludes,
 * the architectures it filters, and the one-line refusal of a malformed profile.
 */
import { expect } from 'chai';
import type { Verdict } from '../../../model/seccomp/action.js';
import { type DeclaredProfile, declaredAbis, declaredVerdict, parseDeclaredProfile, type ResolveContext } from '../../../model/seccomp/declared.js';
import { ABIS } from '../../../model/seccomp/syscalls.js';

const ALL_ARCHES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
const ctx: ResolveContext = { caps: new Set(['CAP_CHOWN', 'CAP_NET_BIND_SERVICE']), arch: 'amd64', kernel: '5.15.0-91-generic' };
const v = (action: Verdict['action'], data = 0): Verdict => ({ action, data });
const profile = (p: Partial<DeclaredProfile>): DeclaredProfile =>
  parseDeclaredProfile({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ALL_ARCHES, ...p }, 'test');

describe('seccomp declared profile', () => {
  describe('actions, as the default and as a rule', () => {
    const table: [string, number | undefined, Verdict][] = [
      ['SCMP_ACT_ALLOW', undefined, v('allow')],
      ['SCMP_ACT_LOG', undefined, v('log')],
      ['SCMP_ACT_ERRNO', undefined, v('errno', 1)],
      ['SCMP_ACT_ERRNO', 38, v('errno', 38)],
      ['SCMP_ACT_TRAP', undefined, v('trap')],
      ['SCMP_ACT_TRACE', undefined, v('trace', 0)],
      ['SCMP_ACT_TRACE', 5, v('trace', 5)],
      ['SCMP_ACT_NOTIFY', undefined, v('user_notif')],
      ['SCMP_ACT_KILL', undefined, v('kill_thread')],
      ['SCMP_ACT_KILL_THREAD', undefined, v('kill_thread')],
      ['SCMP_ACT_KILL_PROCESS', undefined, v('kill_process')],
      ['SCMP_ACT_SOMETHING_NEW', undefined, v('kill_process')],
    ];
    for (const [action, errnoRet, want] of table) {
      it(`${action}${errnoRet === undefined ? '' : ` (${errnoRet})`}`, () => {
        const asDefault = profile({ defaultAction: action, ...(errnoRet === undefined ? {} : { defaultErrnoRet: errnoRet }) });
        expect(declaredVerdict(asDefault, ctx, 'x86_64', 'getpid'), 'default').to.deep.equal(want);
        const asRule = profile({ syscalls: [{ names: ['getpid'], action, ...(errnoRet === undefined ? {} : { errnoRet }) }] });
        expect(declaredVerdict(asRule, ctx, 'x86_64', 'getpid'), 'rule').to.deep.equal(want);
        expect(declaredVerdict(asRule, ctx, 'x86_64', 'getppid'), 'other call').to.deep.equal(v('allow'));
      });
    }
  });

  describe('plain rules', () => {
    it('names and name both select the call; a call no rule names takes the default', () => {
      const p = profile({
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [
          { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
          { name: 'keyctl', action: 'SCMP_ACT_KILL_PROCESS' },
        ],
      });
      expect(['read', 'write', 'keyctl', 'bpf'].map((n) => declaredVerdict(p, ctx, 'x86_64', n))).to.deep.equal([
        v('allow'),
        v('allow'),
        v('kill_process'),
        v('errno', 1),
      ]);
    });
    it('args: null is a plain rule', () => {
      const p = profile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: null }] });
      expect(declaredVerdict(p, ctx, 'x86_64', 'read', [5n])).to.deep.equal(v('allow'));
    });
  });

  describe('argument rules', () => {
    type Op = 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';
    // [op, value, valueTwo, argument, holds]
    const table: [Op, number, number | undefined, bigint, boolean][] = [
      ['SCMP_CMP_NE', 5, undefined, 4n, true],
      ['SCMP_CMP_NE', 5, undefined, 5n, false],
      ['SCMP_CMP_LT', 5, undefined, 4n, true],
      ['SCMP_CMP_LT', 5, undefined, 5n, false],
      ['SCMP_CMP_LE', 5, undefined, 5n, true],
      ['SCMP_CMP_LE', 5, undefined, 6n, false],
      ['SCMP_CMP_EQ', 5, undefined, 5n, true],
      ['SCMP_CMP_EQ', 5, undefined, 4n, false],
      ['SCMP_CMP_EQ', 4294967295, undefined, 0xffffffffn, true],
      ['SCMP_CMP_GE', 5, undefined, 5n, true],
      ['SCMP_CMP_GE', 5, undefined, 4n, false],
      ['SCMP_CMP_GT', 5, undefined, 6n, true],
      ['SCMP_CMP_GT', 5, undefined, 5n, false],
      ['SCMP_CMP_GT', 0xffffffff, undefined, 0x100000000n, true],
      // MASKED_EQ: value is the mask, valueTwo what the masked argument must equal.
      ['SCMP_CMP_MASKED_EQ', 0x10000000, 0x10000000, 0x10000011n, true],
      ['SCMP_CMP_MASKED_EQ', 0x10000000, 0x10000000, 0x00000011n, false],
      ['SCMP_CMP_MASKED_EQ', 0x7e020000, 0, 0x00000011n, true],
      ['SCMP_CMP_MASKED_EQ', 0x7e020000, 0, 0x40000011n, false],
      ['SCMP_CMP_MASKED_EQ', 0xff, 0x12, 0xab12n, true],
      ['SCMP_CMP_MASKED_EQ', 0xff, 0x12, 0x12abn, false],
      ['SCMP_CMP_MASKED_EQ', 0xff, undefined, 0x100n, true],
    ];
    for (const [op, value, valueTwo, arg, holds] of table) {
      const two = valueTwo === undefined ? '' : `, ${valueTwo.toString(16)}`;
      it(`${op}(${value.toString(16)}${two}) on ${arg.toString(16)}: ${holds ? 'holds' : 'does not hold'}`, () => {
        const p = profile({
          defaultAction: 'SCMP_ACT_ERRNO',
          syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, op, value, ...(valueTwo === undefined ? {} : { valueTwo }) }] }],
        });
        const got = declaredVerdict(p, ctx, 'x86_64', 'personality', [0n, 0n, arg]);
        expect(got).to.deep.equal(holds ? v('allow') : v('errno', 1));
      });
    }

    it('compares the argument its index names; a missing argument is 0', () => {
      const p = profile({
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [{ names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 0x5401 }] }],
      });
      expect(declaredVerdict(p, ctx, 'x86_64', 'ioctl', [0n, 0x5401n])).to.deep.equal(v('allow'));
      expect(declaredVerdict(p, ctx, 'x86_64', 'ioctl', [0x5401n, 0n])).to.deep.equal(v('errno', 1));
      const zero = profile({
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [{ names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 4, op: 'SCMP_CMP_EQ', value: 0 }] }],
      });
      expect(declaredVerdict(zero, ctx, 'x86_64', 'ioctl')).to.deep.equal(v('allow'));
    });
    it('every condition of a rule must hold', () => {
      const p = profile({
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [
          {
            names: ['socket'],
            action: 'SCMP_ACT_ALLOW',
            args: [
              { index: 0, op: 'SCMP_CMP_EQ', value: 2 },
              { index: 1, op: 'SCMP_CMP_EQ', value: 1 },
            ],
          },
        ],
      });
      expect(declaredVerdict(p, ctx, 'x86_64', 'socket', [2n, 1n])).to.deep.equal(v('allow'));
      expect(declaredVerdict(p, ctx, 'x86_64', 'socket', [2n, 3n])).to.deep.equal(v('errno', 1));
      expect(declaredVerdict(p, ctx, 'x86_64', 'socket', [17n, 1n])).to.deep.equal(v('errno', 1));
    });
    it('a rule whose conditions hold decides over the plain rule; else the plain rule; else the default', () => {
      const p = profile({
        defaultAction: 'SCMP_ACT_KILL_PROCESS',
        syscalls: [
          { names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
          { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 0x10000000, valueTwo: 0 }] },
          { names: ['unshare'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 0 }] },
        ],
      });
      expect(declaredVerdict(p, ctx, 'x86_64', 'clone', [0x11n])).to.deep.equal(v('allow'));
      expect(declaredVerdict(p, ctx, 'x86_64', 'clone', [0x10000011n])).to.deep.equal(v('errno', 1));
      expect(declaredVerdict(p, ctx, 'x86_64', 'unshare', [0n])).to.deep.equal(v('allow'));
      expect(declaredVerdict(p, ctx, 'x86_64', 'unshare', [0x10000000n])).to.deep.equal(v('kill_process'));
    });
  });

  describe("Docker's includes and excludes", () => {
    const rule = (inc: object | undefined, exc: object | undefined) =>
      profile({
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [{ names: ['bpf'], action: 'SCMP_ACT_ALLOW', ...(inc ? { includes: inc } : {}), ...(exc ? { excludes: exc } : {}) }],
      });
    const table: [string, object | undefined, object | undefined, Partial<ResolveContext>, boolean][] = [
      ['no includes, no excludes', undefined, undefined, {}, true],
      ['includes a capability the container has', { caps: ['CAP_CHOWN'] }, undefined, {}, true],
      ['includes a capability it lacks', { caps: ['CAP_SYS_ADMIN'] }, undefined, {}, false],
      ['includes two capabilities, one lacking', { caps: ['CAP_CHOWN', 'CAP_SYS_ADMIN'] }, undefined, {}, false],
      ['includes the host arch', { arches: ['amd64', 'x32'] }, undefined, {}, true],
      ['includes another arch', { arches: ['arm64'] }, undefined, {}, false],
      ['includes an empty arch list', { arches: [] }, undefined, {}, true],
      ['minKernel below the host', { minKernel: '4.8' }, undefined, {}, true],
      ['minKernel equal to the host', { minKernel: '5.15' }, undefined, {}, true],
      ['minKernel above the host, minor compared as a number', { minKernel: '5.8' }, undefined, { kernel: '5.4.0-150-generic' }, false],
      ['minKernel 5.8 on 5.10', { minKernel: '5.8' }, undefined, { kernel: '5.10.0' }, true],
      ['minKernel of a later major', { minKernel: '6.1' }, undefined, {}, false],
      ['minKernel of an earlier major', { minKernel: '4.19' }, undefined, { kernel: '6.0.1' }, true],
      ['excludes a capability the container has', undefined, { caps: ['CAP_NET_BIND_SERVICE'] }, {}, false],
      ['excludes a capability it lacks', undefined, { caps: ['CAP_SYS_ADMIN'] }, {}, true],
      ['excludes the host arch', undefined, { arches: ['amd64'] }, {}, false],
      ['excludes another arch', undefined, { arches: ['s390x'] }, {}, true],
      ['included by caps, excluded by arch', { caps: ['CAP_CHOWN'] }, { arches: ['amd64'] }, {}, false],
    ];
    for (const [title, inc, exc, c, applies] of table) {
      it(`${title}: ${applies ? 'applies' : 'does not apply'}`, () => {
        expect(declaredVerdict(rule(inc, exc), { ...ctx, ...c }, 'x86_64', 'bpf')).to.deep.equal(applies ? v('allow') : v('errno', 1));
      });
    }
    it('a rule that does not apply leaves the call to another rule', () => {
      const p = profile({
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [
          { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_PTRACE'] } },
          { names: ['ptrace'], action: 'SCMP_ACT_TRACE', includes: { minKernel: '4.8' } },
        ],
      });
      expect(declaredVerdict(p, ctx, 'x86_64', 'ptrace')).to.deep.equal(v('trace'));
      expect(declaredVerdict(p, { ...ctx, caps: new Set(['CAP_SYS_PTRACE']) }, 'x86_64', 'ptrace')).to.deep.equal(v('allow'));
    });
  });

  describe('architectures', () => {
    const abis = (p: object) => [...declaredAbis(parseDeclaredProfile({ defaultAction: 'SCMP_ACT_ALLOW', ...p }, 'test'))].sort();
    const table: [string, object, string[]][] = [
      ['none listed: the native one only', {}, ['x86_64']],
      ['architectures: null', { architectures: null }, ['x86_64']],
      ['architectures X86_64 and X86', { architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'] }, ['i386', 'x86_64']],
      ['architectures X32 only: the native one is always filtered', { architectures: ['SCMP_ARCH_X32'] }, ['x32', 'x86_64']],
      ['all three', { architectures: ALL_ARCHES }, ['i386', 'x32', 'x86_64']],
      [
        "Docker's archMap: the x86_64 entry and its sub-architectures",
        {
          archMap: [
            { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
            { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
          ],
        },
        ['i386', 'x32', 'x86_64'],
      ],
      [
        'archMap: another entry lists X86, which does not count',
        { archMap: [{ architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_X86'] }] },
        ['x86_64'],
      ],
      ['archMap: x86_64 with subArchitectures null', { archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: null }] }, ['x86_64']],
      [
        'architectures and archMap together',
        { architectures: ['SCMP_ARCH_X86'], archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X32'] }] },
        ['i386', 'x32', 'x86_64'],
      ],
    ];
    for (const [title, p, want] of table) it(title, () => expect(abis(p)).to.deep.equal(want));

    it('a call of an ABI the profile does not list is refused, whatever the rules say', () => {
      const p = parseDeclaredProfile(
        { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ALLOW' }] },
        'test',
      );
      expect(declaredVerdict(p, ctx, 'x32', 'getpid')).to.deep.equal(v('kill_thread'));
      expect(declaredVerdict(p, ctx, 'i386', 'getpid')).to.deep.equal(v('allow'));
      expect(declaredVerdict(p, ctx, 'x86_64', 'getpid')).to.deep.equal(v('allow'));
    });
    it('rules apply to every ABI listed', () => {
      const p = profile({ syscalls: [{ names: ['keyctl'], action: 'SCMP_ACT_ERRNO' }] });
      for (const abi of ABIS) expect(declaredVerdict(p, ctx, abi, 'keyctl'), abi).to.deep.equal(v('errno', 1));
    });
  });

  describe('parseDeclaredProfile', () => {
    it('returns the profile it read', () => {
      const json = { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [] }] };
      expect(parseDeclaredProfile(json, 'p.json')).to.deep.equal(json);
    });
    const bad: [string, unknown, RegExp][] = [
      ['not an object', 'allow everything', /^p\.json: not a seccomp profile: : /],
      ['no defaultAction', { syscalls: [] }, /^p\.json: not a seccomp profile: defaultAction: /],
      ['a rule without action', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'] }] }, /^p\.json: not a seccomp profile: syscalls\.0\.action: /],
      [
        'an unknown operator',
        { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_FOO' }] }] },
        /^p\.json: not a seccomp profile: syscalls\.0\.args\.0\.op: /,
      ],
      [
        'an argument index past 5',
        { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }] },
        /^p\.json: not a seccomp profile: syscalls\.0\.args\.0\.index: /,
      ],
      [
        'a negative value',
        { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }] },
        /^p\.json: not a seccomp profile: syscalls\.0\.args\.0\.value: /,
      ],
      ['names not a list', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: 'read', action: 'SCMP_ACT_ALLOW' }] }, /syscalls\.0\.names: /],
    ];
    for (const [title, json, why] of bad) {
      it(`refuses ${title} with one line naming the source and the path`, () => {
        let msg = '';
        try {
          parseDeclaredProfile(json, 'p.json');
        } catch (e) {
          msg = (e as Error).message;
        }
        expect(msg).to.match(why);
        expect(msg).to.not.include('\n');
      });
    }
  });
});
