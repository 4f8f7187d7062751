/**
 * The i386 and x32 ABIs against the native one (model/seccomp/abi.ts): a filter that checks the
 * arch token and refuses foreign ABIs refuses them whole; one that matches only x86_64 numbers
 * lets the same calls through the other entries (the classic bypass).
 */
import { expect } from 'chai';
import { retOf } from '../../../model/seccomp/action.js';
import { compareAbi } from '../../../model/seccomp/abi.js';
import { OPCODES as O } from '../../../model/seccomp/bpf.js';
import { CLONE_NEW } from '../../../model/seccomp/profile.js';
import { SYSCALLS } from '../../../model/seccomp/syscalls.js';
import { ALLOW, EPERM, i, KILL, nr, refuseNrAnyArch, refuseWithFlag, X32_BIT, X86_64 } from './asm.js';

const KEYCTL = nr('x86_64', 'keyctl');
/** Docker's shape: the arch token checked, x32 numbers refused, then keyctl refused. */
const ARCH_AND_X32_CHECKED = [
  i(O.LD_W_ABS, 4),
  i(O.JMP_JEQ, X86_64, 1, 0),
  i(O.RET_K, KILL),
  i(O.LD_W_ABS, 0),
  i(O.JMP_JGE, X32_BIT, 0, 1),
  i(O.RET_K, retOf('errno', 38)),
  i(O.JMP_JEQ, KEYCTL, 0, 1),
  i(O.RET_K, EPERM),
  i(O.RET_K, ALLOW),
];
/** The arch token checked, the x32 bit not: x32's keyctl (250 | 0x40000000) is no 250. */
const ARCH_CHECKED_ONLY = [i(O.LD_W_ABS, 4), i(O.JMP_JEQ, X86_64, 1, 0), i(O.RET_K, KILL), ...refuseNrAnyArch(KEYCTL)];
/** No arch check at all. */
const NO_ARCH_CHECK = refuseNrAnyArch(KEYCTL);

const shared = (abi: 'i386' | 'x32') => {
  const native = new Set(SYSCALLS.x86_64.map(([, n]) => n));
  return SYSCALLS[abi].filter(([, n]) => native.has(n)).length;
};

describe('seccomp ABI check', () => {
  it('counts the calls the ABI shares with x86_64', () => {
    const r = compareAbi([], 'i386');
    expect(r.compared).to.equal(shared('i386'));
    expect(r.compared).to.be.lessThan(SYSCALLS.i386.length);
    expect(compareAbi([], 'x32').compared).to.equal(shared('x32'));
  });

  it('no filter: nothing refused, nothing looser (both ABIs allow everything)', () => {
    for (const abi of ['i386', 'x32'] as const) expect(compareAbi([], abi)).to.deep.include({ abi, refusedWhole: false, looser: [] });
  });

  it('a filter that checks the arch token and refuses foreign arches refuses i386 whole', () => {
    expect(compareAbi([ARCH_AND_X32_CHECKED], 'i386')).to.deep.include({ refusedWhole: true, looser: [] });
    expect(compareAbi([ARCH_CHECKED_ONLY], 'i386')).to.deep.include({ refusedWhole: true, looser: [] });
  });

  it('refusing x32 numbers (nr >= 0x40000000) refuses x32 whole', () => {
    expect(compareAbi([ARCH_AND_X32_CHECKED], 'x32')).to.deep.include({ abi: 'x32', refusedWhole: true, looser: [] });
  });

  it('a filter that allows foreign arches: i386 keyctl is looser', () => {
    const r = compareAbi([NO_ARCH_CHECK], 'i386');
    expect(r.refusedWhole).to.equal(false);
    // i386's 250 is fadvise64, refused there and allowed natively: tighter, not listed.
    expect(r.looser).to.deep.equal(['i386 keyctl: allow (x86_64: errno(1))']);
  });

  it('x32 calls carry nr | 0x40000000: an x86_64 number check does not see them', () => {
    expect(compareAbi([ARCH_CHECKED_ONLY], 'x32')).to.deep.include({ refusedWhole: false, looser: ['x32 keyctl: allow (x86_64: errno(1))'] });
    expect(compareAbi([NO_ARCH_CHECK], 'x32').looser).to.deep.equal(['x32 keyctl: allow (x86_64: errno(1))']);
  });

  it('an argument case refused natively and allowed through i386 is the bypass, named with its label', () => {
    const r = compareAbi([refuseWithFlag(X86_64, nr('x86_64', 'clone'), 0, CLONE_NEW.CLONE_NEWUSER)], 'i386');
    expect(r.looser).to.deep.equal(['i386 clone flags=CLONE_NEWUSER: allow (x86_64: errno(1))']);
  });

  it('a foreign ABI refused only in part is not refused whole', () => {
    const killOne = [i(O.LD_W_ABS, 0), i(O.JMP_JEQ, nr('i386', 'getpid'), 0, 1), i(O.RET_K, KILL), i(O.RET_K, ALLOW)];
    expect(compareAbi([killOne], 'i386').refusedWhole).to.equal(false);
  });

  it('a foreign ABI only traced is not refused whole, and is no looser than a refused native call', () => {
    const traceForeign = [i(O.LD_W_ABS, 4), i(O.JMP_JEQ, X86_64, 1, 0), i(O.RET_K, retOf('trace', 1)), ...refuseNrAnyArch(KEYCTL)];
    const r = compareAbi([traceForeign], 'i386');
    expect(r.refusedWhole).to.equal(false);
    expect(r.looser).to.deep.equal(['i386 keyctl: trace(1) (x86_64: errno(1))']);
  });
});
