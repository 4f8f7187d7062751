/**
 * A kind of target (builtin, docker, oci, ...) as one value: its config schema, the `--runtime`
 * names it answers, what it needs from the host, how it makes a Target, its share of
 * `isoprobe clean`, what it requested and its negative controls. targets/registry.ts lists the
 * drivers; everything the rest of isoprobe knows about a kind comes from there.
 */
import type { z } from 'zod';
import type { CleanItem } from './clean-report.js';
import type { Resource } from './journal.js';
import type { Request } from './request.js';
import type { Profile } from './results.js';
import type { ContainerSpec, Namespace } from './spec.js';
import type { Target } from './target.js';
import type { Weakening } from './weakening.js';

/** The fields every kind's config has (targets/common/config.ts); `runtime` names the kind. */
export interface TargetConfigBase {
  name: string;
  /** The kind: the config file's discriminator, kept under its old name so every config stays valid. */
  runtime: string;
  share: Namespace[];
  rootChange: 'pivot_root' | 'chroot';
  caps: 'default' | 'all';
  limits: 'default' | 'none';
  seccomp?: 'default' | 'none';
  noNewPrivs?: boolean;
  /** The namespaces of the first sibling the second one joins (the cross area's negative controls); kinds that can express it. */
  joinSibling?: ('pid' | 'ipc' | 'net' | 'uts')[];
  /** A negative-control target: expected to fail (reports/summary.ts). */
  control?: boolean;
}

export interface DriverContext {
  /** Per-run directory for rootfs copies and bundles; removed by the run's cleanup. */
  runDir: string;
  /** false: no host-side observation (the benchmark measures the bare runtime); default true. */
  observe?: boolean;
  /** The run's profile: what a target asked for `"request": "profile"` asks its runtime for (model/profile-needs.ts). */
  profile?: Profile;
}

/** Who asked for a setting: isoprobe's own request, the user's target config, or the runtime left alone. */
export type SettingSource = 'isoprobe' | 'user config' | 'runtime default';

export interface Setting {
  setting: string;
  value: string;
  source: SettingSource;
}

/**
 * How the probe gets into the container: a root filesystem assembled on the host from the
 * project's binaries (targets/common/rootfs.ts), or an image built from them by the engine it talks to.
 */
export type ProbeDelivery = 'rootfs' | 'image';

/**
 * What the reaper (the start of a run, `isoprobe clean`: host/reap.ts) gives a driver: the dead
 * runs' journal entries of its kind, the only things it may remove (each checked to still be what
 * was recorded), and a reason to keep shared things (images) when a run is going.
 */
export interface CleanContext {
  inUse(): string | null;
  /** The dead runs' journal entries whose `kind` is this driver's. */
  entries: Resource[];
  /** Shared things (Docker's probe images) are to be looked at too: `isoprobe clean`, not a run's start. */
  shared: boolean;
  /** An entry that could not be removed or checked: its journal stays for the next reaper. */
  keep(entry: Resource): void;
}

/**
 * Method syntax on purpose: a list of drivers of different config types is then a
 * `TargetDriver[]` (method parameters are compared bivariantly).
 */
export interface TargetDriver<C extends TargetConfigBase = TargetConfigBase> {
  readonly kind: string;
  /** Its config, `runtime: <kind>` included; a strict object schema (targets/common/config.ts targetSchema). */
  readonly config: z.ZodType<C>;
  /** `--runtime` names and the config each stands for (parsed by `config`). */
  readonly shorthands: Record<string, Record<string, unknown>>;
  readonly delivery: ProbeDelivery;
  /** Its typed negative controls, run by the project's tests. */
  readonly weakenings: readonly Weakening[];
  /** What these targets need from the host, before anything of the run exists; an EnvError (one line) if missing. */
  preflight(cfgs: C[]): Promise<void>;
  create(cfg: C, ctx: DriverContext): Target;
  /** The container spec the config asks for (argv is the orchestrator's), under the run's profile where the config asks for it. */
  spec(cfg: C, argv: string[], profile?: Profile): ContainerSpec;
  /** The settings it requested, each with who asked for it. */
  describe(cfg: C): Setting[];
  /** What the runtime is asked for when it runs `spec` (the typed request conformance checks compare with). */
  request(cfg: C, spec: ContainerSpec, profile?: Profile): Request;
  /** Its share of `isoprobe clean` (what killed runs left with this kind). */
  clean(ctx: CleanContext): Promise<CleanItem[]>;
}

/** The config type of a driver, for the union over a registry list. */
export type ConfigOf<D> = D extends TargetDriver<infer C> ? C : never;
