/**
 * Classic BPF as seccomp runs it (issue 14): the instruction set the kernel accepts for a seccomp
 * filter (seccomp(2); the kernel's seccomp_check_filter), its validation, and its execution over
 * one struct seccomp_data. Pure: the filters come from the host's read (model/parse/
 * seccomp-filters.ts), the answers go to the evaluation over the syscall table. A program the
 * kernel would have refused is an error here, never evaluated as if it were something else.
 */
import type { BpfInsn } from '../parse/seccomp-filters.js';

/** struct seccomp_data: nr, arch, instruction_pointer (u64) and args[6] (u64 each), little endian. */
export interface SeccompData {
  nr: number;
  arch: number;
  instructionPointer?: bigint;
  args?: readonly bigint[];
}

export const SECCOMP_DATA_SIZE = 64;
export const BPF_MAXINSNS = 4096;
/** Scratch memory words (BPF_MEMWORDS). */
const MEMWORDS = 16;

// Classes and fields of the opcode (linux/bpf_common.h).
const CLASS = 0x07;
const [LD, LDX, ST, STX, ALU, JMP, RET, MISC] = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07];
const SIZE = 0x18;
const W = 0x00;
const MODE = 0xe0;
const [IMM, ABS, MEM, LEN] = [0x00, 0x20, 0x60, 0x80];
const OP = 0xf0;
const SRC = 0x08;
const X = 0x08;
const [ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR] = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0];
const [JA, JEQ, JGT, JGE, JSET] = [0x00, 0x10, 0x20, 0x30, 0x40];
const RVAL = 0x18;
const [RET_K, RET_A] = [0x00, 0x10];
const [TAX, TXA] = [0x00, 0x80];

export class BpfError extends Error {}

/** A run's return value, and the seccomp_data offsets it loaded: an argument word (offset 16 and up) makes the verdict depend on the arguments. */
export interface RunResult {
  ret: number;
  /** The seccomp_data offsets the path taken loaded. */
  loaded: number[];
}

/** The kernel's checks of a seccomp program before it is installed: throws a BpfError naming the first instruction it would refuse. */
export function validate(prog: readonly BpfInsn[]): void {
  if (prog.length === 0 || prog.length > BPF_MAXINSNS) throw new BpfError(`a program of ${prog.length} instructions (1 to ${BPF_MAXINSNS})`);
  prog.forEach(([code, jt, jf, k], pc) => {
    const at = `instruction ${pc} (${hex(code)})`;
    const cls = code & CLASS;
    switch (cls) {
      case LD:
      case LDX: {
        const mode = code & MODE;
        if ((code & SIZE) !== W) throw new BpfError(`${at}: seccomp loads only 32-bit words`);
        if (mode === ABS) {
          if (cls !== LD) throw new BpfError(`${at}: LDX has no ABS mode`);
          if (k % 4 !== 0 || k >= SECCOMP_DATA_SIZE) throw new BpfError(`${at}: load outside struct seccomp_data or unaligned (k=${k})`);
        } else if (mode === MEM) {
          if (k >= MEMWORDS) throw new BpfError(`${at}: scratch memory M[${k}] out of range`);
        } else if (mode !== IMM && mode !== LEN) throw new BpfError(`${at}: addressing mode not allowed for seccomp`);
        if (code & ~(CLASS | SIZE | MODE)) throw new BpfError(`${at}: unknown opcode`);
        return;
      }
      case ST:
      case STX:
        if (code !== cls) throw new BpfError(`${at}: unknown opcode`);
        if (k >= MEMWORDS) throw new BpfError(`${at}: scratch memory M[${k}] out of range`);
        return;
      case ALU: {
        const op = code & OP;
        if (![ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR].includes(op) || (op === NEG && code & SRC) || code & ~(CLASS | OP | SRC))
          throw new BpfError(`${at}: unknown opcode`);
        if ((op === DIV || op === MOD) && !(code & SRC) && k === 0) throw new BpfError(`${at}: division by the constant 0`);
        return;
      }
      case JMP: {
        const op = code & OP;
        if (![JA, JEQ, JGT, JGE, JSET].includes(op) || code & ~(CLASS | OP | SRC) || (op === JA && code & SRC)) throw new BpfError(`${at}: unknown opcode`);
        const targets = op === JA ? [k] : [jt, jf];
        for (const off of targets) if (pc + 1 + off >= prog.length) throw new BpfError(`${at}: jump past the end of the program`);
        return;
      }
      case RET: {
        const rval = code & RVAL;
        if ((rval !== RET_K && rval !== RET_A) || code & ~(CLASS | RVAL)) throw new BpfError(`${at}: unknown opcode`);
        return;
      }
      case MISC:
        if (code !== (MISC | TAX) && code !== (MISC | TXA)) throw new BpfError(`${at}: unknown opcode`);
        return;
    }
  });
  const last = prog[prog.length - 1]![0];
  if ((last & CLASS) !== RET) throw new BpfError(`the last instruction (${hex(last)}) is no return`);
}

/** The 32-bit word of seccomp_data at `offset` (aligned, < 64). */
export function dataWord(d: SeccompData, offset: number): number {
  if (offset === 0) return d.nr >>> 0;
  if (offset === 4) return d.arch >>> 0;
  const u64 = offset < 16 ? (d.instructionPointer ?? 0n) : (d.args?.[(offset - 16) >> 3] ?? 0n);
  return Number(offset % 8 === 0 ? u64 & 0xffffffffn : (u64 >> 32n) & 0xffffffffn);
}

/** Runs a validated program over one seccomp_data: its return value and what it loaded on the way. */
export function run(prog: readonly BpfInsn[], d: SeccompData): RunResult {
  try {
    return execute(prog, d);
  } catch (e) {
    if (e instanceof DivisionByZero) return { ret: 0, loaded: [] };
    throw e;
  }
}

function execute(prog: readonly BpfInsn[], d: SeccompData): RunResult {
  let a = 0;
  let x = 0;
  const mem = new Uint32Array(MEMWORDS);
  const loaded: number[] = [];
  // Jumps only go forward (validate), so this loop ends within prog.length steps.
  for (let pc = 0; pc < prog.length; pc++) {
    const [code, jt, jf, k] = prog[pc]!;
    switch (code & CLASS) {
      case LD:
      case LDX: {
        let v: number;
        const mode = code & MODE;
        if (mode === ABS) {
          v = dataWord(d, k);
          loaded.push(k);
        } else if (mode === LEN) v = SECCOMP_DATA_SIZE;
        else if (mode === MEM) v = mem[k]!;
        else v = k >>> 0;
        if ((code & CLASS) === LD) a = v;
        else x = v;
        break;
      }
      case ST:
        mem[k] = a;
        break;
      case STX:
        mem[k] = x;
        break;
      case ALU:
        a = alu(code & OP, a, code & SRC ? x : k >>> 0);
        break;
      case JMP: {
        const op = code & OP;
        if (op === JA) {
          pc += k;
          break;
        }
        const b = code & SRC ? x : k >>> 0;
        const taken = op === JEQ ? a === b : op === JGT ? a > b : op === JGE ? a >= b : (a & b) !== 0;
        pc += taken ? jt : jf;
        break;
      }
      case RET:
        return { ret: ((code & RVAL) === RET_A ? a : k) >>> 0, loaded };
      case MISC:
        if (code === (MISC | TAX)) x = a;
        else a = x;
        break;
    }
  }
  throw new BpfError('the program ran off its end (it was not validated)');
}

/** 32-bit unsigned ALU, as the kernel's; a division or modulo by a zero X is DivisionByZero. */
function alu(op: number, a: number, b: number): number {
  switch (op) {
    case ADD:
      return (a + b) >>> 0;
    case SUB:
      return (a - b) >>> 0;
    case MUL:
      return Math.imul(a, b) >>> 0;
    case DIV:
      if (b === 0) throw new DivisionByZero();
      return Math.floor(a / b) >>> 0;
    case MOD:
      if (b === 0) throw new DivisionByZero();
      return (a % b) >>> 0;
    case OR:
      return (a | b) >>> 0;
    case AND:
      return (a & b) >>> 0;
    case XOR:
      return (a ^ b) >>> 0;
    case LSH:
      return b >= 32 ? 0 : (a << b) >>> 0;
    case RSH:
      return b >= 32 ? 0 : a >>> b;
    default: // NEG
      return -a >>> 0;
  }
}

/**
 * A division or modulo by a zero X at run time: classic BPF then ends the program with a return
 * value of 0, which seccomp reads as SECCOMP_RET_KILL_THREAD (run).
 */
class DivisionByZero extends Error {}

/** One instruction as text, as bpf_dbg and seccomp-tools print them: `ld [0]`, `jeq #0xc000003e, 0, 3`, `ret #0x7fff0000`. */
export function disassemble([code, jt, jf, k]: BpfInsn): string {
  const cls = code & CLASS;
  const kx = (c: number) => (c & SRC ? 'x' : `#${hex(k)}`);
  switch (cls) {
    case LD:
    case LDX: {
      const name = cls === LD ? 'ld' : 'ldx';
      const mode = code & MODE;
      if (mode === ABS) return `${name} [${k}]`;
      if (mode === LEN) return `${name} #len`;
      if (mode === MEM) return `${name} M[${k}]`;
      return `${name} #${hex(k)}`;
    }
    case ST:
      return `st M[${k}]`;
    case STX:
      return `stx M[${k}]`;
    case ALU: {
      const names: Record<number, string> = {
        [ADD]: 'add',
        [SUB]: 'sub',
        [MUL]: 'mul',
        [DIV]: 'div',
        [OR]: 'or',
        [AND]: 'and',
        [LSH]: 'lsh',
        [RSH]: 'rsh',
        [NEG]: 'neg',
        [MOD]: 'mod',
        [XOR]: 'xor',
      };
      const op = code & OP;
      return op === NEG ? 'neg' : `${names[op] ?? `alu?${hex(op)}`} ${kx(code)}`;
    }
    case JMP: {
      const op = code & OP;
      if (op === JA) return `ja +${k}`;
      const names: Record<number, string> = { [JEQ]: 'jeq', [JGT]: 'jgt', [JGE]: 'jge', [JSET]: 'jset' };
      return `${names[op] ?? `jmp?${hex(op)}`} ${kx(code)}, ${jt}, ${jf}`;
    }
    case RET:
      return (code & RVAL) === RET_A ? 'ret a' : `ret #${hex(k)}`;
    default:
      return code === (MISC | TAX) ? 'tax' : code === (MISC | TXA) ? 'txa' : `misc?${hex(code)}`;
  }
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** The opcodes by name, for tests and for filters written in TypeScript (an assembler's constants). */
export const OPCODES = {
  LD_W_ABS: LD | W | ABS,
  LD_W_LEN: LD | W | LEN,
  LDX_W_LEN: LDX | W | LEN,
  LD_IMM: LD | IMM,
  LDX_IMM: LDX | IMM,
  LD_MEM: LD | MEM,
  LDX_MEM: LDX | MEM,
  ST,
  STX,
  ALU,
  ALU_X: ALU | X,
  ADD,
  SUB,
  MUL,
  DIV,
  OR,
  AND,
  LSH,
  RSH,
  NEG,
  MOD,
  XOR,
  JMP_JA: JMP | JA,
  JMP_JEQ: JMP | JEQ,
  JMP_JGT: JMP | JGT,
  JMP_JGE: JMP | JGE,
  JMP_JSET: JMP | JSET,
  X,
  RET_K: RET | RET_K,
  RET_A: RET | RET_A,
  TAX: MISC | TAX,
  TXA: MISC | TXA,
} as const;
