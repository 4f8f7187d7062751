/**
 * Which cgroup hierarchies the built-in runtime shows inside at /sys/fs/cgroup: the host's own,
 * as mounted under its /sys/fs/cgroup (mountinfo text in, shim arguments out; pure).
 */
import { parseMountinfo } from '../../model/parse/mountinfo.js';

export interface CgroupfsMount {
  type: 'cgroup' | 'cgroup2';
  /** Directory under /sys/fs/cgroup ("" for /sys/fs/cgroup itself, a pure v2 host). */
  dir: string;
  /** v1: the controllers or name= that select the existing hierarchy; empty for v2. */
  options: string;
}

const CGROUP_ROOT = '/sys/fs/cgroup';
/** v1 super options that are settings of the hierarchy, not what selects it. */
const NOT_SELECTORS = /^(rw|ro|xattr|noprefix|clone_children|cpuset_v2_mode|favordynmods|release_agent=.*)$/;

export function cgroupfsMounts(mountinfo: string): CgroupfsMount[] {
  const out: CgroupfsMount[] = [];
  for (const m of parseMountinfo(mountinfo)) {
    if (m.fsType !== 'cgroup' && m.fsType !== 'cgroup2') continue;
    const dir = m.mountPoint === CGROUP_ROOT ? '' : m.mountPoint.startsWith(`${CGROUP_ROOT}/`) ? m.mountPoint.slice(CGROUP_ROOT.length + 1) : null;
    // One level deep, as systemd and cgroupfs-mount lay them out; the shim refuses anything else.
    if (dir === null || dir.includes('/') || dir.includes(':') || out.some((o) => o.dir === dir)) continue;
    const options = m.fsType === 'cgroup' ? m.superOptions.filter((o) => !NOT_SELECTORS.test(o)).join(',') : '';
    if (options.includes(':')) continue;
    out.push({ type: m.fsType, dir, options });
  }
  return out;
}

/** "--cgroup-mount cgroup:cpu:cpu ..." for isoprobe-shim. */
export function cgroupfsArgs(mounts: CgroupfsMount[]): string[] {
  return mounts.flatMap((m) => ['--cgroup-mount', `${m.type}:${m.dir}:${m.options}`]);
}

/** "tmpfs + 9 cgroup v1 hierarchies + cgroup2 at unified, read-only" (target info). */
export function describeCgroupfs(mounts: CgroupfsMount[]): string {
  if (mounts.length === 0) return 'none (the host mounts no cgroupfs under /sys/fs/cgroup)';
  const v1 = mounts.filter((m) => m.type === 'cgroup');
  const v2 = mounts.find((m) => m.type === 'cgroup2');
  const parts = [
    ...(v1.length ? [`${v1.length} cgroup v1 hierarch${v1.length === 1 ? 'y' : 'ies'} (${v1.map((m) => m.options).join(' ')})`] : []),
    ...(v2 ? [`cgroup2 at /sys/fs/cgroup${v2.dir ? `/${v2.dir}` : ''}`] : []),
  ];
  return parts.join(' + ');
}
