/**
 * A stack of seccomp filters evaluated for one system call (issue 14): every filter run over the
 * same seccomp_data, in the kernel's order (filter 0, the most recently installed, first), their
 * values combined by the kernel's precedence (./action.ts). Whether the verdict may change with
 * the call's arguments is told by the loads: a filter that read an argument word on the way is
 * argument-dependent, and the caller evaluates the argument values that matter.
 */
import type { BpfInsn } from '../parse/seccomp-filters.js';
import { combine, type Verdict } from './action.js';
import { run, type SeccompData, validate } from './bpf.js';

/** AUDIT_ARCH_* of the ABIs a filter must judge (linux/audit.h); x32 is x86_64's token with __X32_SYSCALL_BIT in nr. */
export const AUDIT_ARCH = { x86_64: 0xc000003e, i386: 0x40000003 } as const;
export const X32_SYSCALL_BIT = 0x40000000;

export interface SyscallVerdict extends Verdict {
  /** Some filter loaded an argument word for this call: another argument value may get another verdict. */
  dependsOnArgs: boolean;
}

/** Validates every filter once (the kernel refused nothing it holds; a program here that fails is a broken read). */
export function validateStack(stack: readonly (readonly BpfInsn[])[]): void {
  stack.forEach((prog, i) => {
    try {
      validate(prog);
    } catch (e) {
      throw new Error(`seccomp filter ${i}: ${(e as Error).message}`);
    }
  });
}

/** The verdict of a validated stack for one call; no filter at all allows everything. */
export function evaluateCall(stack: readonly (readonly BpfInsn[])[], call: SeccompData): SyscallVerdict {
  const results = stack.map((prog) => run(prog, call));
  return { ...combine(results.map((r) => r.ret)), dependsOnArgs: results.some((r) => r.loaded.some((off) => off >= 16)) };
}
