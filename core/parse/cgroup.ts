/** /proc/<pid>/cgroup: "hierarchy-ID:controller-list:cgroup-path" (cgroups(7)). */
import { lines, malformed, readProcFile, toInt } from './lines.js';

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

export function readProcCgroup(procRoot: string, pid: number | 'self'): ProcCgroupEntry[] {
  return parseProcCgroup(readProcFile(procRoot, pid, 'cgroup'));
}
