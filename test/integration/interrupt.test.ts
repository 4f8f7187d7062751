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
import { scanLeftovers } from '../../host/leftovers.js';
import { REPO_ROOT, RUN_ROOT } from '../../host/paths.js';
import { ISOLATED, VARIANTS } from './negative-controls.js';

const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');

/** The shims of the run `parent` (other engineers' runs on the machine have theirs). */
function shimsOf(parent: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
        return ppid === parent && isShim(pid);
      } catch {
        return false; // gone
      }
    });
}

function isShim(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('isoprobe-shim');
  } catch {
    return false;
  }
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

  const startRun = () =>
    spawn(process.execPath, [CLI, 'run', '--config', path.join(dir, 'targets.json'), '--out', path.join(dir, 'out')], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });

  it('Ctrl-C while containers start leaves no mount, cgroup, process, IPC object or directory', async () => {
    const already = scanLeftovers(); // other tools' (e.g. the Vagrant gate's netns) are not ours
    const child = startRun();
    let stderr = '';
    child.stderr!.on('data', (c) => {
      stderr += c;
    });
    const exited = once(child, 'exit');
    const caught = await waitFor(() => shimsOf(child.pid!).length > 0, 20_000);
    process.kill(-child.pid!, 'SIGINT'); // the whole process group, as a terminal does
    const [code, signal] = await exited;
    expect(caught, 'no container was ever seen starting').to.equal(true);
    expect({ code, signal }, stderr).to.deep.equal({ code: 130, signal: null });
    expect(stderr).to.include('SIGINT, cleaning up');
    expect(scanLeftovers()).to.deep.equal(already);
    expect(fs.existsSync(RUN_ROOT), `${RUN_ROOT} still exists`).to.equal(false);
  });

  it('after a SIGKILL mid-run, the next run removes what the killed one left', async () => {
    const already = scanLeftovers();
    const child = startRun();
    const exited = once(child, 'exit');
    let shims: number[] = [];
    const started = await waitFor(() => {
      shims = shimsOf(child.pid!);
      return shims.length > 0;
    }, 20_000);
    expect(started, 'no container was ever seen starting').to.equal(true);
    child.kill('SIGKILL'); // only the harness: its shims and containers die with it (PDEATHSIG)
    await exited;
    expect(await waitFor(() => !shims.some(isShim), 5_000), 'a shim outlived its harness').to.equal(true);
    const left = scanLeftovers();
    expect(left.ipc.length + left.cgroups.length, 'a SIGKILLed run should have left something to reap').to.be.greaterThan(0);
    const next = spawn(process.execPath, [CLI, 'run', '--out', path.join(dir, 'out2')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    next.stderr!.on('data', (c) => {
      stderr += c;
    });
    const [code] = await once(next, 'exit');
    expect(stderr).to.include('removed what an earlier, killed run left behind');
    expect(code, stderr).to.equal(0);
    expect(scanLeftovers()).to.deep.equal(already);
    expect(fs.existsSync(RUN_ROOT), `${RUN_ROOT} still exists`).to.equal(false);
  });
});
