/**
 * What isoprobe may have left on the host, recognised by name: the tests' "nothing left behind"
 * detector, and never what decides a removal (a user's tmpfs at a path containing "isoprobe" is
 * not ours: the reaper removes only what dead runs' journals list, host/reap.ts). It looks for:
 *  - mounts: mountinfo lines mentioning "isoprobe" (sources isoprobe-<nonce>, /run/isoprobe/…)
 *  - cgroups: directories named isoprobe* (depth ≤ 4 under the cgroup root) and everything below
 *  - netns: /run/netns entries containing "isoprobe"
 *  - processes: cmdline containing isoprobe-sentinel or isoprobe-shim, as "<pid> <cmdline>"
 *  - ipc: SysV objects whose key has the 0x150b high half (host/sentinels.ts), POSIX queues and
 *    the sentinels' marker files (/tmp, /dev/shm) named isoprobe-*: the sentinels' remains.
 * Every reader takes a root directory so tests can run it on a fixture tree.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseMountinfo } from '../model/parse/mountinfo.js';
import { listDir, readLines, readOrNull } from './files.js';
import { isIsoprobeIpcKey } from './sentinels.js';

export interface Leftovers {
  mounts: string[];
  cgroups: string[];
  netns: string[];
  processes: string[];
  ipc: string[];
}

const CGROUP_SEARCH_DEPTH = 4;
const PROCESS_MARKS = ['isoprobe-sentinel', 'isoprobe-shim'];
const SYSV_KINDS = ['shm', 'msg', 'sem'] as const;

export function scanLeftovers(root = '/'): Leftovers {
  const at = (p: string) => path.join(root, p);
  return {
    mounts: findMounts(at('proc/self/mountinfo')),
    cgroups: findCgroups(at('sys/fs/cgroup')),
    // The decoy network's namespace and its host-side veth end (host/decoys.ts).
    netns: [...listDir(at('run/netns')), ...listDir(at('sys/class/net'))].filter((n) => n.includes('isoprobe')),
    processes: findProcesses(at('proc')),
    ipc: [...findSysv(at('proc/sysvipc')), ...findMqueues(root), ...findMarkers(root), ...findDecoys(root)],
  };
}

/**
 * Whole mountinfo lines, as a person would grep for them: any field may name isoprobe (a source
 * isoprobe-<nonce>, a mount point or an overlay's lowerdir under /run/isoprobe).
 */
function findMounts(file: string): string[] {
  // A network namespace's own nsfs bind under /run/netns is listed once, under netns.
  return readLines(file).filter((l) => l.includes('isoprobe') && parseMountinfo(l)[0]!.fsType !== 'nsfs');
}

function subdirs(dir: string): string[] {
  try {
    // Dirent.isDirectory() is false for symlinks, so "cpu,cpuacct" aliases are not walked twice.
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join(dir, d.name));
  } catch {
    return [];
  }
}

/** Deepest first, so removing them in order works (a cgroup must be empty of children). */
function findCgroups(cgroupRoot: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number, ours: boolean) => {
    for (const sub of subdirs(dir)) {
      const mine = ours || path.basename(sub).startsWith('isoprobe');
      if (mine) found.push(sub);
      if (mine || depth < CGROUP_SEARCH_DEPTH) walk(sub, depth + 1, mine);
    }
  };
  walk(cgroupRoot, 1, false);
  return found.sort((a, b) => b.split('/').length - a.split('/').length || a.localeCompare(b));
}

function findProcesses(procDir: string): string[] {
  const out: string[] = [];
  for (const name of listDir(procDir)) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = fs
        .readFileSync(path.join(procDir, name, 'cmdline'), 'utf8')
        .replace(/\0/g, ' ')
        .trim();
    } catch {
      continue; // exited while we looked
    }
    if (PROCESS_MARKS.some((m) => cmdline.includes(m))) out.push(`${name} ${cmdline}`);
  }
  return out;
}

/** /proc/sysvipc/{shm,msg,sem}: a header line, then "key id ..." with the key in signed decimal. */
function findSysv(dir: string): string[] {
  return SYSV_KINDS.flatMap((kind) =>
    readLines(path.join(dir, kind))
      .slice(1)
      .flatMap((line) => {
        const [key, id] = line.trim().split(/\s+/).map(Number);
        return isIsoprobeIpcKey(key) ? [`${kind} key=0x${(key >>> 0).toString(16)} id=${id}`] : [];
      }),
  );
}

function findMarkers(root: string): string[] {
  return ['tmp', 'dev/shm'].flatMap((dir) =>
    listDir(path.join(root, dir))
      .filter((n) => n.startsWith('isoprobe-marker-'))
      .map((n) => `file /${dir}/${n}`),
  );
}

function findMqueues(root: string): string[] {
  return listMqueueNames(root)
    .filter((n) => n.startsWith('isoprobe-'))
    .map((n) => `mq /${n}`);
}

/**
 * POSIX queues are only listable through an mqueue mount. Where the host has none (this VM has
 * no /dev/mqueue), mount one in a throwaway private mount namespace: the mount shows the IPC
 * namespace we share with it, and nothing is mounted on the host.
 */
export function listMqueueNames(root = '/'): string[] {
  if (root !== '/') return listDir(path.join(root, 'dev/mqueue'));
  const mounted = mqueueMountpoint();
  if (mounted) return listDir(mounted);
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '/bin/sh', '-c', 'mount -t mqueue mqueue /tmp && ls -A /tmp'], {
    encoding: 'utf8',
    timeout: 5000,
  });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}

function mqueueMountpoint(): string | null {
  return parseMountinfo(readOrNull('/proc/self/mountinfo') ?? '').find((m) => m.fsType === 'mqueue')?.mountPoint ?? null;
}

/** The sandbox profile's decoys (host/decoys.ts): their directory in /var/tmp and socket in /run. */
function findDecoys(root: string): string[] {
  return [
    ...listDir(path.join(root, 'var/tmp'))
      .filter((n) => n.startsWith('isoprobe-decoy-'))
      .map((n) => path.join('/var/tmp', n)),
    ...listDir(path.join(root, 'run'))
      .filter((n) => n.startsWith('isoprobe-decoy-'))
      .map((n) => path.join('/run', n)),
  ];
}
