/**
 * An LXC container's configuration file for one probe (pure, unit-tested). isoprobe writes what
 * `lxc-create` would give a root user's container on Debian 12 (lxc 5.0.2), and runs it the way
 * LXC runs one command in a container: `lxc-execute -n NAME -f CONFIG -- CMD` (./sandbox.ts). The
 * container's defaults are LXC's own (measured with lxc 5.0.2 as root: new mount, pid, net, UTS,
 * IPC and cgroup namespaces; the host's user namespace unless `lxc.idmap` is given; every
 * capability but the five common.conf drops; common.seccomp's deny list; no no_new_privs).
 *
 * The lines, and who asks for them:
 *  - Debian's /etc/lxc/default.conf, as lxc-create copies it (AppArmor "generated"), but for its
 *    network: a veth on the lxcbr0 bridge, which only the lxc-net service makes. isoprobe asks for
 *    `lxc.net.0.type = empty` instead (a network namespace of its own with loopback only): the
 *    run makes no bridge on the host.
 *  - `lxc.include` of common.conf (capabilities, seccomp, devices, /proc and /sys), as every
 *    template's config does, and the /dev/shm entry of LXC's busybox template.
 *  - the root (a per-container copy of the project's rootfs), the hostname, the /scratch bind.
 *  - `lxc.cgroup.dir.*`: the container, its monitor and the monitor's exit pivot in cgroups of the
 *    container's own (LXC otherwise leaves `lxc.pivot` at the root of every hierarchy).
 *  - the spec's limits and time offsets (LXC can be asked for both), the planted variables.
 *  - the user's settings: idmap, the namespaces kept, caps, seccomp, no_new_privs, raw lines.
 * lxcOptions, beside the builder, describes the same file with who asked for each part.
 */
import type { CgroupLayout } from '../../host/cgroup.js';
import type { Setting } from '../../model/driver.js';
import type { Limits, TimeOffsets } from '../../model/spec.js';
import { SCRATCH_DIR } from '../../model/target.js';

/** The namespaces `lxc.namespace.keep` can leave the host's (with the user namespace: see keepLine). */
export const LXC_SHAREABLE = ['pid', 'net', 'ipc', 'uts', 'cgroup'] as const;
export type LxcShareable = (typeof LXC_SHAREABLE)[number];

export const COMMON_CONF = '/usr/share/lxc/config/common.conf';
/** The sub-cgroups of a container's own cgroup that LXC is told to use, and the `lxc.pivot` it makes in the pivot one (measured, lxc 5.0.2). */
export const LXC_SUBGROUPS = ['payload', 'monitor', 'pivot', 'pivot/lxc.pivot'] as const;
const CPU_PERIOD_US = 100_000;

export interface IdRange {
  start: number;
  count: number;
}

export interface LxcRequest {
  hostname: string;
  share: readonly LxcShareable[];
  /** Root's subordinate uid and gid ranges to map the container's 0.. to; null: no lxc.idmap. */
  idmap: { uid: IdRange; gid: IdRange } | null;
  caps: 'default' | 'all';
  seccomp: 'default' | 'none';
  noNewPrivs: boolean;
  limits: Limits;
  timeOffsets: TimeOffsets;
  env: Readonly<Record<string, string>>;
  /** The user's raw configuration lines (config `config`), last, so that they win. */
  config: readonly string[];
}

export interface LxcPaths {
  /** Host directory that is the container's root. */
  root: string;
  /** Host directory bound writable at /scratch. */
  scratch: string;
  /** The container's own cgroup, relative to each hierarchy's root (LXC's lxc.cgroup.dir.* are). */
  cgroup: string;
}

/**
 * `lxc.namespace.keep` with the user namespace always listed: measured with lxc 5.0.2, a keep list
 * without it fails the container's /dev ("Value too large for defined data type"), and a container
 * that keeps any namespace runs in the host's user namespace anyway (no idmap, see the driver).
 */
export function keepLine(share: readonly LxcShareable[]): string | null {
  return share.length === 0 ? null : `lxc.namespace.keep = user ${share.join(' ')}`;
}

export function lxcConfig(req: LxcRequest, paths: LxcPaths, layout: CgroupLayout): string {
  const keep = keepLine(req.share);
  const lines = [
    'lxc.apparmor.profile = generated',
    'lxc.apparmor.allow_nesting = 1',
    ...(req.share.includes('net') ? [] : ['lxc.net.0.type = empty', 'lxc.net.0.flags = up']),
    `lxc.include = ${COMMON_CONF}`,
    `lxc.rootfs.path = dir:${paths.root}`,
    ...(req.share.includes('uts') ? [] : [`lxc.uts.name = ${req.hostname}`]),
    'lxc.mount.entry = shm dev/shm tmpfs defaults,create=dir 0 0',
    `lxc.mount.entry = ${paths.scratch} ${SCRATCH_DIR} none rw,bind 0 0`,
    `lxc.cgroup.dir.container = ${paths.cgroup}/payload`,
    `lxc.cgroup.dir.monitor = ${paths.cgroup}/monitor`,
    `lxc.cgroup.dir.monitor.pivot = ${paths.cgroup}/pivot`,
    ...limitLines(req.limits, layout),
    ...(req.timeOffsets.monotonicSec ? [`lxc.time.offset.monotonic = ${req.timeOffsets.monotonicSec}s`] : []),
    ...(req.timeOffsets.boottimeSec ? [`lxc.time.offset.boot = ${req.timeOffsets.boottimeSec}s`] : []),
    ...Object.entries(req.env).map(([k, v]) => `lxc.environment = ${k}=${v}`),
    ...(req.idmap ? [`lxc.idmap = u 0 ${req.idmap.uid.start} ${req.idmap.uid.count}`, `lxc.idmap = g 0 ${req.idmap.gid.start} ${req.idmap.gid.count}`] : []),
    ...(keep ? [keep] : []),
    // An empty value clears the list common.conf set (lxc.container.conf(5)).
    ...(req.caps === 'all' ? ['lxc.cap.drop ='] : []),
    ...(req.seccomp === 'none' ? ['lxc.seccomp.profile ='] : []),
    ...(req.noNewPrivs ? ['lxc.no_new_privs = 1'] : []),
    ...req.config,
  ];
  return `${lines.join('\n')}\n`;
}

/** The spec's limits as LXC's cgroup keys: v1 controllers' files on v1 and hybrid hosts, cgroup2's on v2. */
export function limitLines(limits: Limits, layout: CgroupLayout): string[] {
  if (layout.version === 'none') return [];
  const v2 = layout.version === 'v2';
  const key = v2 ? 'lxc.cgroup2' : 'lxc.cgroup';
  const out: string[] = [];
  if (limits.pids) out.push(`${key}.pids.max = ${limits.pids}`);
  if (limits.memoryBytes) out.push(v2 ? `${key}.memory.max = ${limits.memoryBytes}` : `${key}.memory.limit_in_bytes = ${limits.memoryBytes}`);
  if (limits.cpus) {
    const quota = Math.round(limits.cpus * CPU_PERIOD_US);
    if (v2) out.push(`${key}.cpu.max = ${quota} ${CPU_PERIOD_US}`);
    else out.push(`${key}.cpu.cfs_period_us = ${CPU_PERIOD_US}`, `${key}.cpu.cfs_quota_us = ${quota}`);
  }
  return out;
}

/** The settings of one LXC target, each with who asked for it. Kept beside the builder: a change to one is a change to the other. */
export function lxcOptions(req: Omit<LxcRequest, 'env' | 'idmap'> & { idmap: boolean; limitsOff: boolean }): Setting[] {
  const user = req.idmap;
  const opts: Setting[] = [
    {
      setting: 'share',
      value: [...req.share, ...(user ? [] : ['user'])].join(',') || 'none',
      source: req.share.length > 0 || user ? 'user config' : 'runtime default',
    },
    { setting: 'root', value: 'pivot_root', source: 'runtime default' },
    req.caps === 'all'
      ? { setting: 'caps', value: 'lxc.cap.drop = (none dropped)', source: 'user config' }
      : {
          setting: 'caps',
          value: "every capability but common.conf's drops (mac_admin mac_override sys_time sys_module sys_rawio)",
          source: 'runtime default',
        },
    req.limitsOff
      ? { setting: 'limits', value: 'none', source: 'user config' }
      : {
          setting: 'limits',
          value: `lxc.cgroup*.pids/memory/cpu (pids ${req.limits.pids}, memory ${req.limits.memoryBytes}, cpus ${req.limits.cpus})`,
          source: 'isoprobe',
        },
    req.seccomp === 'none'
      ? { setting: 'seccomp', value: 'none (lxc.seccomp.profile =)', source: 'user config' }
      : { setting: 'seccomp', value: "common.conf's common.seccomp deny list", source: 'runtime default' },
    req.noNewPrivs
      ? { setting: 'no-new-privs', value: 'true (lxc.no_new_privs = 1)', source: 'user config' }
      : { setting: 'no-new-privs', value: 'false (LXC sets it only with lxc.no_new_privs = 1)', source: 'runtime default' },
    user
      ? { setting: 'idmap', value: "lxc.idmap u and g 0 to root's ranges in /etc/subuid and /etc/subgid", source: 'user config' }
      : { setting: 'idmap', value: "none: the host's user namespace", source: 'runtime default' },
    {
      setting: 'network',
      value: req.share.includes('net') ? "the host's (lxc.namespace.keep)" : 'lxc.net.0.type = empty (loopback only; no lxcbr0 on the host)',
      source: req.share.includes('net') ? 'user config' : 'isoprobe',
    },
    { setting: 'apparmor', value: 'lxc.apparmor.profile = generated (Debian default.conf)', source: 'runtime default' },
    { setting: 'time-offsets', value: `monotonic ${req.timeOffsets.monotonicSec}s, boot ${req.timeOffsets.boottimeSec}s`, source: 'isoprobe' },
    { setting: 'cgroup', value: "lxc.cgroup.dir.container/monitor/monitor.pivot in a cgroup of the container's own", source: 'isoprobe' },
    { setting: 'mounts', value: `lxc.rootfs.path = dir:<root>, /dev/shm tmpfs (busybox template), <scratch> at /${SCRATCH_DIR}`, source: 'isoprobe' },
  ];
  if (!req.share.includes('uts')) opts.push({ setting: 'hostname', value: `lxc.uts.name = ${req.hostname}`, source: 'isoprobe' });
  if (req.config.length > 0) opts.push({ setting: 'config', value: req.config.join('; '), source: 'user config' });
  return opts;
}
