/**
 * Ctrl-C in the middle of a run: the terminal sends SIGINT to the whole process group while
 * containers are being set up. Afterwards nothing of isoprobe may be left on the host.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { scanLeftovers } from '../../core/leftovers.js';
import { REPO_ROOT, RUN_ROOT } from '../../core/paths.js';
import { ISOLATED, VARIANTS } from './negative-controls.js';

const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');

function shimRunning(): boolean {
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('isoprobe-shim')) return true;
    } catch { /* gone */ }
  }
  return false;
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return false;
}

describe('interrupting a run', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-int-'));
    const targets = [ISOLATED, ...VARIANTS.map((v) => v.target)];
    fs.writeFileSync(path.join(dir, 'targets.json'), JSON.stringify({ targets }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('Ctrl-C while containers start leaves no mount, cgroup, process, IPC object or directory', async () => {
    const child = spawn(process.execPath, [CLI, 'run', '--config', path.join(dir, 'targets.json'), '--out', path.join(dir, 'out')], {
      detached: true, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c) => { stderr += c; });
    const exited = once(child, 'exit');
    const caught = await waitFor(shimRunning, 20_000);
    process.kill(-child.pid!, 'SIGINT'); // the whole process group, as a terminal does
    const [code, signal] = await exited;
    expect(caught, 'no container was ever seen starting').to.equal(true);
    expect({ code, signal }, stderr).to.deep.equal({ code: 130, signal: null });
    expect(stderr).to.include('SIGINT, cleaning up');
    expect(scanLeftovers()).to.deep.equal({ mounts: [], cgroups: [], netns: [], processes: [], ipc: [] });
    expect(fs.existsSync(RUN_ROOT), `${RUN_ROOT} still exists`).to.equal(false);
  });
});
