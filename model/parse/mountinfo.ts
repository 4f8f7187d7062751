/**
 * /proc/<pid>/mountinfo (proc(5)):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
 * Field 7 is zero or more optional fields ended by "-". Paths escape space, tab, newline and
 * backslash as octal (\040, \011, \012, \134); they are decoded here.
 */
import { lines, malformed, toInt } from './lines.js';

export interface MountInfo {
  mountId: number;
  parentId: number;
  major: number;
  minor: number;
  /** The root of the mount within its filesystem (a bind mount's source directory). */
  root: string;
  mountPoint: string;
  /** Per-mount options: rw/ro, nosuid, nodev, noexec, relatime... */
  options: string[];
  /** Propagation: "shared:N", "master:N", "propagate_from:N", "unbindable". */
  optionalFields: string[];
  fsType: string;
  source: string;
  /** Per-superblock options. */
  superOptions: string[];
}

export function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountInfo[] {
  return lines(text).map(({ n, line }) => parseLine(n, line));
}

function parseLine(n: number, line: string): MountInfo {
  const f = line.trim().split(' ');
  const sep = f.indexOf('-', 6);
  const [major, minor] = (f[2] ?? '').split(':').map(toInt);
  const mountId = toInt(f[0]);
  const parentId = toInt(f[1]);
  if (sep < 0 || f.length < sep + 4 || [mountId, parentId, major, minor].some((v) => v === undefined || Number.isNaN(v))) {
    throw malformed('mountinfo', n, line, 'expected "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS"');
  }
  return {
    mountId,
    parentId,
    major: major!,
    minor: minor!,
    root: unescapeMountPath(f[3]!),
    mountPoint: unescapeMountPath(f[4]!),
    options: f[5]!.split(','),
    optionalFields: f.slice(6, sep),
    fsType: f[sep + 1]!,
    source: unescapeMountPath(f[sep + 2]!),
    superOptions: f
      .slice(sep + 3)
      .join(' ')
      .split(','),
  };
}
