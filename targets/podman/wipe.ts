/**
 * Removing a service's storage once its service is gone (the run's own stop, and the reaper of a
 * killed run's): the containers still in it removed with the podman CLI on that storage (their
 * conmon and init processes outlive a killed service), a rootless user's pause process and its
 * rootless-netns slirp4netns (both outlive the service) killed, the mounts under the directory
 * (rootful overlay mounts its home onto itself) detached, then the directory removed. Returns what
 * could not be removed, one line each.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { detachMount } from '../../host/leaked-mounts.js';
import { readMountinfo } from '../../host/proc.js';
import type { PodmanUser } from './user.js';
import { asUser, globalFlags, serviceEnv, type ServiceDirs } from './dirs.js';

const RM_ATTEMPTS = 3;

/** Every mount at or under `base`, deepest first (rootful overlay mounts its home onto itself). */
function detachUnder(base: string): void {
  const under = readMountinfo('/proc', 'self')
    .map((m) => m.mountPoint)
    .filter((p) => p === base || p.startsWith(`${base}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of under) detachMount(point);
}

/** How long the processes naming the directory (conmon, its exit command) get to end by themselves. */
const QUIESCE_MS = 10_000;

function quiesce(base: string): void {
  for (const deadline = Date.now() + QUIESCE_MS; namingProcesses(base).length > 0 && Date.now() < deadline; ) sleepSync(100);
  for (const pid of namingProcesses(base)) killQuietly(pid);
}

/** Live processes whose command line names `base`. */
function namingProcesses(base: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(base)) out.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** `podman rm` of every container of the storage: a killed container's teardown takes a second or two. */
const RM_MS = 30_000;

export function wipeService(d: ServiceDirs, user?: PodmanUser): string[] {
  const left: string[] = [];
  if (!fs.existsSync(d.base)) return left;
  // Said only when the storage stays: once it is gone, so is what the CLI could not remove from it.
  let rmError: string | null = null;
  if (fs.existsSync(d.root)) {
    const argv = asUser(['podman', ...globalFlags(d), 'rm', '--all', '--force', '--time', '0'], user);
    const r = spawnSync(argv[0], argv.slice(1), { cwd: '/', env: serviceEnv(d, user), stdio: ['ignore', 'ignore', 'pipe'], timeout: RM_MS, encoding: 'utf8' });
    if (r.error || r.status !== 0) rmError = `podman rm --all: ${r.error?.message ?? r.stderr.trim().split('\n').at(-1)}`;
  }
  if (user) for (const pid of strayPids(d, user)) killQuietly(pid);
  // conmon runs its exit command (`podman container cleanup`, on this storage) once a container
  // dies: it would make the directory again after its removal, so it is waited for, then killed.
  quiesce(d.base);
  // A service that was still exiting may mount its overlay home again: detach and remove, a few times.
  let failed: unknown = null;
  for (let attempt = 0; attempt < RM_ATTEMPTS; attempt++) {
    detachUnder(d.base);
    try {
      fs.rmSync(d.base, { recursive: true, force: true, maxRetries: 3 });
      failed = null;
      break;
    } catch (e) {
      failed = e;
      sleepSync(500);
    }
  }
  if (failed) left.push(...(rmError ? [rmError] : []), `${d.base}: ${(failed as Error).message}`);
  return left;
}

/** The rootless processes that outlive the service: each pid file's process, if the user owns it. */
function strayPids(d: ServiceDirs, user: PodmanUser): number[] {
  const files = [path.join(d.tmp, 'pause.pid'), ...listPidFiles(path.join(d.tmp, 'rootless-netns'))];
  const pids: number[] = [];
  for (const f of files) {
    const pid = Number(readOr(f, '').trim());
    if (!Number.isInteger(pid) || pid <= 1) continue;
    try {
      if (fs.statSync(`/proc/${pid}`).uid === user.uid) pids.push(pid);
    } catch {
      /* gone */
    }
  }
  return pids;
}

function listPidFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.pid'))
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

function readOr(f: string, dflt: string): string {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return dflt;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}
