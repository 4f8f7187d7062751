/**
 * A Docker daemon that stops answering (SIGSTOP) or dies (SIGKILL) in the middle of a
 * builtin,docker,runc run (README, "Bounds"): the run still ends within the documented bound, the
 * built-in and runc targets are judged and every report is written, marked partial; the docker
 * target is an error naming the daemon and the call. Ctrl-C with the daemon stopped gets out
 * within its bound too. After the SIGKILL and a restart, `isoprobe clean` against that daemon
 * leaves no container and no cgroup of its containers.
 *
 * The daemon is a private one (test/support/private-dockerd.ts): the machine's dockerd is never
 * stopped or killed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../host/paths.js';
import { SIGNAL_CLEANUP_MS } from '../../host/cleanup.js';
import { readResults } from '../../reports/results-json.js';
import { OWNER_LABEL } from '../../targets/common/engine-api/labels.js';
import { ensureProbeImage, LABEL } from '../../targets/common/engine-api/image.js';
import { projectProbeFiles } from '../../targets/common/probe-files.js';
import { startPrivateDockerd, type PrivateDockerd } from '../support/private-dockerd.js';

const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');
/** README "Bounds": a docker target ends within 45 s of its daemon going silent; the run's other targets finish meanwhile. */
const RUN_BOUND_MS = 45_000;
const MARGIN_MS = 10_000;

describe('a Docker daemon stopped or killed mid-run', function () {
  this.timeout(240_000);
  let dockerd: PrivateDockerd;
  let dir: string;
  before(async () => {
    dockerd = await startPrivateDockerd('ipfault-dockerd');
    // The probe image, built by the project into this daemon, so that the run gets to its containers at once.
    await ensureProbeImage(dockerd.client(), projectProbeFiles(), { target: 'setup', socket: dockerd.socket });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-faults-'));
    const targets = [
      { name: 'builtin', runtime: 'builtin' },
      { name: 'docker', runtime: 'docker', socket: dockerd.socket },
      { name: 'runc', runtime: 'oci', binary: 'runc' },
    ];
    fs.writeFileSync(path.join(dir, 'targets.json'), JSON.stringify({ targets }));
  });
  after(async () => {
    if (dockerd) await dockerd.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const startRun = (out: string) => {
    const child = spawn(process.execPath, [CLI, 'run', '--config', path.join(dir, 'targets.json'), '--profile', 'strict', '--out', path.join(dir, out)], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    return { child, exited: once(child, 'exit') as Promise<[number | null, string | null]>, output: () => output };
  };

  /** The run's containers in the private daemon, once one exists (the fault comes while the docker target is at work). */
  async function ourContainers(run: number): Promise<string[]> {
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      const list = await dockerd.client().listContainers({ all: true, filters: JSON.stringify({ label: [`${OWNER_LABEL}=${run}`] }) });
      const probes = list.filter((c) => !c.Names.some((n) => n.endsWith('-defaults')));
      if (probes.length > 0) return list.map((c) => c.Id);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the run never created a container in the private daemon');
  }

  function expectPartial(out: string, daemonWords: RegExp): void {
    const results = readResults(path.join(dir, out, 'results.json'));
    const by = Object.fromEntries(results.targets.map((t) => [t.name, t]));
    expect(results.partial).to.equal(true);
    expect(results.partialReason).to.match(/^docker could not run: /);
    for (const name of ['builtin', 'runc']) {
      expect(by[name]!.error, `${name} should have run`).to.equal(undefined);
      expect(by[name]!.checks.filter((c) => c.status === 'pass').length, `${name} judged`).to.be.greaterThan(20);
    }
    expect(by.docker!.error).to.match(daemonWords);
    expect(by.docker!.error).to.include(dockerd.socket);
    for (const f of ['junit.xml', 'matrix.html', 'matrix.md']) expect(fs.existsSync(path.join(dir, out, f)), f).to.equal(true);
    expect(fs.readFileSync(path.join(dir, out, 'matrix.md'), 'utf8')).to.include('**Partial results:**');
  }

  async function clean(): Promise<string> {
    const c = spawn(process.execPath, [CLI, 'clean'], { env: { ...process.env, DOCKER_HOST: `unix://${dockerd.socket}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout!.on('data', (x) => (out += x));
    c.stderr!.on('data', (x) => (out += x));
    await once(c, 'exit');
    return out;
  }

  it('SIGSTOP: the run ends within the bound, builtin and runc written, docker an error naming the daemon', async () => {
    const run = startRun('stopped');
    await ourContainers(run.child.pid!);
    process.kill(dockerd.pid(), 'SIGSTOP');
    const t0 = Date.now();
    try {
      const [code] = await run.exited;
      const took = Date.now() - t0;
      expect(took, run.output()).to.be.lessThan(RUN_BOUND_MS + MARGIN_MS);
      expect(code, run.output()).to.equal(1);
      expect(run.output()).to.include('PARTIAL RESULTS');
      expect(run.output()).not.to.include('internal error');
      expectPartial(
        'stopped',
        /^docker: the Docker daemon at .* did not (answer '[a-z ]+' within \d+ s|remove container .* within \d+ s) \(is dockerd stopped\?\)/,
      );
    } finally {
      process.kill(dockerd.pid(), 'SIGCONT');
    }
    await clean();
  });

  it('Ctrl-C with the daemon stopped exits 130 within the bound, naming what it could not remove', async () => {
    const run = startRun('interrupted');
    await ourContainers(run.child.pid!);
    process.kill(dockerd.pid(), 'SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const t0 = Date.now();
      process.kill(-run.child.pid!, 'SIGINT');
      const [code] = await run.exited;
      expect(Date.now() - t0, run.output()).to.be.lessThan(SIGNAL_CLEANUP_MS + 5_000);
      expect(code, run.output()).to.equal(130);
      expect(run.output()).to.match(
        /cleanup failed: docker container isoprobe-\S+: docker: the Docker daemon at \S+ did not answer 'container remove' within \d+ s/,
      );
    } finally {
      process.kill(dockerd.pid(), 'SIGCONT');
    }
    await clean();
  });

  it('SIGKILL: the same, and clean after a restart leaves no container and no cgroup', async () => {
    const run = startRun('killed');
    const ids = await ourContainers(run.child.pid!);
    process.kill(dockerd.pid(), 'SIGKILL');
    const t0 = Date.now();
    const [code] = await run.exited;
    expect(Date.now() - t0, run.output()).to.be.lessThan(RUN_BOUND_MS + MARGIN_MS);
    expect(code, run.output()).to.equal(1);
    expect(run.output()).not.to.include('internal error');
    expectPartial(
      'killed',
      /^docker: the Docker daemon at .* ((refused|dropped the connection during) '[a-z ]+' \((ECONNREFUSED|ENOENT|ECONNRESET|EPIPE): is dockerd running\?\)|did not answer)/,
    );
    await dockerd.restart();
    const said = await clean();
    const left = await dockerd.client().listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL}=1`] }) });
    expect(
      left.map((c) => c.Names[0]),
      said,
    ).to.deep.equal([]);
    // runc removes a container's cgroups just after the daemon reports it removed: a few seconds' grace.
    const leftCgroups = () =>
      ids.flatMap((id) => fs.readdirSync('/sys/fs/cgroup').map((c) => `/sys/fs/cgroup/${c}/docker/${id}`)).filter((p) => fs.existsSync(p));
    for (let i = 0; i < 50 && leftCgroups().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const cgroups = leftCgroups();
    expect(cgroups, `${said}\n${cgroups.map(whatHolds).join('\n')}`).to.deep.equal([]);
  });
});

/** What keeps a cgroup from being removed: its processes (with their command lines) and child cgroups. */
function whatHolds(dir: string): string {
  const read = (f: string) => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch (e) {
      return `(${(e as NodeJS.ErrnoException).code})`;
    }
  };
  const procs = read(path.join(dir, 'cgroup.procs')).split('\n').filter(Boolean);
  const children = fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
    : [];
  const cmd = (pid: string) => `${pid}:${read(`/proc/${pid}/cmdline`).replaceAll('\0', ' ').trim()}`;
  return `${dir}: processes [${procs.map(cmd).join(', ')}] child cgroups [${children.join(', ')}]`;
}
