/**
 * Finding a process by what it runs, from the host: the probe under a wrapper (bwrap's init,
 * firejail, systemd-nspawn, lxc-execute, a user's command line) is some descendant of the process
 * isoprobe spawned, recognised by its argv (the probe's path, or the run's nonce in its options).
 * One scan of /proc per call, bounded; the proc root is an argument for fixture trees.
 */
import path from 'node:path';
import { listDir, readOrNull } from './files.js';

/** Processes read per scan, at most. */
const MAX_SCANNED = 65_536;
/** Generations below the root that are looked at: wrappers put a few processes between them and their command. */
const MAX_DEPTH = 8;

/** The argv of a process (NUL-separated cmdline), null when it is gone or has none (a kernel thread, a zombie). */
export function argvOf(pid: number, procRoot = '/proc'): string[] | null {
  const cmdline = readOrNull(path.join(procRoot, String(pid), 'cmdline'));
  if (cmdline === null || cmdline === '') return null;
  return cmdline.replace(/\0$/, '').split('\0');
}

/** The PPid of /proc/<pid>/stat: the field after the command name, which may itself hold spaces and parentheses. */
export function parentOf(pid: number, procRoot = '/proc'): number | null {
  const stat = readOrNull(path.join(procRoot, String(pid), 'stat'));
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

/**
 * The first process at or under `root` (at most MAX_DEPTH generations down) whose argv `matches`;
 * null while there is none. The parent links are read once per scan.
 */
export function findDescendant(root: number, matches: (argv: string[]) => boolean, procRoot = '/proc'): number | null {
  const seen = (pid: number) => {
    const argv = argvOf(pid, procRoot);
    return argv !== null && matches(argv);
  };
  if (seen(root)) return root;
  const parents = new Map<number, number>();
  let scanned = 0;
  for (const name of listDir(procRoot)) {
    if (!/^\d+$/.test(name) || ++scanned > MAX_SCANNED) continue;
    const ppid = parentOf(Number(name), procRoot);
    if (ppid !== null) parents.set(Number(name), ppid);
  }
  const depthUnder = (pid: number): number | null => {
    let p = pid;
    for (let d = 1; d <= MAX_DEPTH; d++) {
      const up = parents.get(p);
      if (up === undefined || up === 0) return null;
      if (up === root) return d;
      p = up;
    }
    return null;
  };
  const under = [...parents.keys()]
    .map((pid) => ({ pid, depth: depthUnder(pid) }))
    .filter((x): x is { pid: number; depth: number } => x.depth !== null)
    .sort((a, b) => a.depth - b.depth || a.pid - b.pid);
  return under.find((x) => seen(x.pid))?.pid ?? null;
}

/**
 * Every process on the host (bounded scan) whose argv `matches`, with its argv: how a wrapper's
 * workload is found when the wrapper does not keep it as a descendant (a daemon that starts it,
 * firejail's or LXC's monitor), by a nonce no other process carries.
 */
export function findProcesses(matches: (argv: string[]) => boolean, procRoot = '/proc'): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  let scanned = 0;
  for (const name of listDir(procRoot)) {
    if (!/^\d+$/.test(name) || ++scanned > MAX_SCANNED) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const argv = argvOf(pid, procRoot);
    if (argv !== null && matches(argv)) out.push({ pid, argv });
  }
  return out;
}
