/**
 * The results model: what a run produced, independent of any output format. Reporters
 * (reports/) are pure functions of this; `isoprobe diff` reads it back from results JSON.
 */
import type { PostureResult } from './posture-diff.js';

export const RESULTS_SCHEMA_VERSION = 1;

export type Profile = 'baseline' | 'restricted' | 'strict';
export const PROFILES: readonly Profile[] = ['baseline', 'restricted', 'strict'];

export type Area = 'pid' | 'mnt' | 'net' | 'uts' | 'ipc' | 'user' | 'time' | 'cgroup' | 'security';
export const AREAS: readonly Area[] = ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'time', 'cgroup', 'security'];

/** Static description of a check, shown by `isoprobe list` and in every report. */
export interface CheckMeta {
  id: string;            // "area.slug", stable
  area: Area;
  title: string;         // reads as a spec line
  profiles: Profile[];   // profiles that require it
  references: string[];  // OCI spec / CIS Docker / CVE / man page
  negativeControl: string; // the weakening that must make it fail
}

/**
 * pass/fail: the check ran. skip: a requirement is missing (reason says which).
 * error: the harness or the target broke — not a verdict on isolation.
 */
export type Status = 'pass' | 'fail' | 'skip' | 'error';

export interface CheckResult {
  id: string;
  status: Status;
  required: boolean;     // required by the run's profile
  expected?: string;
  observed?: string;
  evidence?: string;     // the whole record behind the verdict
  reason?: string;       // for skip and error
  requirement?: string;  // for skip: the missing requirement (model/check.ts Requirement)
  durationMs: number;
}

export interface TargetResult {
  name: string;          // e.g. "builtin", "builtin-share-pid"
  runtime: string;       // "builtin" | "docker" | "oci"
  /** Set when the target could not run a container at all; its checks are then all 'error'. */
  error?: string;
  /** A negative-control target (targets-config `control`): its failures are expected. */
  control?: boolean;
  info: Record<string, string>;
  /**
   * What the probe showed about the target that is no verdict and never compared by checks,
   * diffs or baselines (e.g. host paths in its mountinfo). Absent when the target did not run.
   */
  information?: Record<string, string>;
  /** Requested vs delivered (model/posture-diff.ts): information, never a verdict. Absent when the target did not run. */
  posture?: PostureResult;
  checks: CheckResult[];
}

export interface RunResults {
  schema: typeof RESULTS_SCHEMA_VERSION;
  tool: { name: 'isoprobe'; version: string };
  startedAt: string;     // ISO 8601
  durationMs: number;
  profile: Profile;
  environment: Record<string, string>;
  catalogue: CheckMeta[];
  targets: TargetResult[];
}

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
