/**
 * The seccomp cBPF interpreter against listings written here: every instruction class and opcode
 * the kernel accepts for seccomp, each refusal of its checker, and the stacked-filter rules.
 */
import { expect } from 'chai';
import type { BpfInsn } from '../../../model/parse/seccomp-filters.js';
import { combine, retOf, verdictOf } from '../../../model/seccomp/action.js';
import { BpfError, disassemble, OPCODES as O, run, validate } from '../../../model/seccomp/bpf.js';
import { AUDIT_ARCH, evaluateCall, validateStack, X32_SYSCALL_BIT } from '../../../model/seccomp/evaluate.js';

const i = (code: number, k = 0, jt = 0, jf = 0): BpfInsn => [code, jt, jf, k >>> 0];
const ALLOW = retOf('allow');
const EPERM = retOf('errno', 1);
const X86_64 = AUDIT_ARCH.x86_64;
const KEYCTL = 250; // x86_64
/** A: the value computed; returned as the filter's value (ret a). */
const result = (prog: BpfInsn[], nr = 0, args: bigint[] = []) => {
  validate(prog);
  return run(prog, { nr, arch: X86_64, args }).ret;
};

describe('seccomp cBPF', () => {
  describe('loads', () => {
    it('ld [k] reads seccomp_data: nr, arch, the instruction pointer and each argument as two little-endian words', () => {
      const d = { nr: 59, arch: X86_64, instructionPointer: 0x1122334455667788n, args: [0xaabbccdd_00000001n, 0n, 0n, 0n, 0n, 0x7n] };
      const word = (k: number) => run([i(O.LD_W_ABS, k), i(O.RET_A)], d).ret;
      expect([0, 4, 8, 12, 16, 20, 56].map(word)).to.deep.equal([59, X86_64, 0x55667788, 0x11223344, 1, 0xaabbccdd, 7]);
    });
    it('ld #len / ldx #len are the size of seccomp_data; ld/ldx #k immediates', () => {
      expect(result([i(O.LD_W_LEN), i(O.RET_A)])).to.equal(64);
      expect(result([i(O.LDX_W_LEN), i(O.TXA), i(O.RET_A)])).to.equal(64);
      expect(result([i(O.LD_IMM, 0xdeadbeef), i(O.RET_A)])).to.equal(0xdeadbeef);
      expect(result([i(O.LDX_IMM, 7), i(O.TXA), i(O.RET_A)])).to.equal(7);
    });
    it('st / stx / ld M[] / ldx M[]: scratch memory, zero at start', () => {
      expect(result([i(O.LD_IMM, 5), i(O.ST, 3), i(O.LD_IMM, 0), i(O.LD_MEM, 3), i(O.RET_A)])).to.equal(5);
      expect(result([i(O.LDX_IMM, 9), i(O.STX, 15), i(O.LDX_MEM, 15), i(O.TXA), i(O.RET_A)])).to.equal(9);
      expect(result([i(O.LD_MEM, 0), i(O.RET_A)])).to.equal(0);
    });
  });

  describe('ALU, with K and with X, 32-bit unsigned', () => {
    const cases: [string, number, number, number, number][] = [
      ['add', O.ADD, 0xffffffff, 2, 1],
      ['sub', O.SUB, 1, 2, 0xffffffff],
      ['mul', O.MUL, 0x10000, 0x10000, 0],
      ['div', O.DIV, 7, 2, 3],
      ['mod', O.MOD, 7, 4, 3],
      ['or', O.OR, 0xf0, 0x0f, 0xff],
      ['and', O.AND, 0xf0, 0x3c, 0x30],
      ['xor', O.XOR, 0xff, 0x0f, 0xf0],
      ['lsh', O.LSH, 1, 31, 0x80000000],
      ['rsh', O.RSH, 0x80000000, 31, 1],
    ];
    for (const [name, op, a, b, want] of cases) {
      it(`${name}: K and X agree`, () => {
        expect(result([i(O.LD_IMM, a), i(O.ALU | op, b), i(O.RET_A)]), `${name} K`).to.equal(want);
        expect(result([i(O.LD_IMM, a), i(O.LDX_IMM, b), i(O.ALU_X | op), i(O.RET_A)]), `${name} X`).to.equal(want);
      });
    }
    it('neg', () => expect(result([i(O.LD_IMM, 1), i(O.ALU | O.NEG), i(O.RET_A)])).to.equal(0xffffffff));
    it('a division or modulo by a zero X ends the program with 0 (SECCOMP_RET_KILL_THREAD)', () => {
      for (const op of [O.DIV, O.MOD]) {
        const ret = result([i(O.LD_IMM, 7), i(O.LDX_IMM, 0), i(O.ALU_X | op), i(O.RET_K, ALLOW)]);
        expect(verdictOf(ret).action).to.equal('kill_thread');
      }
    });
  });

  describe('jumps, with K and with X', () => {
    const pick = (jmp: number, a: number, b: number, useX: boolean) =>
      result([i(O.LD_IMM, a), i(O.LDX_IMM, b), useX ? i(jmp | O.X, 0, 0, 1) : i(jmp, b, 0, 1), i(O.RET_K, 1), i(O.RET_K, 0)]);
    const table: [string, number, number, number, number][] = [
      ['jeq', O.JMP_JEQ, 5, 5, 1],
      ['jeq', O.JMP_JEQ, 5, 6, 0],
      ['jgt', O.JMP_JGT, 6, 5, 1],
      ['jgt', O.JMP_JGT, 5, 5, 0],
      ['jge', O.JMP_JGE, 5, 5, 1],
      ['jge', O.JMP_JGE, 4, 5, 0],
      ['jset', O.JMP_JSET, 0b110, 0b010, 1],
      ['jset', O.JMP_JSET, 0b100, 0b010, 0],
      ['jgt unsigned', O.JMP_JGT, 0x80000000, 1, 1],
    ];
    for (const [name, op, a, b, taken] of table) {
      it(`${name} ${a} ${b} → ${taken ? 'taken' : 'not taken'}`, () => {
        expect(pick(op, a, b, false), 'K').to.equal(taken);
        expect(pick(op, a, b, true), 'X').to.equal(taken);
      });
    }
    it('ja jumps over k instructions', () => expect(result([i(O.JMP_JA, 1), i(O.RET_K, 1), i(O.RET_K, 2)])).to.equal(2));
  });

  describe("the kernel's checker", () => {
    const refused: [string, BpfInsn[], RegExp][] = [
      ['an empty program', [], /a program of 0 instructions/],
      ['a program too long', Array.from({ length: 4097 }, () => i(O.RET_K, ALLOW)), /4097 instructions/],
      ['no return last', [i(O.LD_W_ABS, 0)], /no return/],
      ['a load past seccomp_data', [i(O.LD_W_ABS, 64), i(O.RET_A)], /outside struct seccomp_data/],
      ['an unaligned load', [i(O.LD_W_ABS, 2), i(O.RET_A)], /unaligned/],
      ['a byte load', [i(0x30, 0), i(O.RET_A)], /32-bit words/],
      ['an indirect load', [i(0x40, 0), i(O.RET_A)], /not allowed/],
      ['scratch memory out of range', [i(O.ST, 16), i(O.RET_A)], /M\[16\]/],
      ['a jump past the end', [i(O.JMP_JEQ, 0, 5, 0), i(O.RET_A)], /past the end/],
      ['division by the constant 0', [i(O.ALU | O.DIV, 0), i(O.RET_A)], /constant 0/],
      ['an unknown ALU op', [i(O.ALU | 0xb0, 1), i(O.RET_A)], /unknown opcode/],
      ['an unknown misc op', [i(0x07 | 0x40), i(O.RET_A)], /unknown opcode/],
      ['an unknown return', [i(O.RET_K | 0x08)], /unknown opcode/],
    ];
    for (const [name, prog, why] of refused) {
      it(`refuses ${name}`, () => expect(() => validate(prog)).to.throw(BpfError, why));
    }
  });

  it('disassembles as the listings read', () => {
    const prog = [
      i(O.LD_W_ABS, 4),
      i(O.JMP_JEQ, X86_64, 0, 3),
      i(O.LD_W_ABS, 0),
      i(O.JMP_JEQ | O.X, 0, 1, 0),
      i(O.RET_K, EPERM),
      i(O.TAX),
      i(O.ALU | O.AND, 0xff),
      i(O.ST, 1),
      i(O.RET_A),
    ];
    expect(prog.map(disassemble)).to.deep.equal([
      'ld [4]',
      'jeq #0xc000003e, 0, 3',
      'ld [0]',
      'jeq x, 1, 0',
      'ret #0x50001',
      'tax',
      'and #0xff',
      'st M[1]',
      'ret a',
    ]);
  });

  describe('verdicts and stacked filters (seccomp(2))', () => {
    it('reads the action and its data; an unknown action is KILL_PROCESS', () => {
      expect(verdictOf(retOf('errno', 38))).to.deep.equal({ action: 'errno', data: 38 });
      expect(verdictOf(0x7fff0000).action).to.equal('allow');
      expect(verdictOf(0x00010000).action).to.equal('kill_process');
    });
    it('the action of highest precedence wins, the first seen (filter 0, the last installed) on a tie', () => {
      expect(combine([ALLOW, EPERM])).to.deep.equal({ action: 'errno', data: 1 });
      expect(combine([retOf('errno', 1), retOf('errno', 38)])).to.deep.equal({ action: 'errno', data: 1 });
      expect(combine([retOf('log'), retOf('trace', 7), ALLOW]).action).to.equal('trace');
      expect(combine([retOf('trap'), retOf('kill_thread')]).action).to.equal('kill_thread');
      expect(combine([retOf('kill_thread'), retOf('kill_process')]).action).to.equal('kill_process');
      expect(combine([]).action).to.equal('allow');
    });
  });

  describe('a stack evaluated for one call', () => {
    // ld nr; jeq keyctl; ret ERRNO|EPERM; ret ALLOW — the filter measured in the issue.
    const KEYCTL_DENY = [i(O.LD_W_ABS, 0), i(O.JMP_JEQ, KEYCTL, 0, 1), i(O.RET_K, EPERM), i(O.RET_K, ALLOW)];
    const ARCH_CHECKED = [i(O.LD_W_ABS, 4), i(O.JMP_JEQ, X86_64, 1, 0), i(O.RET_K, retOf('kill_process')), ...KEYCTL_DENY];
    // clone(flags) refused only with CLONE_NEWUSER: the verdict depends on args[0].
    const CLONE_NEWUSER_DENY = [
      i(O.LD_W_ABS, 0),
      i(O.JMP_JEQ, 56, 0, 3),
      i(O.LD_W_ABS, 16),
      i(O.JMP_JSET, 0x10000000, 0, 1),
      i(O.RET_K, EPERM),
      i(O.RET_K, ALLOW),
    ];

    it('judges the native ABI by its numbers', () => {
      validateStack([KEYCTL_DENY]);
      expect(evaluateCall([KEYCTL_DENY], { nr: KEYCTL, arch: X86_64 })).to.deep.equal({ action: 'errno', data: 1, dependsOnArgs: false });
      expect(evaluateCall([KEYCTL_DENY], { nr: 0, arch: X86_64 }).action).to.equal('allow');
    });

    it('without an arch check, i386 and x32 calls are judged by x86_64 numbers: the classic bypass shows', () => {
      // i386's keyctl is 288, which this filter never names: allowed.
      expect(evaluateCall([KEYCTL_DENY], { nr: 288, arch: AUDIT_ARCH.i386 }).action).to.equal('allow');
      expect(evaluateCall([KEYCTL_DENY], { nr: KEYCTL | X32_SYSCALL_BIT, arch: X86_64 }).action).to.equal('allow');
      expect(evaluateCall([ARCH_CHECKED], { nr: 288, arch: AUDIT_ARCH.i386 }).action).to.equal('kill_process');
    });

    it('an argument-dependent rule is marked, and each argument value gets its own verdict', () => {
      const plain = evaluateCall([CLONE_NEWUSER_DENY], { nr: 56, arch: X86_64, args: [0x11n] });
      const userns = evaluateCall([CLONE_NEWUSER_DENY], { nr: 56, arch: X86_64, args: [0x10000011n] });
      expect([plain.action, userns.action, plain.dependsOnArgs]).to.deep.equal(['allow', 'errno', true]);
      expect(evaluateCall([CLONE_NEWUSER_DENY], { nr: 0, arch: X86_64 }).dependsOnArgs).to.equal(false);
    });

    it('stacked: every filter runs and the strictest wins', () => {
      const allowAll = [i(O.RET_K, ALLOW)];
      expect(evaluateCall([allowAll, KEYCTL_DENY], { nr: KEYCTL, arch: X86_64 }).action).to.equal('errno');
      expect(evaluateCall([], { nr: KEYCTL, arch: X86_64 }).action).to.equal('allow');
    });

    it('a filter the kernel would refuse is a broken read, named by its index', () => {
      expect(() => validateStack([KEYCTL_DENY, [i(O.LD_W_ABS, 0)]])).to.throw('seccomp filter 1: the last instruction (0x20) is no return');
    });
  });
});
