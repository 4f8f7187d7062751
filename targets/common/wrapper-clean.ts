/**
 * The reaping of wrapper processes a killed run left (bwrap, firejail, systemd-nspawn, a user's
 * command line): each was started in a process group of its own and journalled with its pid, start
 * time and the run directory its command line names. The recorded group is SIGKILLed if its
 * leader is still the recorded process; then any process whose argv names that dead run's
 * directory (a path no other run has: host/journal.ts), or carries its nonce, is SIGKILLed too: a
 * sandbox whose wrapper died while setting it up may have no death signal yet. Bounded wait for
 * the process table to show them gone.
 */
import path from 'node:path';
import { findProcesses } from '../../host/proc-tree.js';
import { procStartTime } from '../../host/proc.js';

export interface WrapperEntry {
  pid: number;
  start: string;
  /** Strings whose presence in a process's argv (as an argument, or as a path prefix of one) marks it the dead run's. */
  needles: readonly string[];
}

/**
 * "<pid> <cmdline>" of each process (other than this one) whose argv names one of `needles` (the
 * whole argument, or a path under it), and, when `binaries` is given, whose argv[0]'s base name is
 * one of them.
 */
export function processesNaming(needles: readonly string[], binaries?: readonly string[], procRoot = '/proc'): string[] {
  if (needles.length === 0) return [];
  const names = (a: string) => needles.some((d) => a === d || a.startsWith(`${d}/`));
  const isTool = (argv: string[]) => binaries === undefined || binaries.includes(path.basename(argv[0] ?? ''));
  return findProcesses((argv) => isTool(argv) && argv.some(names), procRoot).map((p) => `${p.pid} ${p.argv.join(' ').trim()}`);
}

/** Kills what the entries name; returns what was found and what is still there. */
export async function reapWrappers(
  entries: readonly WrapperEntry[],
  tool: string,
  binaries?: readonly string[],
): Promise<{ found: string[]; remaining: string[] }> {
  const found: string[] = [];
  for (const e of entries) {
    if (procStartTime(e.pid) !== e.start) continue; // gone, or the pid is another process's now
    found.push(`${e.pid} ${tool}`);
    try {
      process.kill(-e.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const needles = [...new Set(entries.flatMap((e) => e.needles))];
  const stuck = processesNaming(needles, binaries);
  for (const entry of stuck) {
    try {
      process.kill(Number(entry.split(' ')[0]), 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  found.push(...stuck.filter((s) => !found.includes(`${s.split(' ')[0]} ${tool}`)));
  // SIGKILL is delivered at once, but the process table may show it a moment longer: bounded wait.
  for (let i = 0; i < 50 && processesNaming(needles, binaries).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return { found, remaining: processesNaming(needles, binaries).map((f) => `${f}: still there`) };
}
