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
