/**
 * How a check is written: metadata plus a pure function of the evidence (CheckContext) that
 * asserts with chai. A failed chai assertion is a 'fail' verdict carrying expected/observed;
 * `skip(reason)` is a 'skip' from a closed list of requirements; anything else thrown is an
 * 'error' (the harness is broken, not the isolation). engine/evaluate.ts turns a run into a Verdict.
 */
import type { ProbeFacts } from './facts.js';
import type { HostView } from './host-view.js';
import type { CheckMeta, Profile, Status } from './results.js';
import type { EnforcementFacts } from './enforcement.js';
import type { Sentinels } from './sentinels.js';
import type { ContainerSpec, HostSideFacts } from './spec.js';
import type { TargetCapabilities } from './target.js';

export interface CheckContext {
  target: string;
  profile: Profile;
  /** What was asked of the target (the weakened variants differ here). */
  spec: ContainerSpec;
  /** The probe's in-container facts, validated. */
  facts: ProbeFacts;
  /** The host's observations of the container (namespaces, maps, cgroup, files). */
  host: HostSideFacts;
  /** The harness's own view, taken before any container ran: the reference. */
  hostView: HostView;
  /** The host's view after the container ended (to see what leaked out). */
  hostAfter: { hostname: string; mountinfo: string };
  sentinels: Sentinels;
  /** Whether this target can configure a feature at all (e.g. time offsets); see Requirement. */
  capabilities: TargetCapabilities;
  /** The bounded fork bomb / memory hog / cpu burn, each in a container of its own (engine/enforce.ts). */
  enforcement?: EnforcementFacts;
}

/** The closed list of reasons a check may skip. Anything else is a failure or an error. */
export type Requirement =
  | 'timens'          // kernel without time namespaces
  | 'cgroup-controller' // the limit's controller is not available here
  | 'host-interface'  // the host has nothing to compare against
  | 'lsm'             // the host enables no LSM that labels processes (AppArmor, SELinux)
  | 'target-feature'; // the runtime cannot be asked for this setting

export class SkipCheck extends Error {
  constructor(readonly requirement: Requirement, readonly reason: string) {
    super(`${requirement}: ${reason}`);
  }
}

export function skip(requirement: Requirement, reason: string): never {
  throw new SkipCheck(requirement, reason);
}

export interface Check extends CheckMeta {
  /** Asserts on the context; returns the evidence shown with a pass or a fail. */
  run(ctx: CheckContext): string;
}

export interface Verdict {
  status: Status;
  expected?: string;
  observed?: string;
  evidence?: string;
  reason?: string;
  /** For a skip: which of the closed list of requirements was missing. */
  requirement?: Requirement;
}
