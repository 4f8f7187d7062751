/**
 * An OCI runtime binary (runc, crun, ...) as a target: the project writes the bundle, the runtime
 * runs it, the host observes the container through its pid. What the runtime refuses is reported
 * in its own words: a namespace it cannot make (runc 1.1 and time) is left out once and named in
 * the target's info, so the checks of that namespace fail; a host it refuses altogether (crun 1.8
 * on a hybrid cgroup host) is named in the info and is every container's TargetError.
 */
import os from 'node:os';
import path from 'node:path';
import type { DroppedSetting, TargetCapabilities } from '../../model/target.js';
import { DEFAULT_SPEC, type ContainerSpec, type Namespace, type RunOutcome } from '../../model/spec.js';
import type { CgroupLayout } from '../../host/cgroup.js';
import { PROBE_PATH, type ProbeFiles, type RunHooks, type Target } from '../../model/target.js';
import { buildRootfs, makeBundle, writeConfig, type Bundle } from '../common/oci-bundle.js';
import { madeNamespaces, ociConfig, withoutNamespaces } from '../common/oci-config.js';
import { mergePatch } from '../../model/merge-patch.js';
import { harnessBoundingCaps } from '../common/config.js';
import { type LifecycleOptions, runLifecycle } from '../common/lifecycle.js';
import { holdProbe } from '../common/observe.js';
import { journal } from '../../host/journal.js';
import { RuntimeRefusal, runtimeVersion, startContainer } from '../common/oci-runtime-cli.js';

export interface OciOptions {
  binary: string;
  /** Per-run directory (under /run/isoprobe); removed by the run's cleanup. */
  runDir: string;
  cgroups: CgroupLayout;
  /** The project's binaries, copied into the shared rootfs (../common/oci-bundle.ts). */
  files: ProbeFiles;
  specPatch?: Record<string, unknown>;
  /** A seccomp profile file's JSON (the config's seccompProfile), config.json's linux.seccomp whatever the patch says. */
  seccompProfile?: Record<string, unknown>;
  idMapping?: { hostBase: number; count: number };
  timeoutMs?: number;
  /** Host-side observation (targets/common/lifecycle.ts); default true. */
  observe?: boolean;
}

let containerSeq = 0;

/** Which defaults the bundle models (../common/oci-config.ts), for a reader comparing it with an engine's. */
const BUNDLE_DEFAULTS =
  "Docker's default capabilities; runc spec's masked and read-only paths (and powercap), mounts and RLIMIT_NOFILE 1024; user 0:0, read-only root; isoprobe's limits, seccomp deny-list, no_new_privs, hostname and time offsets";

export class OciTarget implements Target {
  readonly runtime = 'oci';
  readonly provides = ['container', 'reference', 'sentinels', 'observed', 'after', 'enforcement', 'siblings'] as const;
  private readonly offered: TargetCapabilities;
  /** Namespaces the runtime refused, with its message: left out of every later container. */
  private readonly refusedNs = new Map<Namespace, string>();
  /** What the runtime said when it refused the default container (every later one tries again: its spec may differ). */
  private hostRefusal: string | null = null;
  private rootfs: string | null = null;
  private prepared: Promise<string> | null = null;

  constructor(
    readonly name: string,
    private readonly opts: OciOptions,
  ) {
    this.offered = {
      timeOffsets: true,
      lsmProfile: asksForLsmLabel(opts.specPatch)
        ? { applied: true }
        : { applied: false, why: 'its config.json names no process.apparmorProfile or process.selinuxLabel (a specPatch can)' },
    };
  }

  /**
   * What it can be asked for, and what it was asked for and ran without (each refused namespace,
   * and with the time namespace its offsets): read by the checks after the containers ran.
   */
  get capabilities(): TargetCapabilities {
    const dropped: DroppedSetting[] = [...this.refusedNs].flatMap(([ns, why]) => [
      { key: `ns.${ns}` as const, why },
      ...(ns === 'time' ? [{ key: 'timeOffsets' as const, why: `no time namespace to apply them in: ${why}` }] : []),
    ]);
    return dropped.length > 0 ? { ...this.offered, dropped } : this.offered;
  }

  async info(): Promise<Record<string, string>> {
    const version = await this.prepare();
    const info: Record<string, string> = { runtime: 'oci', binary: this.opts.binary, version, cgroupMode: this.opts.cgroups.mode, kernel: os.release() };
    info.defaults = BUNDLE_DEFAULTS;
    if (this.opts.specPatch) info.specPatch = JSON.stringify(this.opts.specPatch);
    for (const [ns, why] of this.refusedNs) info[`${ns}Namespace`] = `refused by ${this.opts.binary}, containers run without one: ${why}`;
    if (this.hostRefusal) info.refusal = this.hostRefusal;
    return info;
  }

  async run(spec: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    await this.prepare();
    return this.attempt(spec, hooks);
  }

  private async attempt(spec: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    try {
      return await this.runOnce(spec, hooks);
    } catch (e) {
      const ns = this.refusedNamespace(e, spec);
      if (!ns) throw e;
      // Once per target: the container runs without it and the checks of that namespace fail.
      this.refusedNs.set(ns, (e as RuntimeRefusal).stderrTail);
      return this.runOnce(spec, hooks);
    }
  }

  /**
   * Version, and what this runtime refuses on this host.
   * Never rejects: run.ts asks for info() before its error handling, so a problem here is shown
   * in the info and met again, as a TargetError, by the containers themselves.
   */
  private prepare(): Promise<string> {
    this.prepared ??= (async () => {
      let version: string;
      try {
        version = runtimeVersion(this.opts.binary);
      } catch (e) {
        this.hostRefusal = `cannot run "${this.opts.binary} --version": ${(e as Error).message}`;
        return 'unknown';
      }
      await this.discover();
      return version;
    })();
    return this.prepared;
  }

  /** One `probe true` container with the default spec, so info() can name the refusals before the suite runs. */
  private async discover(): Promise<void> {
    const spec: ContainerSpec = { ...DEFAULT_SPEC, argv: [PROBE_PATH, 'true'] };
    try {
      await this.attempt(spec);
    } catch (e) {
      if (e instanceof RuntimeRefusal) this.hostRefusal = e.reason;
      // Any other failure is left to the real containers, which report it themselves.
    }
  }

  /** The namespace a refusal names, if it is one we asked for and have not left out yet. */
  private refusedNamespace(e: unknown, spec: ContainerSpec): Namespace | null {
    if (!(e instanceof RuntimeRefusal)) return null;
    const asked = madeNamespaces(spec, [...this.refusedNs.keys()]);
    // runc 1.1: 'namespace {"time" ""} does not exist'.
    return asked.find((ns) => ns === 'time' && /\btime\b/.test(e.stderrTail)) ?? null;
  }

  private async runOnce(asked: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    const spec = { ...asked, argv: holdProbe(asked.argv) };
    // Its run's id in it: no other run, live or dead, has a container of that id (../common/oci-reap.ts).
    const id = `isoprobe-${process.pid}-${journal().id}-${++containerSeq}-${this.name}`;
    const mapping = this.opts.idMapping ?? { hostBase: 100_000, count: 65_536 };
    const owner = spec.share.includes('user') ? 0 : mapping.hostBase;
    const bundle = makeBundle(path.join(this.opts.runDir, id), owner, owner);
    try {
      const generated = ociConfig(spec, {
        rootfs: this.sharedRootfs(),
        scratch: bundle.scratch,
        idMapping: mapping,
        cgroupsPath: `/${id}`,
        hostCaps: harnessBoundingCaps(),
        omit: [...this.refusedNs.keys()],
      });
      const patched = withSeccompProfile(this.opts.specPatch ? mergePatch(generated, this.opts.specPatch) : generated, this.opts.seccompProfile);
      writeConfig(bundle, withoutNamespaces(patched, [...this.refusedNs.keys()]));
      const declared = declaredSeccomp(patched as Record<string, unknown>, this.opts.specPatch);
      return await this.execute(id, bundle, hooks, this.opts.seccompProfile && declared && !('unknown' in declared) ? { ...declared, by: 'user' } : declared);
    } finally {
      await bundle.remove();
    }
  }

  private execute(id: string, bundle: Bundle, hooks: RunHooks | undefined, declared: LifecycleOptions['declaredSeccomp']): Promise<RunOutcome> {
    return runLifecycle(
      async () => {
        const c = await startContainer(this.opts.binary, bundle.dir, id, {
          target: this.name,
          timeoutMs: this.opts.timeoutMs ?? 60_000,
          cgroupsPath: `/${id}`,
        });
        return { ...c, scratch: bundle.scratch };
      },
      { cgroups: this.opts.cgroups, observe: this.opts.observe, hooks, declaredSeccomp: declared },
    );
  }

  private sharedRootfs(): string {
    this.rootfs ??= buildRootfs(path.join(this.opts.runDir, `${this.name}-rootfs`), this.opts.files);
    return this.rootfs;
  }
}

/**
 * The generated config.json names no process.apparmorProfile or selinuxLabel (a profile must be
 * loaded on the host first, and isoprobe loads none), so an OCI runtime confines by LSM only when
 * the target's specPatch asks for a label.
 */
export function asksForLsmLabel(specPatch: Record<string, unknown> | undefined): boolean {
  const proc = specPatch?.process as Record<string, unknown> | undefined;
  return typeof proc?.apparmorProfile === 'string' || typeof proc?.selinuxLabel === 'string';
}

/** The config.json's linux.seccomp is the declaration: the runtime is to install exactly that (none: no filter). */
function declaredSeccomp(config: Record<string, unknown>, specPatch: unknown): LifecycleOptions['declaredSeccomp'] {
  const linux = (config.linux ?? {}) as Record<string, unknown>;
  const patchLinux = (specPatch && typeof specPatch === 'object' ? (specPatch as Record<string, unknown>).linux : undefined) as
    | Record<string, unknown>
    | undefined;
  const by = patchLinux && 'seccomp' in patchLinux ? ('user' as const) : ('isoprobe' as const);
  return { source: "the OCI spec's linux.seccomp (config.json)", by, profile: linux.seccomp ?? null };
}

/** The user's profile file replaces linux.seccomp whole (a merge patch would keep keys it leaves out). */
function withSeccompProfile(config: unknown, profile: Record<string, unknown> | undefined): unknown {
  if (!profile) return config;
  const c = config as Record<string, unknown>;
  return { ...c, linux: { ...(c.linux as Record<string, unknown>), seccomp: profile } };
}
