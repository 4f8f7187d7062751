/**
 * What a run must leave as it found it on the host (issue 4): hostname, clock, mounts, cgroups,
 * /tmp and IPC objects. A snapshot is plain data so that a test can deep-compare two of them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listDir, readLines, readOrNull } from '../../host/files.js';
import { listMqueueNames } from '../../host/leftovers.js';
import { parseMountinfo } from '../../model/parse/mountinfo.js';

export interface HostState {
  hostname: string;
  /** Wall clock minus time since boot: constant unless someone set the clock. */
  bootEpochSec: number;
  mountPoints: string[];
  cgroupDirs: string[];
  tmpEntries: string[];
  sysvIpc: string[];
  posixMq: string[];
}

/** Every directory under the cgroup mounts, bounded in depth (containers live 3–4 levels down). */
function cgroupDirs(root = '/sys/fs/cgroup', depth = 5): string[] {
  const out: string[] = [];
  const walk = (dir: string, left: number): void => {
    if (left === 0) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      out.push(p);
      walk(p, left - 1);
    }
  };
  walk(root, depth);
  return out.sort();
}

/** SysV objects by kind, key and id (the owner's view in /proc/sysvipc). */
function sysvIpc(): string[] {
  return ['shm', 'msg', 'sem']
    .flatMap((kind) =>
      readLines(`/proc/sysvipc/${kind}`)
        .slice(1)
        .map((l) => {
          const [key, id] = l.trim().split(/\s+/);
          return `${kind} key=${key} id=${id}`;
        }),
    )
    .sort();
}

export function hostState(): HostState {
  const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return {
    hostname: os.hostname(),
    bootEpochSec: Date.now() / 1000 - uptime,
    mountPoints: parseMountinfo(readOrNull('/proc/self/mountinfo') ?? '')
      .map((m) => m.mountPoint)
      .sort(),
    cgroupDirs: cgroupDirs(),
    tmpEntries: listDir(os.tmpdir()).sort(),
    sysvIpc: sysvIpc(),
    posixMq: listMqueueNames().sort(),
  };
}
