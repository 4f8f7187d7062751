/**
 * The built-in runtime's id mapping: container root is an unprivileged host uid range, so that
 * nothing the container does as "root" is root on the host.
 */
import fs from 'node:fs';

export interface IdMapping {
  hostBase: number;
  count: number;
}

export const DEFAULT_ID_MAPPING: IdMapping = { hostBase: 100_000, count: 65_536 };

export function mapLine(m: IdMapping): string {
  return `0 ${m.hostBase} ${m.count}\n`;
}

/** Written by the parent while the child waits: a process cannot map ids it does not own. */
export function writeIdMaps(pid: number, m: IdMapping, procRoot = '/proc'): void {
  fs.writeFileSync(`${procRoot}/${pid}/uid_map`, mapLine(m));
  fs.writeFileSync(`${procRoot}/${pid}/gid_map`, mapLine(m));
}
