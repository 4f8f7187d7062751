/**
 * The built-in targets used by the integration tests: the isolated one and one per weakening the
 * built-in runtime lists (targets/builtin/weakenings.ts), and the matching of weakenings to the
 * checks that name them, by value (model/weakening.ts sameWeakening).
 */
import { CATALOGUE } from '../../checks/catalogue.js';
import type { Check, Requirement } from '../../model/check.js';
import type { Request } from '../../model/request.js';
import type { CheckResult } from '../../model/results.js';
import { sameWeakening, type Weakening } from '../../model/weakening.js';
import { weakenings as builtinWeakenings } from '../../targets/builtin/weakenings.js';
import { parseTargetConfig, type TargetConfig } from '../../targets/registry.js';

export interface Variant {
  weakening: Weakening;
  target: TargetConfig;
}

const base = { runtime: 'builtin' as const, share: [], rootChange: 'pivot_root' as const, caps: 'default' as const, limits: 'default' as const };

export const ISOLATED: TargetConfig = { ...base, name: 'builtin' };

/** A target name for a weakening: "builtin-share-pid", "builtin-privileged" (its note, where it has one). */
export function variantName(w: Weakening): string {
  const words =
    w.note ??
    Object.entries(w.settings)
      .map(([k, v]) => `${k}-${[v].flat().join('-')}`)
      .join('-');
  return `${w.kind}-${words}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/-$/, '')
    .slice(0, 63);
}

/** Parsed, so that a field the built-in target does not know fails here rather than being ignored. */
export const VARIANTS: Variant[] = parseTargetConfig(
  { targets: builtinWeakenings.map((w) => ({ ...base, name: variantName(w), ...w.settings })) },
  'targets/builtin/weakenings.ts',
).map((target, i) => ({ weakening: builtinWeakenings[i], target }));

/** A check names this weakening among its controls (compared by value: notes aside, "X with Y" is another weakening). */
export function names(check: Pick<Check, 'negativeControls'>, w: Weakening): boolean {
  return check.negativeControls.some((n) => sameWeakening(n, w));
}

/**
 * The agent area's checks (checks/agent.ts): judged only under the sandbox profile, whose decoys
 * they need; under any other profile they skip 'not-requested', so no weakening flips them there.
 * test/integration/agent.test.ts runs them and their controls.
 */
export const DECOY_CHECKS: ReadonlySet<string> = new Set(CATALOGUE.filter((c) => c.area === 'agent').map((c) => c.id));

/**
 * Checks whose declared negative controls include this weakening: they must fail on it, in a run
 * of this profile (the decoy checks only in a sandbox-profile run).
 */
export function checksFlippedBy(w: Weakening, catalogue: readonly Check[], profile = 'strict'): string[] {
  return catalogue.filter((c) => names(c, w) && (profile === 'sandbox' || !DECOY_CHECKS.has(c.id))).map((c) => c.id);
}

/**
 * Checks of a setting the built-in runtime cannot be asked for, so no built-in variant can flip
 * them: on every built-in target they skip, for the requirements listed (the host lacks the kernel
 * feature, or it has it and the runtime applies none). Their negative controls are Docker ones,
 * exercised in docker.test.ts. The OCI bundle isoprobe writes asks for none of them either
 * (oci.test.ts accepts the same skips on runc). Keep this list minimal: each entry says why.
 */
export const NOT_ON_BUILTIN: Record<string, { requirements: Requirement[]; why: string }> = {
  'security.lsm-confined': {
    requirements: ['lsm', 'target-feature'],
    why: 'the shim loads no AppArmor/SELinux profile and the OCI bundle names none (isoprobe ships no policy); Docker apparmor=unconfined and --privileged flip it',
  },
};

/**
 * The checks of a sandbox's own host processes (checks/sandbox.ts: gVisor's Sentry and gofer):
 * every target whose workload is a host process gives no `sandbox` evidence, so they skip with
 * 'evidence' there; test/integration/gvisor.test.ts runs them and their controls.
 */
export const SANDBOX_CHECKS: ReadonlySet<string> = new Set(CATALOGUE.filter((c) => (c.needs as readonly string[]).includes('sandbox')).map((c) => c.id));

/**
 * Checks a built-in weakening leaves nothing to judge, so they skip there with 'evidence': in the
 * host's mount namespace the root is the host's own, and mnt.pivot-root's '..' escape has nowhere
 * to go (mnt.root-not-host fails instead).
 */
export const EVIDENCE_TAKEN: readonly { weakening: Weakening; checks: readonly string[] }[] = [
  { weakening: { kind: 'builtin', settings: { share: ['mnt'] } }, checks: ['mnt.pivot-root'] },
];

/** The checks this weakening leaves without evidence (EVIDENCE_TAKEN). */
export function evidenceTakenBy(w: Weakening): string[] {
  return EVIDENCE_TAKEN.filter((e) => sameWeakening(e.weakening, w)).flatMap((e) => [...e.checks]);
}

/** A result that is the documented skip of a NOT_ON_BUILTIN check, or of a sandbox check (the reason is shown beside it). */
export function documentedSkip(c: CheckResult): boolean {
  if (c.status === 'skip' && c.requirement === 'evidence' && SANDBOX_CHECKS.has(c.id)) return true;
  const allowed = NOT_ON_BUILTIN[c.id]?.requirements ?? [];
  return c.status === 'skip' && allowed.includes(c.requirement as Requirement);
}

/**
 * A conformance check of settings the target's request does not name: it skips 'not-requested'
 * (checks/conformance.ts), derived from the request the results carry, never a pass.
 */
export function notAsked(check: Pick<Check, 'area' | 'settings'>, request: Request | undefined): boolean {
  return check.area === 'conformance' && !(check.settings ?? []).some((k) => request?.[k] !== undefined);
}

/** Such a check's result as the tests compare it: "not requested", else undefined. */
export function notRequestedSkip(c: CheckResult): string | undefined {
  return c.status === 'skip' && c.requirement === 'not-requested' ? 'not requested' : undefined;
}

/** Conformance checks' controls are lossy OCI runtimes (test/integration/conformance.test.ts), never built-in weakenings. */
export const isConformance = (c: Pick<Check, 'area'>) => c.area === 'conformance';

/**
 * What a check must give on a weakened target beside its reference: fail when the weakening names
 * it; a conformance check skips when the weakened target asks nothing of its settings, and
 * passes when only the weakening asks for them (the runtime delivers what the weakening asks;
 * only the conformance controls, lossy runtimes, make it fail); anything else as on the reference.
 */
export function expectedBeside(
  check: Pick<Check, 'id' | 'area' | 'settings'>,
  refStatus: string,
  flip: readonly string[],
  weakened: Request | undefined,
  reference: Request | undefined,
): string {
  if (flip.includes(check.id)) return 'fail';
  // Not asked, it still compares the filter with the runtime's own declared default, as on the reference.
  if (notAsked(check, weakened)) return JUDGES_RUNTIME_DEFAULT.has(check.id) && notAsked(check, reference) ? refStatus : 'skip';
  if (notAsked(check, reference)) return 'pass';
  return refStatus;
}

/** Conformance checks that judge a target's declared default where nothing was asked (checks/conformance.ts). */
const JUDGES_RUNTIME_DEFAULT = new Set(['conformance.seccomp']);
