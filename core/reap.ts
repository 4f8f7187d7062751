/**
 * Removing what a killed run left behind. A run that ends normally, on an error or on Ctrl-C
 * cleans up after itself; a SIGKILLed one cannot, so `isoprobe clean` and the start of the next
 * run reap its remains. Processes go first, so nothing holds the mounts and cgroups.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { removeIpcLeftovers, scanLeftovers, type Leftovers } from './leftovers.js';
import { RUN_ROOT } from './paths.js';

export interface ReapReport {
  found: Leftovers;
  remaining: Leftovers;
}

/** Run directories are named run-<pid>-<random>: the pids of runs that are still alive. */
export function liveRuns(): number[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(RUN_ROOT);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const pid = Number(/^run-(\d+)-/.exec(n)?.[1]);
    return Number.isInteger(pid) && pid !== process.pid && isAlive(pid) ? [pid] : [];
  });
}

export function reapLeftovers(): ReapReport {
  const found = scanLeftovers();
  for (const p of found.processes) killProcess(Number(p.split(' ')[0]));
  for (const m of found.mounts) detach(m.split(' ')[4]);
  for (const dir of found.cgroups) removeCgroup(dir); // deepest first, as scanned
  removeIpcLeftovers(found);
  fs.rmSync(RUN_ROOT, { recursive: true, force: true });
  return { found, remaining: scanLeftovers() };
}

export function isEmpty(l: Leftovers): boolean {
  return Object.values(l).every((v) => v.length === 0);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killProcess(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return;
  try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
}

function detach(mountPoint: string | undefined): void {
  if (mountPoint) spawnSync('umount', ['-l', mountPoint.replace(/\\040/g, ' ')], { stdio: 'ignore' });
}

function removeCgroup(dir: string): void {
  const kill = path.join(dir, 'cgroup.kill');
  if (fs.existsSync(kill)) {
    try { fs.writeFileSync(kill, '1'); } catch { /* nothing to kill */ }
  } else {
    for (const pid of readPids(path.join(dir, 'cgroup.procs'))) killProcess(pid);
  }
  // A v1 memory cgroup may stay busy for a moment after its last task died.
  for (let i = 0; i < 100; i++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTEMPTY') return;
      spawnSync('sleep', ['0.01']);
    }
  }
}

function readPids(file: string): number[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
