/**
 * ContainerSpec → OCI runtime config.json (runtime-spec 1.0.2), a pure function. Modelled on
 * `runc spec`'s default (mounts, masked and read-only paths, device cgroup) so runc and crun are
 * judged on what a usual OCI caller asks of them; what the spec weakens is left out.
 */
import { NAMESPACES, type ContainerSpec, type Limits, type Namespace } from '../../model/spec.js';
import { SCRATCH_DIR } from '../../model/target.js';
import { defaultSeccomp } from './oci-seccomp.js';

/**
 * 1.0.2, not the newest: crun 1.8.1 refuses ociVersion ≥ 1.2 and runc 1.1 speaks 1.0.2. Fields
 * newer than that (linux.timeOffsets) are still written: both runtimes read what they know.
 */
export const OCI_VERSION = '1.0.2';

/** Docker's default capability set, the same 14 the built-in runtime keeps (targets/builtin/shim.c). */
export const DEFAULT_CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** As runc's default spec, plus powercap (Docker masks it since 20.10). */
export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export const OCI_NS_NAME: Record<Namespace, string> = {
  pid: 'pid',
  mnt: 'mount',
  net: 'network',
  uts: 'uts',
  ipc: 'ipc',
  user: 'user',
  time: 'time',
  cgroup: 'cgroup',
};
const CPU_PERIOD_US = 100_000;

export interface OciConfigOptions {
  /** Host path of the (shared, read-only) root filesystem. */
  rootfs: string;
  /** Host path of this container's scratch directory, bound at /scratch. */
  scratch: string;
  /** Host id range container root maps to when a user namespace is made. */
  idMapping: { hostBase: number; count: number };
  cgroupsPath: string;
  /** What caps 'all' means here: every capability in the harness's bounding set. */
  hostCaps: string[];
  /** Namespaces the runtime has refused: left out (and reported) rather than failing the run. */
  omit?: Namespace[];
}

export function ociConfig(spec: ContainerSpec, o: OciConfigOptions): Record<string, unknown> {
  const made = madeNamespaces(spec, o.omit ?? []);
  const caps = spec.caps === 'all' ? o.hostCaps : DEFAULT_CAPS;
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: spec.argv,
      env: ['PATH=/bin:/isoprobe', 'HOME=/'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: spec.noNewPrivs ?? true,
    },
    root: { path: o.rootfs, readonly: true },
    // A hostname needs a UTS namespace of its own (runc refuses it otherwise); a joined one keeps its own.
    ...(made.includes('uts') && !spec.joinSibling?.namespaces.includes('uts') ? { hostname: spec.hostname } : {}),
    mounts: mounts(made, o.scratch),
    linux: linuxSection(spec, made, o),
  };
}

/**
 * A config (the user's specPatch merged over it) without the namespaces the runtime refused, and
 * without the time offsets where the time namespace is one of them: a patch that lists a refused
 * namespace again is retried without it as the generated config is.
 */
export function withoutNamespaces(config: unknown, omit: readonly Namespace[]): unknown {
  const c = config as { linux?: { namespaces?: unknown; timeOffsets?: unknown } } | null;
  if (omit.length === 0 || !c?.linux) return config;
  const types = omit.map((ns) => OCI_NS_NAME[ns]);
  const linux: Record<string, unknown> = { ...c.linux };
  if (Array.isArray(linux.namespaces)) linux.namespaces = linux.namespaces.filter((n) => !types.includes((n as { type?: string })?.type ?? ''));
  if (omit.includes('time')) delete linux.timeOffsets;
  return { ...c, linux };
}

/** The namespaces the container gets: all but the shared ones and those the runtime refused. */
export function madeNamespaces(spec: ContainerSpec, omit: Namespace[]): Namespace[] {
  return NAMESPACES.filter((ns) => !spec.share.includes(ns) && !omit.includes(ns));
}

function linuxSection(spec: ContainerSpec, made: Namespace[], o: OciConfigOptions): Record<string, unknown> {
  const map = [{ containerID: 0, hostID: o.idMapping.hostBase, size: o.idMapping.count }];
  return {
    namespaces: made.map((ns) => ({ type: OCI_NS_NAME[ns], ...joinedPath(spec, made, ns) })),
    ...(made.includes('user') ? { uidMappings: map, gidMappings: map } : {}),
    ...(made.includes('time')
      ? {
          timeOffsets: {
            monotonic: { secs: spec.timeOffsets.monotonicSec, nanosecs: 0 },
            boottime: { secs: spec.timeOffsets.boottimeSec, nanosecs: 0 },
          },
        }
      : {}),
    resources: resources(spec.limits),
    cgroupsPath: o.cgroupsPath,
    maskedPaths: MASKED_PATHS,
    readonlyPaths: READONLY_PATHS,
    ...(spec.seccomp === 'none' ? {} : { seccomp: defaultSeccomp() }),
  };
}

/**
 * The second of a pair of siblings (engine/cross.ts) joins the first's namespaces by path. With a
 * user namespace it joins the first's too: a namespace is only usable (proc, sysfs, lo, a
 * hostname) by a user namespace that owns it, and the first's are owned by the first's.
 */
function joinedPath(spec: ContainerSpec, made: Namespace[], ns: Namespace): { path?: string } {
  const join = spec.joinSibling;
  if (!join) return {};
  const joins = (join.namespaces as Namespace[]).includes(ns) || (ns === 'user' && made.includes('user'));
  return joins ? { path: `/proc/${join.pid}/ns/${ns}` } : {};
}

export function resources(limits: Limits): Record<string, unknown> {
  return {
    // Deny every device; the runtime then allows its default set (null, zero, tty, ...), as runc spec does.
    devices: [{ allow: false, access: 'rwm' }],
    ...(limits.pids !== undefined ? { pids: { limit: limits.pids } } : {}),
    // swap = limit: no swap on top of the memory limit, so the limit is what a hog meets.
    ...(limits.memoryBytes !== undefined ? { memory: { limit: limits.memoryBytes, swap: limits.memoryBytes } } : {}),
    ...(limits.cpus !== undefined ? { cpu: { quota: Math.round(limits.cpus * CPU_PERIOD_US), period: CPU_PERIOD_US } } : {}),
  };
}

/**
 * runc spec's mounts. proc, sysfs and mqueue can only be mounted by a user namespace that owns
 * the pid / network / IPC namespace; where a new user namespace meets a shared one, the host's
 * /proc and /sys are bound instead (what sharing them means, and what rootless runc does for
 * /sys) and no mqueue is mounted. The bound /sys is read-only recursively ("rro", runc ≥ 1.1,
 * crun): plain "ro" leaves the host's cgroupfs mounts under it writable inside.
 */
export function mounts(made: Namespace[], scratch: string): Record<string, unknown>[] {
  const newUser = made.includes('user');
  const mountable = (ns: Namespace) => !newUser || made.includes(ns);
  const m = (destination: string, type: string, source: string, options: string[]) => ({ destination, type, source, options });
  return [
    mountable('pid') ? m('/proc', 'proc', 'proc', ['nosuid', 'noexec', 'nodev']) : m('/proc', 'none', '/proc', ['rbind', 'nosuid', 'noexec', 'nodev']),
    m('/dev', 'tmpfs', 'tmpfs', ['nosuid', 'strictatime', 'mode=755', 'size=65536k']),
    m('/dev/pts', 'devpts', 'devpts', ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']),
    m('/dev/shm', 'tmpfs', 'shm', ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']),
    ...(mountable('ipc') ? [m('/dev/mqueue', 'mqueue', 'mqueue', ['nosuid', 'noexec', 'nodev'])] : []),
    mountable('net')
      ? m('/sys', 'sysfs', 'sysfs', ['nosuid', 'noexec', 'nodev', 'ro'])
      : m('/sys', 'none', '/sys', ['rbind', 'nosuid', 'noexec', 'nodev', 'ro', 'rro']),
    m('/sys/fs/cgroup', 'cgroup', 'cgroup', ['nosuid', 'noexec', 'nodev', 'relatime', 'ro']),
    m('/tmp', 'tmpfs', 'tmpfs', ['nosuid', 'nodev', 'mode=1777']),
    m(`/${SCRATCH_DIR}`, 'none', scratch, ['rbind', 'rw', 'nosuid', 'nodev']),
  ];
}
