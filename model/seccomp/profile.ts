/**
 * The effective seccomp profile of a stack of filters (issue 14): every syscall number of each x86
 * ABI (./syscalls.ts) run through the stack, and for calls whose verdict depends on arguments the
 * argument values that matter (ARG_CASES) run too. The same stack always gives the same profile,
 * so the results hold the summary and the checks recompute what they judge from the raw filters.
 */
import type { BpfInsn } from '../parse/seccomp-filters.js';
import type { Verdict } from './action.js';
import { AUDIT_ARCH, evaluateCall, X32_SYSCALL_BIT } from './evaluate.js';
import { type Abi, ABIS, SYSCALLS } from './syscalls.js';

export type Stack = readonly (readonly BpfInsn[])[];

// Namespace flags of clone(2), unshare(2) and setns(2) (linux/sched.h).
export const CLONE_NEW = {
  CLONE_NEWNS: 0x00020000,
  CLONE_NEWCGROUP: 0x02000000,
  CLONE_NEWUTS: 0x04000000,
  CLONE_NEWIPC: 0x08000000,
  CLONE_NEWUSER: 0x10000000,
  CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000,
  CLONE_NEWTIME: 0x00000080,
} as const;

export interface ArgCase {
  /** How the case is named in results and evidence: `flags=CLONE_NEWUSER`, `family=AF_PACKET`. */
  label: string;
  args: readonly bigint[];
}

const nsCases = (index: number, name: string): ArgCase[] => [
  { label: `${name}=0`, args: argsAt(index, 0) },
  ...Object.entries(CLONE_NEW).map(([flag, v]) => ({ label: `${name}=${flag}`, args: argsAt(index, v) })),
];

function argsAt(index: number, value: number, rest: Record<number, number> = {}): bigint[] {
  const args = [0n, 0n, 0n, 0n, 0n, 0n];
  args[index] = BigInt(value >>> 0);
  for (const [i, v] of Object.entries(rest)) args[Number(i)] = BigInt(v >>> 0);
  return args;
}

const FAMILIES = { AF_UNIX: 1, AF_INET: 2, AF_INET6: 10, AF_KEY: 15, AF_NETLINK: 16, AF_PACKET: 17, AF_BLUETOOTH: 31, AF_ALG: 38, AF_VSOCK: 40, AF_XDP: 44 };
const socketCases = Object.entries(FAMILIES).flatMap(([family, f]) =>
  [
    ['SOCK_STREAM', 1],
    ['SOCK_RAW', 3],
  ].map(([type, t]) => ({ label: `family=${family},type=${type}`, args: argsAt(0, f, { 1: t as number }) })),
);

/**
 * The argument values that decide the calls profiles filter by argument: the namespace flags (the
 * user namespace is the door to every capability inside it), the personality values Docker's
 * profile lists, socket families beyond the usual ones, the terminal ioctls that inject input
 * (TIOCSTI, TIOCLINUX: CVE-2016-9016 and the sandbox escapes of that class), the prctl options
 * that change privilege or filtering, and writable-executable memory.
 */
export const ARG_CASES: Record<string, readonly ArgCase[]> = {
  // clone(2) reads the low byte of its flags as the exit signal, so CLONE_NEWTIME (0x80) is no namespace there (clone3 and unshare only).
  clone: [{ label: 'flags=SIGCHLD', args: argsAt(0, 17) }, ...nsCases(0, 'flags').filter((c) => c.label !== 'flags=0' && c.label !== 'flags=CLONE_NEWTIME')],
  unshare: nsCases(0, 'flags'),
  setns: nsCases(1, 'nstype'),
  personality: [
    ['PER_LINUX', 0],
    ['PER_LINUX32', 8],
    ['UNAME26', 0x20000],
    ['ADDR_NO_RANDOMIZE', 0x40000],
    ['READ_IMPLIES_EXEC', 0x400000],
    ['query', 0xffffffff],
  ].map(([n, v]) => ({ label: `persona=${n}`, args: argsAt(0, v as number) })),
  socket: socketCases,
  socketpair: socketCases,
  ioctl: [
    ['TCGETS', 0x5401],
    ['FIONREAD', 0x541b],
    ['TIOCSTI', 0x5412],
    ['TIOCLINUX', 0x541c],
  ].map(([n, v]) => ({ label: `request=${n}`, args: argsAt(1, v as number) })),
  prctl: [
    ['PR_SET_DUMPABLE', 4],
    ['PR_SET_NAME', 15],
    ['PR_SET_SECCOMP', 22],
    ['PR_CAPBSET_DROP', 24],
    ['PR_SET_NO_NEW_PRIVS', 38],
  ].map(([n, v]) => ({ label: `option=${n}`, args: argsAt(0, v as number) })),
  mprotect: [
    { label: 'prot=PROT_READ|PROT_WRITE', args: argsAt(2, 3) },
    { label: 'prot=PROT_READ|PROT_WRITE|PROT_EXEC', args: argsAt(2, 7) },
  ],
  mmap: [
    { label: 'prot=PROT_READ|PROT_WRITE', args: argsAt(2, 3) },
    { label: 'prot=PROT_READ|PROT_WRITE|PROT_EXEC', args: argsAt(2, 7) },
  ],
};
/** Any other call a filter filters by argument: all arguments zero and all ones. */
const GENERIC_CASES: readonly ArgCase[] = [
  { label: 'args=0', args: [0n, 0n, 0n, 0n, 0n, 0n] },
  { label: 'args=~0', args: Array(6).fill(0xffffffffffffffffn) },
];

/** The seccomp_data.nr and .arch a filter sees for a call of an ABI. */
export function callOf(abi: Abi, nr: number): { nr: number; arch: number } {
  if (abi === 'i386') return { nr, arch: AUDIT_ARCH.i386 };
  return { nr: abi === 'x32' ? (nr | X32_SYSCALL_BIT) >>> 0 : nr, arch: AUDIT_ARCH.x86_64 };
}

export function numberOf(abi: Abi, name: string): number | undefined {
  return SYSCALLS[abi].find(([, n]) => n === name)?.[0];
}

export interface CallOutcome {
  /** The verdict with all arguments zero. */
  verdict: Verdict;
  /** Present when a filter read an argument on the way: each case's verdict. */
  cases?: { label: string; verdict: Verdict }[];
}

/**
 * Outcomes already computed for a stack: the results' profile and three checks ask for the same
 * calls of the same stack, and the filter read is one object for the whole run.
 */
const OUTCOMES = new WeakMap<Stack, Map<string, CallOutcome>>();

/** One call of one ABI through the stack, its argument cases when the filter reads arguments. */
export function outcomeOf(stack: Stack, abi: Abi, nr: number, name: string): CallOutcome {
  const seen = OUTCOMES.get(stack) ?? new Map<string, CallOutcome>();
  OUTCOMES.set(stack, seen);
  const key = `${abi}:${nr}:${name}`;
  const known = seen.get(key);
  if (known) return known;
  const o = computeOutcome(stack, abi, nr, name);
  seen.set(key, o);
  return o;
}

function computeOutcome(stack: Stack, abi: Abi, nr: number, name: string): CallOutcome {
  const call = callOf(abi, nr);
  const base = evaluateCall(stack, call);
  const verdict = { action: base.action, data: base.data };
  if (!base.dependsOnArgs) return { verdict };
  const cases = (ARG_CASES[name] ?? GENERIC_CASES).map((c) => {
    const v = evaluateCall(stack, { ...call, args: c.args });
    return { label: c.label, verdict: { action: v.action, data: v.data } };
  });
  return { verdict, cases };
}

/** `allow`, `errno(1)`, `kill_process`, `trace(7)`: a verdict as results and evidence print it. */
export function verdictText(v: Verdict): string {
  return v.action === 'errno' || v.action === 'trap' || v.action === 'trace' ? `${v.action}(${v.data})` : v.action;
}

/** How much a verdict lets through: the call runs (allow, log), another decides (trace, user_notif), or it is refused. */
export type Reach = 'runs' | 'delegated' | 'refused';
export function reachOf(v: Verdict): Reach {
  if (v.action === 'allow' || v.action === 'log') return 'runs';
  if (v.action === 'trace' || v.action === 'user_notif') return 'delegated';
  return 'refused';
}
const REACH_RANK: Record<Reach, number> = { runs: 0, delegated: 1, refused: 2 };
/** Whether `a` lets through no more than `b`. */
export function atLeastAsStrict(a: Verdict, b: Verdict): boolean {
  return REACH_RANK[reachOf(a)] >= REACH_RANK[reachOf(b)];
}
/** The most permissive verdict of a call over its cases. */
export function loosest(o: CallOutcome): Verdict {
  const all = [o.verdict, ...(o.cases ?? []).map((c) => c.verdict)];
  return all.reduce((a, b) => (REACH_RANK[reachOf(b)] < REACH_RANK[reachOf(a)] ? b : a));
}

/**
 * One ABI's profile, compact: the names of the calls of each verdict (`allow: [...]`,
 * `errno(1): [...]`), and for the calls that depend on arguments each case's verdict.
 */
export interface AbiProfile {
  byVerdict: Record<string, string[]>;
  conditional: Record<string, Record<string, string>>;
}
export interface EffectiveProfile {
  /** Instructions of each stacked filter, the one the kernel runs first first. */
  filters: number[];
  abis: Record<Abi, AbiProfile>;
}

export function effectiveProfile(stack: Stack): EffectiveProfile {
  const abis = {} as Record<Abi, AbiProfile>;
  for (const abi of ABIS) {
    const p: AbiProfile = { byVerdict: {}, conditional: {} };
    for (const [nr, name] of SYSCALLS[abi]) {
      const o = outcomeOf(stack, abi, nr, name);
      if (o.cases) {
        p.conditional[name] = Object.fromEntries([['args=0', verdictText(o.verdict)], ...o.cases.map((c) => [c.label, verdictText(c.verdict)])]);
        continue;
      }
      const key = verdictText(o.verdict);
      p.byVerdict[key] = [...(p.byVerdict[key] ?? []), name];
    }
    abis[abi] = p;
  }
  return { filters: stack.map((f) => f.length), abis };
}

/** The calls of an ABI that run (allow, log) for some argument value: what "N allowed" counts. */
export function runnable(p: AbiProfile): string[] {
  const plain = Object.entries(p.byVerdict).flatMap(([v, names]) => (v === 'allow' || v === 'log' ? names : []));
  const cond = Object.entries(p.conditional).flatMap(([name, cases]) => (Object.values(cases).some((v) => v === 'allow' || v === 'log') ? [name] : []));
  return [...plain, ...cond].sort();
}

/** Each call's verdict text in an ABI: a conditional call as `conditional`. */
export function verdictsByName(p: AbiProfile): Map<string, string> {
  const m = new Map<string, string>();
  for (const [v, names] of Object.entries(p.byVerdict)) for (const n of names) m.set(n, v);
  for (const n of Object.keys(p.conditional)) m.set(n, 'conditional');
  return m;
}
