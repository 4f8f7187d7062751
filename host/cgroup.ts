/**
 * The host's cgroup layout (v1, hybrid, v2) read from mountinfo, and the limit-hit counters of a
 * cgroup directory: what every target kind and the environment fingerprint read the same way.
 */
import path from 'node:path';
import { parseMountinfo, type MountInfo } from '../model/parse/mountinfo.js';
import { readTrimmed } from './files.js';

export type CgroupMode = 'v1' | 'hybrid' | 'v2' | 'none';
export type LimitController = 'pids' | 'memory' | 'cpu';

export type CgroupLayout =
  | { version: 'v1'; mode: 'v1' | 'hybrid'; controllers: Partial<Record<LimitController, string>> }
  | { version: 'v2'; mode: 'v2'; mountpoint: string }
  | { version: 'none'; mode: 'none' };

/** Every cgroup hierarchy (v1 and v2) mounted in the namespace whose mountinfo text this is. */
export function cgroupMounts(mountinfo: string): MountInfo[] {
  return parseMountinfo(mountinfo).filter((m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2');
}

/** Reads the cgroup layout from mountinfo text. */
export function detectCgroupLayout(mountinfo: string): CgroupLayout {
  const mounts = cgroupMounts(mountinfo);
  const v2 = mounts.find((m) => m.fsType === 'cgroup2');
  const v1 = mounts.filter((m) => m.fsType === 'cgroup');
  if (v1.length === 0) return v2 ? { version: 'v2', mode: 'v2', mountpoint: v2.mountPoint } : { version: 'none', mode: 'none' };
  const controllers: Partial<Record<LimitController, string>> = {};
  for (const c of ['pids', 'memory', 'cpu'] as const) {
    const m = v1.find((x) => x.superOptions.includes(c));
    if (m) controllers[c] = m.mountPoint;
  }
  return { version: 'v1', mode: v2 ? 'hybrid' : 'v1', controllers };
}

/** Counters that show a limit being hit, read after the container ended (v1 and v2 names). */
const EVENT_FILES = ['pids.events', 'memory.events', 'memory.oom_control', 'memory.failcnt', 'memory.max_usage_in_bytes', 'memory.peak', 'cpu.stat'];

/** {"memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 1", ...}: the files that exist. */
export function readCgroupEvents(dirs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dir of dirs) {
    for (const name of EVENT_FILES) {
      const text = readTrimmed(path.join(dir, name)); // null: not this controller's or cgroup version's
      if (text !== null) out[name] = text;
    }
  }
  return out;
}
