/**
 * A check gets exactly the evidence it declared (Check.needs), and only from a target that
 * provides it (Target.provides): evidence a target cannot give makes the check a skip with the
 * closed requirement `evidence`, never a pass.
 */
import type { Check, CheckBasics, CheckContext, Evidence, EvidenceKind, Verdict } from '../model/check.js';

/** What a target gave for one run: the basics, what it says it provides, and that evidence. */
export type TargetEvidence = CheckBasics & Partial<Evidence> & { provides: readonly EvidenceKind[] };

export function missingEvidence(check: Pick<Check, 'needs'>, provides: readonly EvidenceKind[]): EvidenceKind[] {
  return check.needs.filter((k) => !provides.includes(k));
}

/**
 * The check's context, holding the basics and its declared evidence only (what the type checker
 * already promised `run`), or the verdict when the target cannot give it.
 */
export function contextFor(check: Check, ev: TargetEvidence): { ctx: CheckContext } | { verdict: Verdict } {
  const missing = missingEvidence(check, ev.provides);
  if (missing.length > 0) {
    return {
      verdict: {
        status: 'skip',
        requirement: 'evidence',
        reason: `${ev.target} cannot provide the ${missing.join(', ')} evidence this check reads (it provides ${ev.provides.join(', ') || 'none'})`,
      },
    };
  }
  const absent = check.needs.filter((k) => ev[k] === undefined);
  if (absent.length > 0) {
    return { verdict: { status: 'error', reason: `${ev.target} provides ${absent.join(', ')} evidence but gave none: a broken harness` } };
  }
  const { target, profile, spec, capabilities } = ev;
  const declared = Object.fromEntries(check.needs.map((k) => [k, ev[k]]));
  // Only the declared fields exist on this object, as CheckContext<K> says for the check's own K.
  return { ctx: { target, profile, spec, capabilities, ...declared } as CheckContext };
}
