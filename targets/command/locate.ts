/**
 * Where a user's wrapper put the probe, seen from the host. isoprobe knows nothing of the wrapper:
 * it may fork, re-exec, hand the command to a daemon or a monitor, so the probe need not be a
 * descendant of what isoprobe spawned. What it does know is the probe's command line: `{args}`
 * starts with `--nonce=<nonce>` (probes/README.md: accepted and ignored by the probe), a nonce of
 * this container alone. The wrapper's own argv carries it too (it is the command it was given), so
 * a process counts only when its executable is the probe file isoprobe placed (same device and
 * inode: /proc/<pid>/exe names the file whatever mount namespace the process is in). The probe
 * holds itself (--wait-stdin) until the host has observed it, so it is there to be found; each
 * call is one bounded scan of /proc (host/proc-tree.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { findProcesses, parentOf } from '../../host/proc-tree.js';

/** The argument that marks a container's probe (probes/main.c). */
export function nonceArg(nonce: string): string {
  return `--nonce=${nonce}`;
}

export interface FileId {
  dev: number;
  ino: number;
}

export function fileId(file: string): FileId {
  const st = fs.statSync(file);
  return { dev: st.dev, ino: st.ino };
}

function exeIs(pid: number, probe: FileId, procRoot: string): boolean {
  try {
    const st = fs.statSync(path.join(procRoot, String(pid), 'exe'));
    return st.dev === probe.dev && st.ino === probe.ino;
  } catch {
    return false; // gone, or exec'ing meanwhile
  }
}

/**
 * The host pid of the probe carrying `nonce`, or null while there is none. More than one (the
 * probe's own forks: the chroot-escape child, sibling-serve) → the lowest-level one, the one whose
 * parent is not itself such a process.
 */
export function findWorkload(nonce: string, probe: FileId, procRoot = '/proc'): number | null {
  const mark = nonceArg(nonce);
  const found = findProcesses((argv) => argv.includes(mark), procRoot).filter((p) => exeIs(p.pid, probe, procRoot));
  if (found.length <= 1) return found[0]?.pid ?? null;
  const pids = new Set(found.map((p) => p.pid));
  const top = found.find((p) => !pids.has(parentOf(p.pid, procRoot) ?? -1));
  return (top ?? found[0]).pid;
}
