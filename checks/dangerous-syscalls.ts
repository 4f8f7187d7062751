/**
 * security.dangerous-syscalls-refused's judgment: the dangerous calls of model/seccomp/dangerous.ts
 * over the whole x86_64 table of the filter the host read, with the probe's own calls
 * (probes/README.md, "security") as the behavioural cross-check. A call the filter refuses but the
 * probe reached is a failure (the filter read is not what the process runs under); one the filter
 * lets through but the kernel refused the probe (a capability, a sysctl) is held, and says by what.
 */
import type { SecurityFacts } from '../model/facts.js';
import { capNames, type ProcStatus } from '../model/parse/status.js';
import { type DangerousFinding, filterLetsUserNs, isInitialUidMap, judgeDangerous } from '../model/seccomp/dangerous.js';
import type { Stack } from '../model/seccomp/profile.js';
import { errnoName, refused } from './define.js';

type Calls = SecurityFacts['syscalls'];

/** The probe's call standing for a finding, if it made one. */
function probeCall(f: DangerousFinding, calls: Calls): number | undefined {
  if (f.name === 'unshare') return f.case === 'flags=CLONE_NEWUSER' ? calls.unshare_user : undefined;
  if (f.case) return undefined;
  return (calls as Record<string, number>)[f.name];
}

const label = (f: DangerousFinding) => (f.case ? `${f.name}(${f.case})` : f.name);

export function judgeDangerousWithProbe(
  stack: Stack,
  status: Pick<ProcStatus, 'capBnd'>,
  calls: Calls,
  uidMap: string | null,
): { failures: string[]; summary: string } {
  const bounding = new Set(capNames(status.capBnd));
  const canMakeUserNs = filterLetsUserNs(stack) && !refused(calls.unshare_user);
  // An unreadable map is taken as the initial namespace's: the gates then hold only for want of the capability.
  const findings = judgeDangerous(stack, 'x86_64', { bounding, canMakeUserNs, initUserNs: isInitialUidMap(uidMap) });
  const failures: string[] = [];
  const held: string[] = [];
  const disagree: string[] = [];
  let refusedByFilter = 0;
  for (const f of findings) {
    const e = probeCall(f, calls);
    if (f.standing === 'refused') {
      refusedByFilter++;
      if (e !== undefined && !refused(e)) failures.push(`${label(f)}: the filter refuses it (${f.detail}) but the probe reached it (${errnoName(e)})`);
      else if (e !== undefined && f.detail.startsWith('errno(') && f.detail !== `errno(${e})`)
        disagree.push(`${label(f)}: filter ${f.detail}, probe ${errnoName(e)}`);
      continue;
    }
    if (f.standing === 'held') {
      held.push(`${label(f)} (${f.detail.replace(/^.*held: /, '')})`);
      continue;
    }
    if (e !== undefined && refused(e)) {
      held.push(`${label(f)} (filter ${f.detail}; the kernel refused the probe: ${errnoName(e)})`);
      continue;
    }
    failures.push(`${label(f)}: ${f.standing}, filter ${f.detail}${e !== undefined ? `, probe ${errnoName(e)}` : ''}`);
  }
  const reachable = failures.length;
  const summary = [
    `${findings.length} dangerous calls and cases judged (${stack.length} filter${stack.length === 1 ? '' : 's'})`,
    `${refusedByFilter} refused by the filter`,
    `${held.length} let through but held${held.length ? `: ${groupHeld(held)}` : ''}`,
    `${reachable} reachable`,
    ...(disagree.length ? [`probe and filter disagree on the errno: ${disagree.join(', ')}`] : []),
  ].join('; ');
  return { failures, summary };
}

/** `a (no CAP_X), b (no CAP_X)` → `no CAP_X: a b`: one line per reason. */
function groupHeld(held: string[]): string {
  const by = new Map<string, string[]>();
  for (const h of held) {
    const m = /^(.*?) \((.*)\)$/.exec(h);
    const [what, why] = m ? [m[1]!, m[2]!] : [h, ''];
    by.set(why, [...(by.get(why) ?? []), what]);
  }
  return [...by].map(([why, what]) => `${why}: ${what.join(' ')}`).join('; ');
}
