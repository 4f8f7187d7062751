/**
 * nspawn's own state for one container, as systemd 252 keeps it (measured): a lock on the root
 * directory, twice (`/run/systemd/nspawn/locks/inode-<st_dev>:<st_ino>` and `.#<name>.lck` beside
 * the directory), and `/run/systemd/nspawn/propagate/<machine>`. nspawn removes them when it exits;
 * a SIGKILLed nspawn leaves them. A lock file is removed only when no process holds a lock on it
 * (/proc/locks), so a live nspawn's lock is never taken away.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readOrNull } from '../../host/files.js';

export const NSPAWN_STATE = '/run/systemd/nspawn';

/** The lock files nspawn takes for a root directory, while that directory exists. */
export function lockFiles(root: string, stateDir = NSPAWN_STATE): string[] {
  const local = path.join(path.dirname(root), `.#${path.basename(root)}.lck`);
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    return [local];
  }
  return [path.join(stateDir, 'locks', `inode-${st.dev}:${st.ino}`), local];
}

export function propagateDir(machine: string, stateDir = NSPAWN_STATE): string {
  return path.join(stateDir, 'propagate', machine);
}

/** "maj:min:inode" keys of the files some process holds a lock on (/proc/locks: "1: FLOCK ADVISORY WRITE 123 fe:00:456 0 EOF"). */
export function heldLockKeys(procLocks: string): Set<string> {
  const keys = new Set<string>();
  for (const line of procLocks.split('\n')) {
    const f = line.trim().split(/\s+/);
    const key = f.find((x) => /^[0-9a-f]+:[0-9a-f]+:\d+$/.test(x));
    if (key) {
      const [maj, min, ino] = key.split(':');
      keys.add(`${parseInt(maj!, 16)}:${parseInt(min!, 16)}:${ino}`);
    }
  }
  return keys;
}

/** The key of a file as /proc/locks names it. */
function keyOf(st: fs.Stats): string {
  // Linux's dev_t: major in bits 8-19 (and 32-43), minor in bits 0-7 and 20-31 (makedev(3)).
  const dev = BigInt(st.dev);
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return `${major}:${minor}:${st.ino}`;
}

/**
 * Removes what a killed nspawn of this machine left: its lock files when unheld, its propagate
 * directory. Returns what was found ("<path>") and what could not go ("<path>: <why>").
 */
export function removeStaleState(root: string, machine: string, stateDir = NSPAWN_STATE): { found: string[]; remaining: string[] } {
  const found: string[] = [];
  const remaining: string[] = [];
  const held = heldLockKeys(readOrNull('/proc/locks') ?? '');
  for (const file of lockFiles(root, stateDir)) {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      continue;
    }
    found.push(file);
    if (held.has(keyOf(st))) remaining.push(`${file}: still locked`);
    else fs.rmSync(file, { force: true });
  }
  const prop = propagateDir(machine, stateDir);
  if (fs.existsSync(prop)) {
    found.push(prop);
    fs.rmSync(prop, { recursive: true, force: true });
  }
  return { found, remaining };
}
