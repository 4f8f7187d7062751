/**
 * How a check is written: metadata, the evidence it reads (`needs`), the weakenings that must make
 * it fail, and a pure function of that evidence that asserts with chai. A failed chai assertion is
 * a 'fail' verdict carrying expected/observed; `skip(reason)` is a 'skip' from a closed list of
 * requirements; anything else thrown is an 'error' (the harness is broken, not the isolation).
 * engine/evaluate.ts turns a run into a Verdict.
 */
import type { ProbeFacts } from './facts.js';
import type { HostView } from './host-view.js';
import type { CheckMeta, Profile, Status } from './results.js';
import type { EnforcementFacts } from './enforcement.js';
import type { SentinelKind, Sentinels } from './sentinels.js';
import type { ContainerSpec, HostSideFacts } from './spec.js';
import type { Request, SettingKey } from './request.js';
import type { TargetCapabilities } from './target.js';
import type { EvidenceKind } from './evidence.js';
import type { JsonValue } from './json-value.js';
import type { SiblingSentinel, SiblingsEvidence } from './sibling.js';
import type { SandboxFacts } from './sandbox.js';
import { weakeningLabel, type Weakening } from './weakening.js';

export { EVIDENCE_KINDS, type EvidenceKind } from './evidence.js';

/** The host's state after the container ended (to see what leaked out). */
export interface HostAfter {
  hostname: string;
  mountinfo: string;
}

/**
 * Every kind of evidence a check can read. A target says which it can provide (Target.provides):
 * a sandbox whose host pid is not the workload cannot give `observed`, an in-container mode only
 * `container`.
 */
export interface Evidence {
  /** The probe's in-container facts, validated. */
  container: ProbeFacts;
  /** The harness's own view, taken before any container ran. */
  reference: HostView;
  /** The objects the host armed for the probe to look for. */
  sentinels: Sentinels;
  /** The host's observation of the container process: namespaces, id maps, cgroup, files, clocks. */
  observed: HostSideFacts;
  after: HostAfter;
  /** The bounded fork bomb / memory hog / cpu burn, each in a container of its own (engine/enforce.ts). */
  enforcement: EnforcementFacts;
  /** Two sibling containers of the target's config, each looking for the other's sentinels (engine/cross.ts). */
  siblings: SiblingsEvidence;
  /** The host's view of a sandbox's own processes (gVisor's Sentry and gofer), where the workload is not a host process. */
  sandbox: SandboxFacts;
}

/** Evidence holds exactly the kinds model/evidence.ts names (a compile error otherwise). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const evidenceKindsMatch: Same<keyof Evidence, EvidenceKind> = true;
void evidenceKindsMatch;

/** What every check may read, whatever it declared. */
export interface CheckBasics {
  target: string;
  profile: Profile;
  /** What was asked of the target (the weakened variants differ here). */
  spec: ContainerSpec;
  /** What the runtime was actually asked for, with who asked; absent settings are its defaults. */
  request: Request;
  /** Whether this target can configure a feature at all (e.g. time offsets); see Requirement. */
  capabilities: TargetCapabilities;
}

/** A check's context: the basics and exactly the evidence it declared, so reading any other does not compile. */
export type CheckContext<K extends EvidenceKind = EvidenceKind> = CheckBasics & Pick<Evidence, K>;

/** The closed list of reasons a check may skip. Anything else is a failure or an error. */
export const REQUIREMENTS = [
  'timens', // kernel without time namespaces
  'cgroup-controller', // the limit's controller is not available here
  'host-interface', // the host has nothing to compare against
  'lsm', // the host enables no LSM that labels processes (AppArmor, SELinux)
  'target-feature', // the runtime cannot be asked for this setting
  'evidence', // the target cannot provide the evidence the check reads (Target.provides)
  'not-requested', // nobody asked for the setting; the runtime's default is judged by the other areas
] as const;
export type Requirement = (typeof REQUIREMENTS)[number];

export class SkipCheck extends Error {
  constructor(
    readonly requirement: Requirement,
    readonly reason: string,
  ) {
    super(`${requirement}: ${reason}`);
  }
}

export function skip(requirement: Requirement, reason: string): never {
  throw new SkipCheck(requirement, reason);
}

/** What a check is, apart from how it runs: CheckMeta with its controls as data. */
export interface CheckDefinition<K extends EvidenceKind = EvidenceKind> extends Omit<CheckMeta, 'negativeControl' | 'settings'> {
  /** The evidence `run` reads; a target that cannot provide one of them skips the check. */
  needs: readonly K[];
  /**
   * Which sentinels `run` reads, when it needs `sentinels` (checks/define.ts check() insists): one
   * that vanished during the probe makes the check an error, and only the checks naming it.
   */
  sentinels?: readonly SentinelKind[];
  /**
   * Which of a sibling's sentinels `run` reads, when it needs `siblings`: one that was not live for
   * the other sibling's whole look makes the check an error (engine/evidence.ts), never a pass.
   */
  siblingSentinels?: readonly SiblingSentinel[];
  /**
   * The settings its verdict depends on: results show who asked for each (isoprobe, the user's
   * config, or the runtime's default), so a pass by default reads apart from a pass on request.
   */
  settings?: readonly SettingKey[];
  /** The weakenings that must make it fail (run end to end by the project's tests, or documented by `requires`). */
  negativeControls: readonly Weakening[];
}

export interface Check<K extends EvidenceKind = EvidenceKind> extends CheckDefinition<K> {
  /** The controls as people read them (isoprobe list, results JSON catalogue, reports). */
  negativeControl: string;
  /** Asserts on the context; returns the evidence shown with a pass or a fail. */
  run(ctx: CheckContext<K>): string;
}

/** "builtin share=pid; docker hostConfig.PidMode=host": the derived label of a check's controls. */
export function negativeControlLabel(controls: readonly Weakening[]): string {
  return controls.map(weakeningLabel).join('; ');
}

/** The static description of a check, as results and reports carry it. */
export function checkMeta(c: Check): CheckMeta {
  const { id, area, title, profiles, references, negativeControl, settings } = c;
  return { id, area, title, profiles, references, negativeControl, ...(settings ? { settings: [...settings] } : {}) };
}

/**
 * The checks `--grep PATTERN` selects: those whose id or title the regular expression matches.
 * Not mocha's full title (target, area, id, title): there a target's name would select every
 * check and an anchored id (^pid\.) none.
 */
export function selectChecks<C extends Pick<Check, 'id' | 'title'>>(checks: readonly C[], pattern?: string): C[] {
  if (pattern === undefined) return [...checks];
  const re = new RegExp(pattern);
  return checks.filter((c) => re.test(c.id) || re.test(c.title));
}

export interface Verdict {
  status: Status;
  /** For fail: the compared values (model/json-value.ts); `negated` when anything but `expected` passes. */
  expected?: JsonValue;
  observed?: JsonValue;
  negated?: boolean;
  evidence?: string;
  reason?: string;
  /** For a skip: which of the closed list of requirements was missing. */
  requirement?: Requirement;
}
