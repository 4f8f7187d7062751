/**
 * Which evidence decided a verdict, shown where it is not the usual: in the cells of a target that
 * cannot give every kind (a sandbox whose workload is not a host process, gVisor: no `observed`),
 * so a reader sees that a pass came from the sentinels or the sandbox's host processes, never
 * from comparing in-sandbox ids with the host's.
 */
import type { CheckResult, TargetResult } from '../model/results.js';

/** Whether the target's cells name their deciding evidence: it says what it provides, and that lacks the host's view of the workload. */
export function showsDecidingEvidence(target: Pick<TargetResult, 'provides'>): boolean {
  return target.provides !== undefined && !target.provides.includes('observed');
}

/** "sentinels, container" for such a target's pass or fail; null elsewhere. */
export function decidedByText(target: Pick<TargetResult, 'provides'>, c: Pick<CheckResult, 'decidedBy'>): string | null {
  if (!showsDecidingEvidence(target) || !c.decidedBy || c.decidedBy.length === 0) return null;
  return c.decidedBy.join(', ');
}
