/** A CLI run interrupted like a terminal's Ctrl-C, and what a run (by its pid) left in RUN_ROOT. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, RUN_ROOT } from '../../host/paths.js';

const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');

/** Run directories a run (by its pid) left in RUN_ROOT; other runs on the machine may have their own there. */
export function runDirsOf(pid: number): string[] {
  try {
    return fs.readdirSync(RUN_ROOT).filter((n) => n.startsWith(`run-${pid}-`));
  } catch {
    return [];
  }
}

export interface Interrupted {
  pid: number;
  /** Whether `started` said yes before the signal (within 30 s). */
  seen: boolean;
  code: number | null;
  stderr: string;
}

/**
 * `isoprobe run --runtime <runtime>` in its own process group, SIGINT to the whole group (as a
 * terminal does) once `started(pid)` sees its containers, and its exit.
 */
export async function interruptedRun(runtime: string, started: (pid: number) => boolean | Promise<boolean>): Promise<Interrupted> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `isoprobe-${runtime}-int-`));
  try {
    const child = spawn(process.execPath, [CLI, 'run', '--runtime', runtime, '--out', dir], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c) => {
      stderr += c;
    });
    const exited = once(child, 'exit');
    let seen = false;
    for (const end = Date.now() + 30_000; !seen && Date.now() < end; ) {
      seen = await started(child.pid!);
      if (!seen) await new Promise((r) => setTimeout(r, 5));
    }
    process.kill(-child.pid!, 'SIGINT');
    const [code] = await exited;
    return { pid: child.pid!, seen, code, stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
