/**
 * The ids an LXC container's user namespace maps to (the target's `idmap`): root's subordinate
 * ranges in /etc/subuid and /etc/subgid. LXC as root writes the map through newuidmap/newgidmap,
 * which allow only such a range (measured with lxc 5.0.2); scripts/lxc-idmap.sh gives root one,
 * as LXC's documentation asks its users to. A missing range is an environment error naming it.
 */
import { readOrNull } from '../../host/files.js';
import { EnvError } from '../../model/errors.js';
import type { IdRange } from './conf.js';

export const IDMAP_SCRIPT = 'scripts/lxc-idmap.sh';

/** The first range subuid(5)/subgid(5) text gives root (by name or as uid 0), or null. */
export function rootRange(text: string): IdRange | null {
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if ((who === 'root' || who === '0') && /^\d+$/.test(start ?? '') && /^[1-9]\d*$/.test(count ?? '')) return { start: Number(start), count: Number(count) };
  }
  return null;
}

export function rootIdmap(files = { uid: '/etc/subuid', gid: '/etc/subgid' }): { uid: IdRange; gid: IdRange } {
  const range = (f: string) => {
    const r = rootRange(readOrNull(f) ?? '');
    if (!r) throw new EnvError(`lxc idmap: root has no range in ${f}, which newuidmap needs to map the container's ids (run 'bash ${IDMAP_SCRIPT}' as root)`);
    return r;
  };
  return { uid: range(files.uid), gid: range(files.gid) };
}
