/**
 * Removing what a killed run left behind. A run that ends normally, on an error or on Ctrl-C
 * cleans up after itself; a SIGKILLed one cannot, so `isoprobe clean` and the start of the next
 * run reap its remains. Processes go first, so nothing holds the mounts and cgroups.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { CleanItem } from '../model/clean-report.js';
import { parseMountinfo } from '../model/parse/mountinfo.js';
import { listDir, readLines } from './files.js';
import { detachMount } from './leaked-mounts.js';
import { removeIpcLeftovers, scanLeftovers, type Leftovers } from './leftovers.js';
import { RUN_ROOT } from './paths.js';
import { pidAlive } from './process.js';

export interface ReapReport {
  found: Leftovers;
  remaining: Leftovers;
  /** Run directories (rootfs templates, OCI bundles, scratch) of runs no longer alive. */
  runDirs: { found: string[]; remaining: string[] };
}

/** Run directories are named run-<pid>-<random>: the pids of runs that are still alive. */
export function liveRuns(): number[] {
  return listDir(RUN_ROOT).flatMap((n) => {
    const pid = Number(/^run-(\d+)-/.exec(n)?.[1]);
    return Number.isInteger(pid) && pid !== process.pid && pidAlive(pid) ? [pid] : [];
  });
}

export function reapLeftovers(): ReapReport {
  const found = scanLeftovers();
  for (const p of found.processes) killProcess(Number(p.split(' ')[0]));
  for (const line of found.mounts) for (const m of parseMountinfo(line)) detachMount(m.mountPoint);
  for (const dir of found.cgroups) removeCgroup(dir); // deepest first, as scanned
  removeIpcLeftovers(found);
  for (const name of found.netns.filter((n) => !ownerAlive(n))) {
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 10_000 });
  }
  const runDirs = removeStaleRunDirs();
  return { found, remaining: scanLeftovers(), runDirs };
}

/** `isoprobe clean`'s view of the host: one item per kind of leftover, and the run directories. */
export function cleanHost(): CleanItem[] {
  const { found, remaining, runDirs } = reapLeftovers();
  const kinds = Object.keys(found) as (keyof Leftovers)[];
  // A network namespace of a live owner (the Vagrant gate's, isoprobe-gate-<pid>) is not a leftover.
  const mine = (k: keyof Leftovers, l: string[]) => (k === 'netns' ? l.filter((n) => !ownerAlive(n)) : l);
  return [
    ...kinds.map((k) => ({ kind: k, found: mine(k, found[k]), remaining: mine(k, remaining[k]).map((r) => `${r}: still there`) })),
    { kind: 'run directories', ...runDirs },
  ];
}

/**
 * Every entry of RUN_ROOT but the run directories of live runs (run-<pid>-*): a run that starts
 * while we reap keeps its own. RUN_ROOT itself goes once empty.
 */
function removeStaleRunDirs(): { found: string[]; remaining: string[] } {
  const live = new Set(liveRuns());
  const stale = listDir(RUN_ROOT)
    .filter((n) => !live.has(Number(/^run-(\d+)-/.exec(n)?.[1])) && !n.startsWith(`run-${process.pid}-`))
    .map((n) => path.join(RUN_ROOT, n));
  const remaining: string[] = [];
  for (const dir of stale) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      remaining.push(`${dir}: ${(e as Error).message}`);
    }
  }
  try {
    fs.rmdirSync(RUN_ROOT);
  } catch {
    /* a live run's directory is in it, or it is gone */
  }
  return { found: stale, remaining };
}

export function isEmpty(l: Leftovers): boolean {
  return Object.values(l).every((v) => v.length === 0);
}

/** Names ending in -<pid> (isoprobe-gate-<pid>) whose process lives. */
function ownerAlive(name: string): boolean {
  const pid = Number(/-(\d+)$/.exec(name)?.[1]);
  return Number.isInteger(pid) && pid > 0 && pidAlive(pid);
}

function killProcess(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function removeCgroup(dir: string): void {
  const kill = path.join(dir, 'cgroup.kill');
  if (fs.existsSync(kill)) {
    try {
      fs.writeFileSync(kill, '1');
    } catch {
      /* nothing to kill */
    }
  } else {
    for (const pid of readLines(path.join(dir, 'cgroup.procs')).map(Number)) killProcess(pid);
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
