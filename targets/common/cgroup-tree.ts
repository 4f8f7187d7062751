/**
 * A container's cgroup of a wrapper's own (nspawn, LXC) in each hierarchy it uses, with the
 * sub-cgroups the wrapper makes in it: what still runs there is killed (cgroup2's cgroup.kill,
 * else SIGKILL to each listed process, the sub-cgroups first), then each is removed deepest first,
 * `subgroups` listed parents before their children, every rmdir retried while the killed processes leave (bounded), and the shared parent only once
 * no other container's cgroup is in it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Resource } from '../../model/journal.js';

const RMDIR_TRIES = 200;
const RMDIR_PAUSE_MS = 10;

/** The journal entries: the shared parents, each container cgroup and the sub-cgroups in it (deepest last: the reaper removes deepest first). */
export function cgroupTreeResources(dirs: readonly string[], subgroups: readonly string[]): Resource[] {
  return [
    ...[...new Set(dirs.map((d) => path.dirname(d)))].map((p) => ({ kind: 'cgroup' as const, path: p, shared: true as const })),
    ...dirs.flatMap((d) => [d, ...subgroups.map((s) => path.join(d, s))].map((p) => ({ kind: 'cgroup' as const, path: p }))),
  ];
}

export function killCgroupTrees(dirs: readonly string[], subgroups: readonly string[]): void {
  for (const d of dirs) {
    const kill = path.join(d, 'cgroup.kill');
    if (fs.existsSync(kill)) {
      try {
        fs.writeFileSync(kill, '1');
      } catch {
        /* gone */
      }
      continue;
    }
    for (const sub of [...subgroups.map((s) => path.join(d, s)), d]) {
      for (const pid of readProcs(sub)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  }
}

export async function removeCgroupTrees(dirs: readonly string[], subgroups: readonly string[]): Promise<void> {
  for (const d of dirs) {
    // Listed parents first (as journalled), so removed from the end.
    for (const p of [...subgroups.map((s) => path.join(d, s))].reverse()) await rmdirBounded(p);
    await rmdirBounded(d);
    try {
      fs.rmdirSync(path.dirname(d));
    } catch {
      /* another container's cgroup is still in it */
    }
  }
}

async function rmdirBounded(dir: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (i >= RMDIR_TRIES) throw new Error(`cannot remove cgroup ${dir}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, RMDIR_PAUSE_MS));
    }
  }
}

function readProcs(dir: string): number[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
