/**
 * The host's cgroup layout (v1, hybrid, v2) read from mountinfo, and the limit-hit counters of a
 * cgroup directory: what every target kind and the environment fingerprint read the same way.
 */
import fs from 'node:fs';
import path from 'node:path';

export type CgroupMode = 'v1' | 'hybrid' | 'v2' | 'none';
export type LimitController = 'pids' | 'memory' | 'cpu';

export type CgroupLayout =
  | { version: 'v1'; mode: 'v1' | 'hybrid'; controllers: Partial<Record<LimitController, string>> }
  | { version: 'v2'; mode: 'v2'; mountpoint: string }
  | { version: 'none'; mode: 'none' };

/** Reads the cgroup layout from mountinfo text (fields: see proc(5)). */
export function detectCgroupLayout(mountinfo: string): CgroupLayout {
  const mounts = mountinfo.split('\n').flatMap((line) => {
    const [pre, post] = line.split(' - ');
    if (!post) return [];
    const [fsType, , superOpts = ''] = post.split(' ');
    return [{ point: pre.split(' ')[4], fsType, superOpts: superOpts.split(',') }];
  });
  const v2 = mounts.find((m) => m.fsType === 'cgroup2');
  const v1 = mounts.filter((m) => m.fsType === 'cgroup');
  if (v1.length === 0) return v2 ? { version: 'v2', mode: 'v2', mountpoint: v2.point } : { version: 'none', mode: 'none' };
  const controllers: Partial<Record<LimitController, string>> = {};
  for (const c of ['pids', 'memory', 'cpu'] as const) {
    const m = v1.find((x) => x.superOpts.includes(c));
    if (m) controllers[c] = m.point;
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
      try {
        out[name] = fs.readFileSync(path.join(dir, name), 'utf8').trim();
      } catch { /* not this controller's, or not this cgroup version's */ }
    }
  }
  return out;
}
