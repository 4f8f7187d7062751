/**
 * Information, not a verdict: the mountinfo entries inside a container that name a path of the
 * host (a bind's source directory as its root, an overlay's lowerdir, a host cgroup path). Every
 * runtime shows some; which ones is a fact about the target worth seeing, and there is no
 * isolated setting to compare against, so it is never a check (a check needs a negative control).
 */
import { parseMountinfo, type MountInfo } from './parse/mountinfo.js';

/** Filesystems whose mount root is a kernel object or a device node, not a host directory. */
const NO_HOST_PATHS = new Set([
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'mqueue',
  'nsfs',
  'debugfs',
  'tracefs',
  'securityfs',
  'pstore',
  'bpf',
  'configfs',
  'fusectl',
  'hugetlbfs',
  'autofs',
  'binfmt_misc',
  'efivarfs',
  'rpc_pipefs',
]);
const MAX_SHOWN = 20;

/** "/etc/hostname: root /var/lib/docker/containers/…/hostname" for each host path a mount reveals. */
export function hostPathsInMounts(mounts: MountInfo[]): string[] {
  return mounts.flatMap((m) => {
    const found: string[] = [];
    const cgroup = m.fsType === 'cgroup' || m.fsType === 'cgroup2';
    // A cgroup root under "/.." lies outside our cgroup namespace: the kernel shows no names for it.
    // "/null": a masked path covered by the null device of the container's own /dev (Docker).
    if (m.root !== '/' && m.root !== '/null' && !NO_HOST_PATHS.has(m.fsType) && !(cgroup && m.root.startsWith('/..'))) {
      found.push(`${m.mountPoint}: ${cgroup ? 'host cgroup' : 'root'} ${m.root}`);
    }
    if (m.source.startsWith('/') && !m.source.startsWith('/dev/')) found.push(`${m.mountPoint}: source ${m.source}`);
    for (const o of m.superOptions) {
      const eq = o.indexOf('=');
      if (eq > 0 && o[eq + 1] === '/') found.push(`${m.mountPoint}: ${o.slice(0, eq)} ${o.slice(eq + 1)}`);
    }
    return found;
  });
}

/** The one-line information shown with a target's results. */
export function describeHostPaths(mountinfo: string): string {
  let found: string[];
  try {
    found = hostPathsInMounts(parseMountinfo(mountinfo));
  } catch (e) {
    return `not read: ${(e as Error).message}`;
  }
  if (found.length === 0) return 'none';
  const more = found.length > MAX_SHOWN ? `; (${found.length - MAX_SHOWN} more)` : '';
  return `${found.length}: ${found.slice(0, MAX_SHOWN).join('; ')}${more}`;
}
