/**
 * bwrap's share of `isoprobe clean`. bwrap makes no cgroup, and every mount it makes lives in the
 * sandbox's own mount namespace, so it goes with the sandbox. isoprobe starts bwrap with
 * `--die-with-parent`, so the kernel SIGKILLs bwrap and its sandbox when their parent dies: a
 * SIGKILLed run takes its sandboxes with it, and its rootfs and scratch directories are in its run
 * directory, which the host's sweep removes (host/reap.ts). Except in one window: a sandbox
 * whose bwrap parent side died while the sandbox was still being set up has no death signal
 * yet and waits on an eventfd for that parent side for ever (measured with bubblewrap 0.8.0, in
 * about one of five SIGKILLed runs). Such a process is found here by a dead run's directory in
 * its command line, and killed. A Ctrl-C never leaves one: the run's cleanup kills bwrap's whole
 * process group. A probe's own children, where the pid namespace was shared on purpose, end within
 * their bound (the fork bomb's hold) by themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CleanItem } from '../../model/clean-report.js';
import { listDir } from '../../host/files.js';
import { RUN_ROOT } from '../../host/paths.js';
import { pidAlive } from '../../host/process.js';

export const CLEAN_KIND = 'bwrap sandboxes';

/** A bwrap process's pid and command line when it runs from a run directory of a run that is gone. */
export function staleSandboxes(procRoot = '/proc', runRoot = RUN_ROOT, alive: (pid: number) => boolean = pidAlive): string[] {
  const prefix = `${path.join(runRoot, 'run-')}`;
  const out: string[] = [];
  for (const name of listDir(procRoot)) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(path.join(procRoot, name, 'cmdline'), 'utf8').split('\0');
    } catch {
      continue; // exited while we looked
    }
    if (path.basename(argv[0] ?? '') !== 'bwrap') continue;
    const owner = argv.map((a) => (a.startsWith(prefix) ? Number(/^(\d+)-/.exec(a.slice(prefix.length))?.[1]) : NaN)).find((n) => Number.isInteger(n));
    if (owner !== undefined && !alive(owner)) out.push(`${name} ${argv.join(' ').trim()}`);
  }
  return out;
}

export async function cleanBwrap(): Promise<CleanItem[]> {
  const found = staleSandboxes();
  for (const entry of found) {
    try {
      process.kill(Number(entry.split(' ')[0]), 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  // SIGKILL is delivered at once, but the process table may show it a moment longer: bounded wait.
  for (let i = 0; i < 50 && staleSandboxes().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  const left = new Set(staleSandboxes());
  return [{ kind: CLEAN_KIND, found, remaining: found.filter((f) => left.has(f)).map((f) => `${f}: still there`) }];
}
