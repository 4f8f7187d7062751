/**
 * Host-side observation of a container from its host pid (targets/common/lifecycle.ts calls it for
 * every kind): observeLive for one some other runtime made (runc, crun, Docker — which runs
 * runc), observePlaced for one whose cgroup the target made itself (the built-in runtime). The
 * namespaces and id maps come from /proc/<pid>, the cgroup paths from /proc/<pid>/cgroup (we are
 * in the host's cgroup namespace, so they are host paths) or the placement, and the limits are
 * read back from cgroupfs, v1 and v2. Every reader takes its root directory, so tests run them on
 * fixture trees.
 */
import path from 'node:path';
import { parseProcCgroup } from '../../model/parse/cgroup.js';
import { parseStatus } from '../../model/parse/status.js';
import { NAMESPACES, type HostSideFacts } from '../../model/spec.js';
import type { CgroupLayout } from '../../host/cgroup.js';
import { readOrNull } from '../../host/files.js';
import { nsOwnership } from '../../host/ns.js';
import { PROBE_PATH } from '../../model/target.js';
import { readSeccompFilters } from '../../host/seccomp-filters.js';

/** The limit files the checks compare, per cgroup version (the names the built-in runtime reports). */
/** The limit files of each controller, as the host reads them back (cgroups(7)). */
export const LIMIT_FILES = {
  v1: { pids: ['pids.max'], memory: ['memory.limit_in_bytes'], cpu: ['cpu.cfs_period_us', 'cpu.cfs_quota_us'] },
  v2: { pids: ['pids.max'], memory: ['memory.max'], cpu: ['cpu.max'] },
} as const;

/** The probe's commands that wait for a go byte on stdin when given --wait-stdin (probes/README.md). */
const HELD_COMMANDS = ['facts', 'forkbomb', 'memhog', 'cpuburn', 'sibling'];

/**
 * The runtimes here cannot stop a container between set-up and exec, so the probe holds itself
 * (--wait-stdin) while the host observes: the facts probe's namespaces, and the enforcement
 * probes' cgroups, whose counters would otherwise miss the start of a short run (or all of it,
 * where the runtime reports the pid after a 500 ms cpu burn has ended).
 */
export function holdProbe(argv: string[]): string[] {
  if (argv[0] !== PROBE_PATH || !HELD_COMMANDS.includes(argv[1]) || argv.includes('--wait-stdin')) return argv;
  return [argv[0], argv[1], '--wait-stdin', ...argv.slice(2)];
}

export function emptyHostFacts(version: HostSideFacts['cgroup']['version']): HostSideFacts {
  return { ns: {}, uidMap: null, gidMap: null, createdFiles: [], hostClocks: null, cgroup: { version, paths: [], limits: {} } };
}

/** Everything observable while the container is alive; mutates `host` so a partial view survives an error. */
export function observeLive(host: HostSideFacts, pid: number, layout: CgroupLayout, root = '/'): void {
  for (const ns of NAMESPACES) host.ns[ns] = nsOwnership(pid, ns);
  host.uidMap = readOrNull(path.join(root, `proc/${pid}/uid_map`));
  host.gidMap = readOrNull(path.join(root, `proc/${pid}/gid_map`));
  host.nsPid = readNsPid(pid, root);
  host.cgroup.procCgroup = readOrNull(path.join(root, `proc/${pid}/cgroup`));
  const dirs = cgroupDirs(host.cgroup.procCgroup ?? '', layout);
  host.cgroup.paths = Object.values(dirs);
  host.cgroup.limits = readCgroupLimits(dirs, layout);
}

/** The same view of a container whose cgroup the target made itself: its limits are read from there. */
export function observePlaced(host: HostSideFacts, pid: number, placement: { paths: string[]; readLimits(): Record<string, string> }, root = '/'): void {
  for (const ns of NAMESPACES) host.ns[ns] = nsOwnership(pid, ns);
  host.uidMap = readOrNull(path.join(root, `proc/${pid}/uid_map`));
  host.gidMap = readOrNull(path.join(root, `proc/${pid}/gid_map`));
  host.nsPid = readNsPid(pid, root);
  host.cgroup.paths = placement.paths;
  host.cgroup.limits = placement.readLimits();
  host.cgroup.procCgroup = readOrNull(path.join(root, `proc/${pid}/cgroup`));
}

/** NSpid of the container process as the host sees it: its pid in the host's pid namespace and in each one below. */
function readNsPid(pid: number, root: string): number[] | null {
  const text = readOrNull(path.join(root, `proc/${pid}/status`));
  if (text === null) return null;
  try {
    return parseStatus(text).nsPids;
  } catch {
    return null;
  }
}

type Controller = 'pids' | 'memory' | 'cpu';

/** Host directories of the container's pids/memory/cpu cgroups (v1), or its one cgroup (v2, keyed "unified"). */
export function cgroupDirs(procCgroup: string, layout: CgroupLayout): Partial<Record<Controller | 'unified', string>> {
  const entries = parseProcCgroup(procCgroup);
  if (layout.version === 'v2') {
    const e = entries.find((x) => x.hierarchyId === 0);
    return e ? { unified: path.join(layout.mountpoint, e.path) } : {};
  }
  if (layout.version !== 'v1') return {};
  const out: Partial<Record<Controller, string>> = {};
  for (const c of ['pids', 'memory', 'cpu'] as const) {
    const e = entries.find((x) => x.controllers.includes(c));
    const mount = layout.controllers[c];
    if (e && mount) out[c] = path.join(mount, e.path);
  }
  return out;
}

export function readCgroupLimits(dirs: Partial<Record<Controller | 'unified', string>>, layout: CgroupLayout): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of ['pids', 'memory', 'cpu'] as const) {
    const dir = layout.version === 'v2' ? dirs.unified : dirs[c];
    const files = layout.version === 'v2' ? LIMIT_FILES.v2[c] : LIMIT_FILES.v1[c];
    if (!dir) continue;
    for (const f of files) {
      const text = readOrNull(path.join(dir, f));
      if (text !== null) out[f] = text.trim();
    }
  }
  return out;
}

/**
 * The held process's seccomp filters, read from the host before it is released (issue 14): a
 * failure is kept as its reason, never as "no filter".
 */
export function observeSeccomp(pid: number): NonNullable<HostSideFacts['seccomp']> {
  try {
    return readSeccompFilters(pid);
  } catch (e) {
    return { unreadable: (e as Error).message };
  }
}
