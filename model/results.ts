/**
 * The results model: what a run produced, independent of any output format. Reporters
 * (reports/) are pure functions of this; `isoprobe diff` reads it back from results JSON. The zod
 * schemas are the one definition: the types are inferred from them, so what a run holds and what
 * a results file may contain cannot drift apart.
 */
import { z } from 'zod';
import { jsonValueSchema } from './json-value.js';
import { PostureResultSchema } from './posture-diff.js';
import { provenanceSchema, RequestSchema } from './request.js';
import { SeccompResultSchema } from './seccomp/summary.js';

export const RESULTS_SCHEMA_VERSION = 1;

/**
 * sandbox: what agent and CI sandboxes are for (docs/sandbox-profile.md). Such wrappers share the
 * host's filesystem on purpose (read-only, one writable workspace), so it asks not whether the
 * root is the host's but whether the host's secrets, sockets, processes and network stay out of
 * reach, and which kernel mechanisms are in force.
 */
export const PROFILES = ['baseline', 'restricted', 'strict', 'sandbox'] as const;
export const profileSchema = z.enum(PROFILES);
export type Profile = z.infer<typeof profileSchema>;

/**
 * conformance: the runtime delivered what it was asked (model/request.ts); cross: two sibling
 * containers of one target cannot reach each other; agent: the decoys of the sandbox profile (a
 * host secret, socket, process and network the workload must not reach, checks/agent.ts).
 */
export const AREAS = ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'time', 'cgroup', 'security', 'conformance', 'cross', 'agent', 'inside'] as const;
export const areaSchema = z.enum(AREAS);
export type Area = z.infer<typeof areaSchema>;

/**
 * pass/fail: the check ran. skip: a requirement is missing (reason says which).
 * error: the harness or the target broke — not a verdict on isolation.
 */
export const STATUSES = ['pass', 'fail', 'skip', 'error'] as const;
export const statusSchema = z.enum(STATUSES);
export type Status = z.infer<typeof statusSchema>;

const stringMap = z.record(z.string(), z.string());

/** Static description of a check, shown by `isoprobe list` and in every report. */
export const checkMetaSchema = z.object({
  /** "area.slug", stable. */
  id: z.string().min(1),
  area: areaSchema,
  /** Reads as a spec line. */
  title: z.string(),
  /** Profiles that require it. */
  profiles: z.array(profileSchema),
  /** OCI spec / CIS Docker / CVE / man page. */
  references: z.array(z.string()),
  /** The weakening that must make it fail, as a label. */
  negativeControl: z.string(),
  /**
   * The request settings its verdict depends on (model/request.ts SettingKey; a string here, so a
   * file written with other keys still reads). Absent in files written before provenance.
   */
  settings: z.array(z.string()).optional(),
});
export type CheckMeta = z.infer<typeof checkMetaSchema>;

export const checkResultSchema = z.object({
  id: z.string().min(1),
  /** The check's area and title as the catalogue has them, so a reader needs no catalogue lookup. Absent in files written before them. */
  area: z.string().optional(),
  title: z.string().optional(),
  status: statusSchema,
  /** Required by the run's profile. */
  required: z.boolean(),
  /**
   * For fail: what the assertion wanted and what it got, as JSON values (model/json-value.ts);
   * `negated` when anything but `expected` would have passed. A string in files written before.
   */
  expected: jsonValueSchema.optional(),
  observed: jsonValueSchema.optional(),
  negated: z.boolean().optional(),
  /** The whole record behind the verdict. */
  evidence: z.string().optional(),
  /** For skip and error. */
  reason: z.string().optional(),
  /**
   * For skip: the missing requirement (model/check.ts Requirement). A string here, so a file
   * written by a version with another list of requirements still reads.
   */
  requirement: z.string().optional(),
  durationMs: z.number().nonnegative(),
  /**
   * Who asked for each setting the verdict depends on (Check.settings): isoprobe, the user's
   * config, or nobody (the runtime's default). Absent in files written before provenance.
   */
  provenance: z.record(z.string(), provenanceSchema).optional(),
  /**
   * For pass and fail: the kinds of evidence the verdict was decided by (model/evidence.ts; strings
   * here, so a file with other kinds still reads). Absent in files written before it.
   */
  decidedBy: z.array(z.string()).optional(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

export const targetResultSchema = z.object({
  /** e.g. "builtin", "builtin-share-pid". */
  name: z.string().min(1),
  /** "builtin" | "docker" | "oci". */
  runtime: z.string().min(1),
  /** Set when the target could not run a container at all; its checks are then all 'error'. */
  error: z.string().optional(),
  /** A negative-control target (targets-config `control`): its failures are expected. */
  control: z.boolean().optional(),
  info: stringMap,
  /**
   * What the probe showed about the target that is no verdict and never compared by checks,
   * diffs or baselines (e.g. host paths in its mountinfo). Absent when the target did not run.
   */
  information: stringMap.optional(),
  /** Requested vs delivered (model/posture-diff.ts): information, never a verdict. Absent when the target did not run. */
  posture: PostureResultSchema.optional(),
  /**
   * The effective seccomp profile of the facts container, every call of each x86 ABI, computed from
   * the filters the host read (model/seccomp/summary.ts). Absent when nothing was read.
   */
  seccomp: SeccompResultSchema.optional(),
  /** What the runtime was asked for, setting by setting, with who asked (model/request.ts). */
  request: RequestSchema.optional(),
  /**
   * Wall time of the target's own work, from its creation to the end of its last container (the
   * probe, the enforcement containers, the sibling pair): where a run's time went. Absent in
   * files written before it was measured.
   */
  durationMs: z.number().nonnegative().optional(),
  /**
   * The evidence kinds the target can give (Target.provides). Reports name the deciding evidence
   * in the cells of a target that cannot give them all (a sandbox whose workload is not a host
   * process). Absent in files written before it.
   */
  provides: z.array(z.string()).optional(),
  checks: z.array(checkResultSchema),
});
export type TargetResult = z.infer<typeof targetResultSchema>;

export const runResultsSchema = z.object({
  schema: z.literal(RESULTS_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('isoprobe'), version: z.string() }),
  /** ISO 8601. */
  startedAt: z.iso.datetime({ offset: true }),
  durationMs: z.number().nonnegative(),
  profile: profileSchema,
  environment: stringMap,
  catalogue: z.array(checkMetaSchema),
  targets: z.array(targetResultSchema),
  /**
   * Set when some target could not run (a hung or dead daemon, a runtime that refused): the other
   * targets' verdicts stand, but the run does not cover everything it was asked to. Exit code 1.
   */
  partial: z.literal(true).optional(),
  /** Why, one line per target that could not run. */
  partialReason: z.string().optional(),
  /** Totals and the verdict, as the terminal summary says them (reports/summary.ts summaryBlock). Absent in files written before it. */
  summary: z.lazy(() => summarySchema).optional(),
});
export type RunResults = z.infer<typeof runResultsSchema>;

const countsSchema = z.object({
  checks: z.number().int().nonnegative(),
  pass: z.number().int().nonnegative(),
  fail: z.number().int().nonnegative(),
  skip: z.number().int().nonnegative(),
  error: z.number().int().nonnegative(),
  /**
   * Checks of a target that could not run: none decided, so none counts as an error of its own
   * (the target's one error is `ran: false`). Absent in files written before it.
   */
  notRun: z.number().int().nonnegative().optional(),
  /** Required by the profile and failed or errored: what decides the verdict. */
  requiredNotPassing: z.number().int().nonnegative(),
});
export type Counts = z.infer<typeof countsSchema>;

export const summarySchema = z.object({
  /** pass: exit code 0; fail: a required check failed or errored, a control target told nothing apart, or a target could not run. */
  verdict: z.enum(['pass', 'fail']),
  /** The run's exit code without --baseline (a baseline's regressions make it 1 too). */
  exitCode: z.union([z.literal(0), z.literal(1)]),
  totals: countsSchema,
  targets: z.array(
    z.object({
      name: z.string(),
      /** false: the target could not run; its checks count as `notRun`, not as errors. */
      ran: z.boolean(),
      control: z.boolean(),
      totals: countsSchema,
      areas: z.record(z.string(), countsSchema),
    }),
  ),
});
export type Summary = z.infer<typeof summarySchema>;

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
