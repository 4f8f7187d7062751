/**
 * The expected posture: a pure function of what was asked of a target (its ContainerSpec) and of
 * what the environment can give at all (a kernel without time namespaces gives none to anyone).
 * What a runtime chooses not to deliver (Docker's user namespace, runc's time namespace) is not
 * environment: it shows up in the diff, asked vs delivered.
 */
import { z } from 'zod';
import type { HostView } from './host-view.js';
import { capNames, parseStatus } from './parse/status.js';
import { PostureSchema, type ComparedField, type Posture } from './posture.js';
import { DEFAULT_CAPS, NAMESPACES, type ContainerSpec, type HostSideFacts, type Namespace } from './spec.js';

/** Any of these values is what was asked for (a masked path may be masked three right ways). */
export interface OneOf<T> {
  oneOf: T[];
}
export const isOneOf = (v: unknown): v is OneOf<unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as { oneOf?: unknown }).oneOf);

/**
 * In an expected record, the key "*" stands for every path the observation has that the
 * expectation does not name: the probe chooses which masked and read-only paths it looks at.
 */
export const ANY_KEY = '*';

const oneOf = <T extends z.ZodType>(s: T) => z.union([s, z.object({ oneOf: z.array(s) })]);
const shape = PostureSchema.shape;
export const ExpectedPostureSchema = z.object({
  namespaces: shape.namespaces,
  capabilities: shape.capabilities,
  seccomp: shape.seccomp,
  noNewPrivs: shape.noNewPrivs,
  userMapping: shape.userMapping,
  masked: z.record(z.string(), oneOf(shape.masked.valueType)),
  readonly: z.record(z.string(), oneOf(shape.readonly.valueType)),
  limits: shape.limits,
  cgroupfs: oneOf(shape.cgroupfs),
  hostFds: shape.hostFds,
  rootEscape: shape.rootEscape,
  timeOffsets: shape.timeOffsets,
}) satisfies z.ZodType<Record<ComparedField, unknown>>;
export type ExpectedPosture = z.infer<typeof ExpectedPostureSchema>;

/** What the host can give any container, whatever is asked. */
export interface PostureEnv {
  /** Namespace types this kernel has (the host reference shows a link for). */
  namespaces: readonly Namespace[];
  /** The harness's bounding set: "all capabilities" in the host's user namespace. Sorted names. */
  bounding: readonly string[];
  /**
   * Every capability this kernel has: "all" in a new user namespace, which starts with a full
   * bounding set whatever its creator's (user_namespaces(7)). Sorted names.
   */
  kernelCaps: readonly string[];
  /** False on a kernel without seccomp. */
  seccomp: boolean;
  /** Limits whose controller the host lacks (a target reports them as "<controller>:unsupported"). */
  unsupportedLimits: readonly (keyof Posture['limits'])[];
}

/** The harness's own process: /proc/self/status and /proc/sys/kernel/cap_last_cap. */
export interface HarnessSelf {
  status: string;
  capLastCap: number;
}

/** @param host the target's observation, only for the controllers it found missing on this host */
export function postureEnv(reference: HostView, self: HarnessSelf, host?: HostSideFacts): PostureEnv {
  const status = parseStatus(self.status);
  const limits = host?.cgroup.limits ?? {};
  return {
    namespaces: NAMESPACES.filter((ns) => reference.ns[ns].link !== null),
    bounding: capNames(status.capBnd).sort(),
    kernelCaps: capNames((1n << BigInt(self.capLastCap + 1)) - 1n).sort(),
    seccomp: status.seccomp !== null,
    unsupportedLimits: (['pids', 'memory', 'cpu'] as const).filter((c) => limits[`${c}:unsupported`] !== undefined),
  };
}

/**
 * Masking, read-only paths and the cgroupfs mount are mounts made in the container's own mount
 * namespace. In the host's, the container sees the host's mounts, which no spec field describes
 * (and the runtime must not change them): any class is what was asked.
 */
function mountsExpected(spec: ContainerSpec): Pick<ExpectedPosture, 'masked' | 'readonly' | 'cgroupfs'> {
  if (spec.share.includes('mnt')) {
    return {
      masked: { [ANY_KEY]: { oneOf: [...PostureSchema.shape.masked.valueType.options] } },
      readonly: { [ANY_KEY]: { oneOf: [...PostureSchema.shape.readonly.valueType.options] } },
      cgroupfs: { oneOf: [...PostureSchema.shape.cgroupfs.options] },
    };
  }
  return {
    masked: { [ANY_KEY]: { oneOf: ['null-device', 'empty-ro-tmpfs', 'absent'] } },
    readonly: { [ANY_KEY]: { oneOf: ['read-only', 'absent'] } },
    // A runtime that mounts no cgroupfs at all gives what "read-only" asks for.
    cgroupfs: spec.cgroupfs === 'rw' ? 'rw' : { oneOf: ['ro', 'none'] },
  };
}

export function expectedPosture(spec: ContainerSpec, env: PostureEnv): ExpectedPosture {
  const ns = (n: Namespace) => (!env.namespaces.includes(n) ? 'absent' : spec.share.includes(n) ? 'inherited' : 'new');
  const hostUserns = spec.share.includes('user');
  const caps = spec.caps === 'default' ? [...DEFAULT_CAPS].sort() : [...(hostUserns ? env.bounding : env.kernelCaps)];
  const mapping = hostUserns ? 'identity' : 'root-to-unprivileged';
  const limit = (c: keyof Posture['limits'], asked: number | undefined) =>
    env.unsupportedLimits.includes(c) ? 'unsupported' : asked === undefined ? 'unset' : 'set';
  const time = ns('time');
  return {
    namespaces: Object.fromEntries(NAMESPACES.map((n) => [n, ns(n)])) as ExpectedPosture['namespaces'],
    capabilities: { effective: caps, permitted: [...caps], bounding: [...caps], inheritable: [], ambient: [] },
    seccomp: !env.seccomp ? 'unsupported' : spec.seccomp === 'none' ? 'disabled' : 'filter',
    noNewPrivs: spec.noNewPrivs ?? true,
    userMapping: { uid: mapping, gid: mapping },
    ...mountsExpected(spec),
    limits: { pids: limit('pids', spec.limits.pids), memory: limit('memory', spec.limits.memoryBytes), cpu: limit('cpu', spec.limits.cpus) },
    hostFds: spec.leakHostFd ? 'leaked' : 'none',
    // pivot_root leaves nothing above the new root; a plain chroot leaves the old root reachable.
    rootEscape: spec.rootChange === 'chroot' ? 'escaped' : 'contained',
    timeOffsets:
      time === 'absent'
        ? null
        : time === 'new'
          ? { monotonic: spec.timeOffsets.monotonicSec, boottime: spec.timeOffsets.boottimeSec }
          : { monotonic: 0, boottime: 0 },
  };
}
