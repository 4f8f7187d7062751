/**
 * A check gets exactly the evidence it declared (Check.needs), and only from a target that
 * provides it (Target.provides): evidence a target cannot give makes the check a skip with the
 * closed requirement `evidence`, never a pass.
 */
import type { Check, CheckBasics, CheckContext, Evidence, EvidenceKind, Verdict } from '../model/check.js';
import type { SentinelKind } from '../model/sentinels.js';
import { siblingSentinelsLost } from '../model/sibling.js';

/**
 * What a target gave for one run: the basics, what it says it provides, and that evidence, with
 * the sentinels that were not live for the whole of its probe (engine/run.ts verifies them before
 * and after; absent: not verified after, so no check may read them).
 */
export type TargetEvidence = CheckBasics & Partial<Evidence> & { provides: readonly EvidenceKind[]; sentinelsVanished?: Partial<Record<SentinelKind, string>> };

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
  const lost = check.needs.includes('sentinels') ? lostSentinels(check, ev) : null;
  if (lost) return { verdict: { status: 'error', reason: lost } };
  const lostSibling = check.needs.includes('siblings') ? lostSiblingSentinels(check, ev) : null;
  if (lostSibling) return { verdict: { status: 'error', reason: lostSibling } };
  const { target, profile, spec, request, capabilities } = ev;
  const declared = Object.fromEntries(check.needs.map((k) => [k, ev[k]]));
  // Only the declared fields exist on this object, as CheckContext<K> says for the check's own K.
  return { ctx: { target, profile, spec, request, capabilities, ...declared } as CheckContext };
}

/**
 * Why the sentinels this check reads cannot be trusted, or null: one that was not live for the
 * whole probe window says nothing about the container (not finding it is no isolation).
 */
function lostSentinels(check: Check, ev: TargetEvidence): string | null {
  const named = check.sentinels ?? [];
  if (named.length === 0) return `${check.id} reads the sentinels but names none of them (Check.sentinels): a broken check`;
  if (!ev.sentinelsVanished) return `${ev.target}'s sentinels were not verified after its probe: a broken harness`;
  const lost = named.flatMap((k) => (ev.sentinelsVanished?.[k] ? [`sentinel ${k} vanished during the run: ${ev.sentinelsVanished[k]}`] : []));
  return lost.length > 0 ? lost.join('; ') : null;
}

/**
 * Why the pair's exchange cannot be trusted for this check, or null: each sibling looked for the
 * other's named sentinels, so both must have been live for the other's whole look (model/sibling.ts).
 */
function lostSiblingSentinels(check: Check, ev: TargetEvidence): string | null {
  const named = check.siblingSentinels ?? [];
  if (named.length === 0) return `${check.id} reads the siblings but names none of their sentinels (Check.siblingSentinels): a broken check`;
  const s = ev.siblings!;
  const lost = [siblingSentinelsLost(s.first, named), siblingSentinelsLost(s.second, named)].filter((x) => x !== null);
  return lost.length > 0 ? lost.join('; ') : null;
}
