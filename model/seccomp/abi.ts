/**
 * The other x86 ABIs against the native one (issue 14, security.seccomp-abi): a process can enter
 * the kernel through the i386 entry (int 0x80, AUDIT_ARCH_I386) or with x32's syscall bit, and a
 * filter that matches only x86_64 numbers lets those calls through unjudged: the classic bypass.
 * Each call of the ABI that x86_64 also has must get no further there than natively, argument
 * cases included (a clone flag refused natively, allowed through i386, is the bypass).
 */
import { ARG_CASES, atLeastAsStrict, loosest, numberOf, outcomeOf, reachOf, type Stack, verdictText } from './profile.js';
import { type Abi, SYSCALLS } from './syscalls.js';

export interface AbiComparison {
  abi: Abi;
  /** Calls of the ABI x86_64 also has, compared. */
  compared: number;
  /** Every call of the ABI refused, whatever its arguments. */
  refusedWhole: boolean;
  /** `i386 keyctl: allow (x86_64: errno(1))`, `i386 clone flags=CLONE_NEWUSER: …`. */
  looser: string[];
}

export function compareAbi(stack: Stack, abi: Exclude<Abi, 'x86_64'>): AbiComparison {
  const looser: string[] = [];
  let compared = 0;
  let refusedWhole = true;
  for (const [nr, name] of SYSCALLS[abi]) {
    const o = outcomeOf(stack, abi, nr, name);
    if (reachOf(loosest(o)) !== 'refused') refusedWhole = false;
    const native = numberOf('x86_64', name);
    if (native === undefined) continue;
    compared++;
    const n = outcomeOf(stack, 'x86_64', native, name);
    const pairs: [string, typeof o.verdict, typeof o.verdict][] = [['', o.verdict, n.verdict]];
    for (const c of ARG_CASES[name] ?? []) {
      const here = o.cases?.find((x) => x.label === c.label)?.verdict ?? o.verdict;
      const there = n.cases?.find((x) => x.label === c.label)?.verdict ?? n.verdict;
      pairs.push([` ${c.label}`, here, there]);
    }
    for (const [label, here, there] of pairs) {
      if (!atLeastAsStrict(here, there)) looser.push(`${abi} ${name}${label}: ${verdictText(here)} (x86_64: ${verdictText(there)})`);
    }
  }
  return { abi, compared, refusedWhole, looser };
}
