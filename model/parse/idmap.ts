/** /proc/<pid>/uid_map and gid_map: "inside outside count" per line (user_namespaces(7)). */
import { lines, malformed, toInt } from './lines.js';

export interface IdMapEntry {
  inside: number;
  outside: number;
  count: number;
}

export function parseIdMap(text: string, file = 'id_map'): IdMapEntry[] {
  return lines(text).map(({ n, line }) => {
    const [inside, outside, count, extra] = line.trim().split(/\s+/).map(toInt);
    if (extra !== undefined || [inside, outside, count].some((v) => v === undefined || Number.isNaN(v))) {
      throw malformed(file, n, line, 'expected three numbers');
    }
    return { inside: inside!, outside: outside!, count: count! };
  });
}

/** The id outside (in the parent user namespace) that `id` inside maps to, or null if unmapped. */
export function mapsToHost(map: readonly IdMapEntry[], id: number): number | null {
  const e = map.find((m) => id >= m.inside && id - m.inside < m.count);
  return e ? e.outside + (id - e.inside) : null;
}

/** True for the identity map of the initial user namespace ("0 0 4294967295"). */
export function isIdentityMap(map: readonly IdMapEntry[]): boolean {
  return map.length === 1 && map[0]!.inside === 0 && map[0]!.outside === 0 && map[0]!.count === 4294967295;
}
