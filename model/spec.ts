/**
 * The one container description every target translates (built-in flags, Docker HostConfig,
 * OCI config.json). Weakenings are expressed here so negative controls are ordinary specs.
 */
import type { SeccompFilterRead } from './parse/seccomp-filters.js';
import type { SandboxFacts } from './sandbox.js';
export const NAMESPACES = ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'time', 'cgroup'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export interface Limits {
  pids?: number;
  memoryBytes?: number;
  /** CPU quota as a fraction of one CPU (0.5 = half a core). */
  cpus?: number;
}

export interface TimeOffsets {
  monotonicSec: number;
  boottimeSec: number;
}

export interface ContainerSpec {
  /** Namespaces shared with the host (the weakened variants); all others are new. */
  share: Namespace[];
  /** '': none asked, the runtime's own (Docker: the container id), where a target leaves it to the runtime. */
  hostname: string;
  /** Root changed with pivot_root (default) or plain chroot (weakened). */
  rootChange: 'pivot_root' | 'chroot';
  /** 'default' drops to the documented default set; 'all' keeps every capability (weakened). */
  caps: 'default' | 'all';
  /** The runtime's default seccomp filter ('default', also when absent) or none (weakened). */
  seccomp?: 'default' | 'none';
  /** The built-in runtime's filter judges only native calls, i386 and x32 ones pass (weakened; others ignore it). */
  seccompNativeOnly?: boolean;
  /** no_new_privs set before exec (true, also when absent) or left off (weakened). */
  noNewPrivs?: boolean;
  /** Leak a host directory fd into the container, as runc did before 1.1.12 (weakened). */
  leakHostFd?: boolean;
  /** cgroupfs inside read-only ('ro', also when absent) or writable (weakened, as --privileged). */
  cgroupfs?: 'ro' | 'rw';
  limits: Limits;
  timeOffsets: TimeOffsets;
  /** argv run inside the container. argv[0] is a path inside the rootfs. */
  argv: string[];
  /**
   * Variables isoprobe plants in the workload's environment (the sandbox profile's decoy secret):
   * each target passes them the way it passes any environment to its workload, beside what its
   * users' workloads get anyway. Absent: none.
   */
  env?: Record<string, string>;
  /**
   * The writable directory the target declares as its workload's workspace, as a path inside
   * (bwrap `workspace`): where the sandbox profile's write-inside test writes. Absent: /scratch.
   */
  workspace?: string;
  /**
   * Only on the second of a pair of siblings (engine/cross.ts): the namespaces it joins of the
   * first, which runs as host pid `pid` (`ref`: the runtime's own name for it, Docker's container).
   */
  joinSibling?: { namespaces: ('pid' | 'ipc' | 'net' | 'uts')[]; pid: number; ref?: string };
  /** Only on the first of such a pair: the namespaces the second will join (Docker must be told an IPC namespace is shareable). */
  sharedWithSibling?: ('pid' | 'ipc' | 'net' | 'uts')[];
}

/** What a target hands back after the container exited. */
export interface RunOutcome {
  hostPid: number;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Host-side observations taken while the container was alive (see host/host-facts.ts). */
  hostFacts: HostSideFacts;
  /** A sandbox's own host processes (model/sandbox.ts), from a target whose workload is not a host process. */
  sandbox?: SandboxFacts;
}

export interface NsOwnership {
  /** "pid:[4026531836]" as readlink(2) shows it. */
  link: string | null;
  /** Inode of the user namespace that owns it (NS_GET_USERNS), null if not observable. */
  ownerUserNsIno: number | null;
  /** Inode of the parent namespace for pid/user (NS_GET_PARENT), null otherwise. */
  parentIno: number | null;
}

export interface HostSideFacts {
  ns: Partial<Record<Namespace, NsOwnership>>;
  uidMap: string | null;
  gidMap: string | null;
  /**
   * The container process's pid in each pid namespace from the host's down (NSpid of
   * /proc/<pid>/status): one entry in the host's own, more below it. Null if unreadable; absent
   * from results written before it.
   */
  nsPid?: number[] | null;
  /** Host-side cgroup path(s) the container was placed in, and the limits read back from cgroupfs. */
  cgroup: {
    version: 'v1' | 'v2' | 'none';
    paths: string[];
    limits: Record<string, string>;
    /** Limit-hit counters read after the container ended (pids.events, memory.oom_control, ...). */
    events?: Record<string, string>;
    /** /proc/<pid>/cgroup of the container's first process as the host reads it while it is alive (before the probe runs). */
    procCgroup?: string | null;
  };
  /** Host view of files the probe created (path inside → host stat uid/gid). */
  createdFiles: { path: string; uid: number; gid: number }[];
  /**
   * The host's clocks read just before the probe was released and just after it exited: the probe
   * reads its own first once released (probes/facts.c), so its reading lies between the two.
   */
  hostClocks: { before: HostClocks; after: HostClocks } | null;
  /**
   * The stacked seccomp filters of the container's first host process, read from the host while it
   * is held (host/seccomp-filters.ts): gVisor's is its Sentry's own. `unreadable`: why the read
   * failed as a whole. Absent: not observed (results written before it, the benchmark).
   */
  seccomp?: SeccompFilterRead | { unreadable: string };
  /**
   * The seccomp profile the container was declared to get, in the JSON form runtimes read
   * (model/seccomp/declared.ts), and where that declaration comes from; `unknown`: why this target
   * has none to compare with. Absent: results written before it.
   */
  declaredSeccomp?: DeclaredSeccomp | { unknown: string };
}

export interface DeclaredSeccomp {
  /** "the OCI spec's linux.seccomp", "Docker 20.10.24's default profile (<file>)", a user's file. */
  source: string;
  /** Who chose it: the runtime's own default, isoprobe's request, or the user's config. */
  by: 'runtime' | 'isoprobe' | 'user';
  /** The profile as the runtime reads it, validated where it is judged; null: no filter declared. */
  profile: unknown;
  /** uname -r, which a Docker profile's minKernel rules are resolved against. */
  kernel: string;
}

/** Seconds on each clock, as clock_gettime(2) gives them. */
export interface HostClocks {
  monotonic: number;
  boottime: number;
  realtime: number;
}

/**
 * Docker's default capability set: what caps 'default' asks every target for (the built-in
 * runtime keeps the same, targets/builtin/shim.c).
 */
export const DEFAULT_CAPS: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_RAW',
  'CAP_SYS_CHROOT',
  'CAP_MKNOD',
  'CAP_AUDIT_WRITE',
  'CAP_SETFCAP',
];

export const DEFAULT_SPEC: Omit<ContainerSpec, 'argv'> = {
  share: [],
  hostname: 'isoprobe',
  rootChange: 'pivot_root',
  caps: 'default',
  limits: { pids: 64, memoryBytes: 64 * 1024 * 1024, cpus: 0.5 },
  timeOffsets: { monotonicSec: 7 * 86400, boottimeSec: 9 * 86400 },
};
