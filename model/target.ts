import type { EvidenceKind } from './evidence.js';
import type { SettingKey } from './request.js';
import type { ContainerSpec, RunOutcome } from './spec.js';

export interface TargetCapabilities {
  timeOffsets: boolean;
  /** The runtime puts its containers under an LSM profile (Docker: docker-default) or was asked for one; else why not. */
  lsmProfile: { applied: true } | { applied: false; why: string };
  /**
   * Absent: the runtime puts each container in a cgroup of its own with the spec's limits.
   * Present: it cannot be asked for cgroup limits at all (bwrap makes no cgroup), and why.
   */
  cgroupLimits?: { settable: false; why: string };
  /**
   * Settings it was asked for, refused, and was retried without (runc 1.1 and the time
   * namespace), each with the runtime's own message. The request still says they were asked:
   * the conformance checks fail on them (checks/conformance.ts).
   */
  dropped?: readonly DroppedSetting[];
  /**
   * Present: the workload's system calls are served by a kernel of the sandbox's own (gVisor's
   * Sentry), not the host's, and why; what the probe reaches from inside then says nothing about
   * the host kernel's attack surface.
   */
  ownKernel?: string;
  /**
   * Present: the probe ran inside an existing container, with no host view (isoprobe inspect),
   * and what that leaves unknown. The probe had no host namespaces to prove a write test safe,
   * and nobody knows what the container's creator asked for.
   */
  insideOnly?: string;
}

export interface DroppedSetting {
  key: SettingKey;
  why: string;
}

/**
 * One interface for every runtime under test. A target runs one container from a spec and
 * reports what happened; it owns the cleanup of everything it created for that container.
 */
export interface Target {
  readonly name: string;
  readonly runtime: string;
  /** Settings this runtime can be asked for at all; checks of others skip with the reason. */
  readonly capabilities: TargetCapabilities;
  /** The evidence it can give the checks (model/check.ts Evidence); a check needing other evidence skips. */
  readonly provides: readonly EvidenceKind[];
  /** Versions and settings that explain this target's results (shown, never compared). */
  info(): Promise<Record<string, string>>;
  /** Runs the container to completion, the probe delivered as its driver does. Rejects with a TargetError when it could not run. */
  run(spec: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome>;
}

/** What the caller of Target.run learns while the container runs (the siblings' exchange, engine/cross.ts). */
export interface RunHooks {
  /** The probe was let go: its host pid, and the runtime's own name for the container where it has one. */
  onReleased?(running: { pid: number; ref?: string }): void;
}

/** Files the project built, placed into every container's root filesystem (or image). */
export interface ProbeFiles {
  /** Host path of the static probe binary; inside the container it is PROBE_PATH. */
  probe: string;
  /** Host path of a static busybox, for a shell inside (optional for the probe itself). */
  busybox?: string;
}

export const PROBE_PATH = '/isoprobe/probe';
/** A directory inside the container, writable by its root, that the host can read afterwards. */
export const SCRATCH_DIR = 'scratch';

export class TargetError extends Error {
  readonly code = 'ETARGET';
  constructor(
    readonly target: string,
    message: string,
    /** The failing step reported by the runtime (e.g. "pivot-root"), when known. */
    readonly step?: string,
    readonly errno?: number,
  ) {
    super(`${target}: ${message}`);
  }
}
