/** /proc/<pid>/cgroup: "hierarchy-ID:controller-list:cgroup-path" (cgroups(7)). */
import { lines, malformed, toInt } from './lines.js';

export interface ProcCgroupEntry {
  /** 0 is the cgroup v2 unified hierarchy. */
  hierarchyId: number;
  /** Empty for v2; v1 named hierarchies appear as "name=systemd". */
  controllers: string[];
  path: string;
}

export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  return lines(text).map(({ n, line }) => {
    // The path may itself contain ':', so split on the first two only.
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    const hierarchyId = toInt(line.slice(0, a));
    if (b < 0 || Number.isNaN(hierarchyId)) throw malformed('cgroup', n, line, 'expected "ID:controllers:path"');
    const list = line.slice(a + 1, b);
    return { hierarchyId, controllers: list === '' ? [] : list.split(','), path: line.slice(b + 1) };
  });
}

/**
 * The cpu quota in force, in cpus, from a cgroup's limit files as the host read them: v2
 * "cpu.max" ("quota period" or "max period"), or v1 cpu.cfs_quota_us / cpu.cfs_period_us (-1 is none).
 */
export function cpuQuota(limits: Record<string, string>): number | 'none' {
  if (limits['cpu.max']) {
    const [quota, period] = limits['cpu.max'].split(' ');
    return quota === 'max' ? 'none' : Number(quota) / Number(period);
  }
  const quota = Number(limits['cpu.cfs_quota_us'] ?? -1);
  return quota > 0 ? quota / Number(limits['cpu.cfs_period_us']) : 'none';
}

/** v1 memory.limit_in_bytes without a limit is PAGE_COUNTER_MAX in bytes (9223372036854771712 on 4 KiB pages): at or above 2^62. */
const V1_MEMORY_UNLIMITED = 2n ** 62n;

/** A limit as cgroupfs holds it: the file it is read from, its text, and its finite value (null: none, "max" or absent). */
export interface LimitInForce {
  file: string;
  text: string | null;
  value: number | null;
}

/**
 * The pids, memory and cpu limits in force on a cgroup, from its limit files as the host read
 * them (v1 or v2 names); any finite value is a limit, whoever set it.
 */
export function limitsInForce(limits: Record<string, string>): { pids: LimitInForce; memory: LimitInForce; cpu: LimitInForce } {
  const memFile = limits['memory.max'] !== undefined ? 'memory.max' : 'memory.limit_in_bytes';
  const mem = limits[memFile] ?? null;
  const memValue = mem !== null && /^\d+$/.test(mem) && BigInt(mem) < V1_MEMORY_UNLIMITED ? Number(mem) : null;
  const pids = limits['pids.max'] ?? null;
  const cpuFile = limits['cpu.max'] !== undefined ? 'cpu.max' : 'cpu.cfs_quota_us';
  const quota = cpuQuota(limits);
  return {
    pids: { file: 'pids.max', text: pids, value: pids !== null && /^\d+$/.test(pids) ? Number(pids) : null },
    memory: { file: memFile, text: mem, value: memValue },
    cpu: { file: cpuFile, text: limits[cpuFile] ?? null, value: quota === 'none' ? null : quota },
  };
}
