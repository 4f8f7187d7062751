/**
 * Small cBPF filters for the seccomp model's tests, written with the assembler's opcodes: one call
 * of one ABI refused, or refused only when an argument has a flag set.
 */
import type { BpfInsn } from '../../../model/parse/seccomp-filters.js';
import { retOf } from '../../../model/seccomp/action.js';
import { OPCODES as O } from '../../../model/seccomp/bpf.js';
import { AUDIT_ARCH, X32_SYSCALL_BIT } from '../../../model/seccomp/evaluate.js';
import { numberOf } from '../../../model/seccomp/profile.js';
import type { Abi } from '../../../model/seccomp/syscalls.js';

export const i = (code: number, k = 0, jt = 0, jf = 0): BpfInsn => [code, jt, jf, k >>> 0];
export const ALLOW = retOf('allow');
export const EPERM = retOf('errno', 1);
export const KILL = retOf('kill_process');
export const X86_64 = AUDIT_ARCH.x86_64;
export const I386 = AUDIT_ARCH.i386;
export const X32_BIT = X32_SYSCALL_BIT;

/** The syscall number of a name in an ABI's table (syscalls.ts), or the test fails. */
export function nr(abi: Abi, name: string): number {
  const n = numberOf(abi, name);
  if (n === undefined) throw new Error(`no ${name} in ${abi}`);
  return n;
}

/** `ret` for the call (arch, nr), allow for everything else. */
export function refuseCall(arch: number, callNr: number, ret = EPERM): BpfInsn[] {
  return [i(O.LD_W_ABS, 4), i(O.JMP_JEQ, arch, 0, 3), i(O.LD_W_ABS, 0), i(O.JMP_JEQ, callNr, 0, 1), i(O.RET_K, ret), i(O.RET_K, ALLOW)];
}

/** `ret` for the call (arch, nr) when the low word of argument `index` has any bit of `flag`, allow otherwise. */
export function refuseWithFlag(arch: number, callNr: number, index: number, flag: number, ret = EPERM): BpfInsn[] {
  return [
    i(O.LD_W_ABS, 4),
    i(O.JMP_JEQ, arch, 0, 5),
    i(O.LD_W_ABS, 0),
    i(O.JMP_JEQ, callNr, 0, 3),
    i(O.LD_W_ABS, 16 + 8 * index),
    i(O.JMP_JSET, flag, 0, 1),
    i(O.RET_K, ret),
    i(O.RET_K, ALLOW),
  ];
}

/** `ret` for one nr whatever the arch: a filter that never checks the arch token. */
export function refuseNrAnyArch(callNr: number, ret = EPERM): BpfInsn[] {
  return [i(O.LD_W_ABS, 0), i(O.JMP_JEQ, callNr, 0, 1), i(O.RET_K, ret), i(O.RET_K, ALLOW)];
}
