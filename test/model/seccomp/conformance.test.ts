/**
 * The effective profile against the declared one (model/seccomp/conformance.ts): a call the filter
 * lets further than declared is looser, one it holds tighter is listed as not looser, and a call
 * refused both ways with different actions is no difference.
 */
import { expect } from 'chai';
import { retOf } from '../../../model/seccomp/action.js';
import { OPCODES as O } from '../../../model/seccomp/bpf.js';
import { compareWithDeclared } from '../../../model/seccomp/conformance.js';
import { type DeclaredProfile, parseDeclaredProfile, type ResolveContext } from '../../../model/seccomp/declared.js';
import { CLONE_NEW } from '../../../model/seccomp/profile.js';
import { i, I386, KILL, nr, refuseCall, refuseWithFlag, X32_BIT, X86_64 } from './asm.js';

const ctx: ResolveContext = { caps: new Set(), arch: 'amd64', kernel: '6.1.0' };
const ALL_ARCHES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
const declared = (p: object): DeclaredProfile => parseDeclaredProfile({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ALL_ARCHES, ...p }, 'test');
const KEYCTL_ERRNO = { syscalls: [{ names: ['keyctl'], action: 'SCMP_ACT_ERRNO' }] };

describe('seccomp conformance with the declared profile', () => {
  it('no filter against a profile that allows everything: no difference', () => {
    expect(compareWithDeclared([], declared({}), ctx)).to.deep.equal([]);
  });

  it('a call the filter lets run that the profile refuses is looser, in every ABI', () => {
    expect(compareWithDeclared([], declared(KEYCTL_ERRNO), ctx)).to.deep.equal([
      { abi: 'x86_64', name: 'keyctl', effective: 'allow', declared: 'errno(1)', looser: true },
      { abi: 'i386', name: 'keyctl', effective: 'allow', declared: 'errno(1)', looser: true },
      { abi: 'x32', name: 'keyctl', effective: 'allow', declared: 'errno(1)', looser: true },
    ]);
  });

  it('a filter that refuses the call in each ABI conforms', () => {
    const stack = [refuseCall(X86_64, nr('x86_64', 'keyctl')), refuseCall(I386, nr('i386', 'keyctl')), refuseCall(X86_64, nr('x32', 'keyctl') | X32_BIT)];
    expect(compareWithDeclared(stack, declared(KEYCTL_ERRNO), ctx)).to.deep.equal([]);
  });

  it('refused both ways with other actions is no difference (kill against errno)', () => {
    const stack = [
      refuseCall(X86_64, nr('x86_64', 'keyctl'), KILL),
      refuseCall(I386, nr('i386', 'keyctl'), retOf('trap')),
      refuseCall(X86_64, nr('x32', 'keyctl') | X32_BIT, retOf('errno', 38)),
    ];
    expect(compareWithDeclared(stack, declared(KEYCTL_ERRNO), ctx)).to.deep.equal([]);
  });

  it('a call the filter refuses that the profile allows is tighter (listed, not looser)', () => {
    expect(compareWithDeclared([refuseCall(X86_64, nr('x86_64', 'bpf'))], declared({}), ctx)).to.deep.equal([
      { abi: 'x86_64', name: 'bpf', effective: 'errno(1)', declared: 'allow', looser: false },
    ]);
  });

  it('delegated against allowed is tighter; allowed against delegated is looser', () => {
    expect(compareWithDeclared([refuseCall(X86_64, nr('x86_64', 'ptrace'), retOf('trace', 2))], declared({}), ctx)).to.deep.equal([
      { abi: 'x86_64', name: 'ptrace', effective: 'trace(2)', declared: 'allow', looser: false },
    ]);
    const notify = declared({ architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_NOTIFY' }] });
    const stack = [
      [
        i(O.LD_W_ABS, 4),
        i(O.JMP_JEQ, I386, 0, 1),
        i(O.RET_K, KILL),
        i(O.LD_W_ABS, 0),
        i(O.JMP_JGE, X32_BIT, 0, 1),
        i(O.RET_K, KILL),
        i(O.RET_K, retOf('allow')),
      ],
    ];
    expect(compareWithDeclared(stack, notify, ctx)).to.deep.equal([
      { abi: 'x86_64', name: 'ptrace', effective: 'allow', declared: 'user_notif', looser: true },
    ]);
  });

  it('an ABI the profile does not list, left open by the filter, is looser call by call', () => {
    const diffs = compareWithDeclared([], declared({ architectures: ['SCMP_ARCH_X86_64'] }), ctx);
    expect(diffs.length).to.be.greaterThan(300);
    expect(diffs.every((d) => d.abi !== 'x86_64' && d.looser && d.declared === 'kill_thread' && d.effective === 'allow')).to.equal(true);
    expect(diffs).to.deep.include({ abi: 'i386', name: 'keyctl', effective: 'allow', declared: 'kill_thread', looser: true });
    expect(diffs).to.deep.include({ abi: 'x32', name: 'clone', case: 'flags=CLONE_NEWUSER', effective: 'allow', declared: 'kill_thread', looser: true });
  });

  describe('argument cases', () => {
    // Docker-style: clone refused when CLONE_NEWUSER is set (value the mask, valueTwo what the masked argument equals).
    const noUserns = declared({
      syscalls: [
        {
          names: ['clone'],
          action: 'SCMP_ACT_ERRNO',
          args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: CLONE_NEW.CLONE_NEWUSER, valueTwo: CLONE_NEW.CLONE_NEWUSER }],
        },
      ],
    });

    it('no filter: only the CLONE_NEWUSER case differs, in each ABI, named by its label', () => {
      expect(compareWithDeclared([], noUserns, ctx)).to.deep.equal(
        (['x86_64', 'i386', 'x32'] as const).map((abi) => ({
          abi,
          name: 'clone',
          case: 'flags=CLONE_NEWUSER',
          effective: 'allow',
          declared: 'errno(1)',
          looser: true,
        })),
      );
    });

    it('a filter that refuses CLONE_NEWUSER natively conforms there; the other ABIs still differ', () => {
      const diffs = compareWithDeclared([refuseWithFlag(X86_64, nr('x86_64', 'clone'), 0, CLONE_NEW.CLONE_NEWUSER)], noUserns, ctx);
      expect(diffs.map((d) => `${d.abi} ${d.name} ${d.case}`)).to.deep.equal(['i386 clone flags=CLONE_NEWUSER', 'x32 clone flags=CLONE_NEWUSER']);
    });

    it('a filter that refuses clone outright is tighter on every other case', () => {
      const diffs = compareWithDeclared([refuseCall(X86_64, nr('x86_64', 'clone'))], noUserns, ctx).filter((d) => d.abi === 'x86_64');
      expect(diffs.some((d) => d.case === undefined && !d.looser)).to.equal(true);
      expect(diffs.some((d) => d.case === 'flags=CLONE_NEWUSER')).to.equal(false);
      expect(diffs.find((d) => d.case === 'flags=CLONE_NEWNET')).to.deep.equal({
        abi: 'x86_64',
        name: 'clone',
        case: 'flags=CLONE_NEWNET',
        effective: 'errno(1)',
        declared: 'allow',
        looser: false,
      });
      expect(diffs.every((d) => !d.looser)).to.equal(true);
    });

    it('resolves includes against the context: a rule for a capability the container lacks does not apply', () => {
      const p = declared({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['bpf'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } }] });
      const stack = [[i(O.LD_W_ABS, 0), i(O.JMP_JEQ, nr('x86_64', 'bpf'), 0, 1), i(O.RET_K, retOf('allow')), i(O.RET_K, retOf('errno', 1))]];
      const without = compareWithDeclared(stack, p, ctx).filter((d) => d.abi === 'x86_64');
      expect(without).to.deep.equal([{ abi: 'x86_64', name: 'bpf', effective: 'allow', declared: 'errno(1)', looser: true }]);
      const withCap = compareWithDeclared(stack, p, { ...ctx, caps: new Set(['CAP_SYS_ADMIN']) }).filter((d) => d.abi === 'x86_64');
      expect(withCap).to.deep.equal([]);
    });
  });
});
