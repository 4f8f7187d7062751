/**
 * `isoprobe clean`: removes what a killed run left behind (a run that ends normally or on
 * Ctrl-C cleans up itself). Processes first, so nothing holds the mounts and cgroups.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { scanLeftovers, removeIpcLeftovers } from '../core/leftovers.js';
import { RUN_ROOT } from '../core/paths.js';
import { EXIT } from '../core/results.js';

export async function cleanCommand(): Promise<number> {
  const before = scanLeftovers();
  for (const p of before.processes) killProcess(p);
  for (const m of before.mounts) detach(m);
  for (const dir of [...before.cgroups].sort((a, b) => b.length - a.length)) removeCgroup(dir);
  removeIpcLeftovers(before);
  fs.rmSync(RUN_ROOT, { recursive: true, force: true });
  const after = scanLeftovers();
  const removed = Object.entries(before).map(([k, v]) => `${v.length} ${k}`).join(', ');
  process.stdout.write(`isoprobe clean: found ${removed}\n`);
  const left = Object.values(after).flat();
  if (left.length > 0) {
    process.stderr.write(`isoprobe clean: could not remove: ${left.join('; ')}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

/** Entries look like "<pid> <cmdline>". */
function killProcess(entry: string): void {
  const pid = Number(entry.split(' ')[0]);
  if (Number.isInteger(pid) && pid > 1 && pid !== process.pid) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

/** Entries are mountinfo lines; field 5 is the mount point. */
function detach(line: string): void {
  const point = line.split(' ')[4];
  if (point) spawnSync('umount', ['-l', point.replace(/\\040/g, ' ')], { stdio: 'ignore' });
}

function removeCgroup(dir: string): void {
  const kill = path.join(dir, 'cgroup.kill');
  if (fs.existsSync(kill)) {
    try { fs.writeFileSync(kill, '1'); } catch { /* not killable */ }
  } else {
    for (const pid of readPids(path.join(dir, 'cgroup.procs'))) killProcess(String(pid));
  }
  for (let i = 0; i < 50; i++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTEMPTY') return;
      spawnSync('sleep', ['0.02']);
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
