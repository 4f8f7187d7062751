/**
 * The effective profile against the declared one (issue 14, conformance.seccomp): every call of
 * every ABI, with the argument cases of profile.ts for the calls filtered by argument, evaluated
 * both ways. A call the filter lets further than the declaration is `looser` (the finding); one it
 * holds tighter is listed too, since a runtime that quietly tightens is also not what was declared.
 */
import type { Verdict } from './action.js';
import { type DeclaredProfile, declaredVerdict, type ResolveContext } from './declared.js';
import { ARG_CASES, atLeastAsStrict, outcomeOf, reachOf, type Stack, verdictText } from './profile.js';
import { type Abi, ABIS, SYSCALLS } from './syscalls.js';

export interface ProfileDifference {
  abi: Abi;
  name: string;
  case?: string;
  effective: string;
  declared: string;
  looser: boolean;
}

export function compareWithDeclared(stack: Stack, declared: DeclaredProfile, ctx: ResolveContext): ProfileDifference[] {
  const out: ProfileDifference[] = [];
  const differ = (abi: Abi, name: string, eff: Verdict, dec: Verdict, label?: string) => {
    if (reachOf(eff) === reachOf(dec)) return;
    out.push({ abi, name, ...(label ? { case: label } : {}), effective: verdictText(eff), declared: verdictText(dec), looser: !atLeastAsStrict(eff, dec) });
  };
  for (const abi of ABIS) {
    for (const [nr, name] of SYSCALLS[abi]) {
      const o = outcomeOf(stack, abi, nr, name);
      differ(abi, name, o.verdict, declaredVerdict(declared, ctx, abi, name), undefined);
      for (const c of ARG_CASES[name] ?? []) {
        const eff = o.cases?.find((x) => x.label === c.label)?.verdict ?? o.verdict;
        differ(abi, name, eff, declaredVerdict(declared, ctx, abi, name, c.args), c.label);
      }
    }
  }
  return out;
}
