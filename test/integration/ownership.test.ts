/**
 * Ownership, not names (issue 10): the reaper removes exactly what dead runs' journals list
 * (host/journal.ts, host/reap.ts). A user's mount, cgroup, network namespace and Docker
 * containers named like isoprobe's are left alone by a run and by `clean`; a SIGKILLed run's
 * remains go with the next `clean` while a run beside it goes on untouched; concurrent runs never
 * reap each other; an unusable RUN_ROOT is one line and exit 2.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type Dockerode from 'dockerode';
import { cgroupMounts } from '../../host/cgroup.js';
import { journalDir } from '../../host/journal.js';
import { scanLeftovers } from '../../host/leftovers.js';
import { RUN_ROOT } from '../../host/paths.js';
import { liveRuns, parseJournal } from '../../host/reap.js';
import type { Resource } from '../../model/journal.js';
import { dockerClient } from '../../targets/docker/daemon.js';
import { OWNER_LABEL } from '../../targets/common/engine-api/labels.js';
import { cli, startCli } from './cli-run.js';
import { requireDaemon } from './requirements.js';

const REAPED = 'removed what an earlier, killed run left behind';
const CLEAN_ATTEMPTS = 40;

/** A pid that was just used and is now free. */
function deadPid(): number {
  return spawnSync('true').pid!;
}

/** `isoprobe clean`, again while other runs on the machine make it refuse (exit 2). */
async function cleanWhenIdle(): Promise<Awaited<ReturnType<typeof cli>>> {
  let r = await cli(['clean']);
  for (let i = 0; i < CLEAN_ATTEMPTS && r.code === 2 && /still going/.test(r.stderr); i++) {
    await new Promise((res) => setTimeout(res, 3000));
    r = await cli(['clean']);
  }
  return r;
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** The journal of the live run with this pid (its header names it). */
function journalOf(pid: number): string | null {
  for (const n of fs.existsSync(journalDir()) ? fs.readdirSync(journalDir()) : []) {
    const text = fs.readFileSync(path.join(journalDir(), n), 'utf8');
    if (parseJournal(text).pid === pid) return path.join(journalDir(), n);
  }
  return null;
}

/**
 * A run that ended as a lone run does: every target judged, no harness error, nothing reaped.
 * Checks may fail (Docker's seccomp lets io_uring_setup through here, in every run alike).
 */
function expectJudged(r: Awaited<ReturnType<typeof cli>>): void {
  expect(r.code, r.stderr).to.be.oneOf([0, 1]);
  expect(r.stdout, r.stdout).to.match(/^Totals: \d+ checks — .*, 0 error$/m);
  expect(r.stderr).to.not.include(REAPED);
}

interface Foreign {
  mountDir: string;
  cgroups: string[];
  netns: string;
  containers: string[];
  image: string;
}

const USER_DATA = 'a user file, not isoprobe data\n';

async function makeForeign(client: Dockerode): Promise<Foreign> {
  const mountDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-foreign-mnt-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'isoprobe-foreign', mountDir]);
  fs.writeFileSync(path.join(mountDir, 'data'), USER_DATA);
  const cgroups = cgroupMounts(fs.readFileSync('/proc/self/mountinfo', 'utf8')).map((m) => path.join(m.mountPoint, 'isoprobe-user-owned'));
  for (const c of cgroups) fs.mkdirSync(c, { recursive: true });
  const netns = 'isoprobe-foreign';
  spawnSync('ip', ['netns', 'add', netns]);
  // An image of the user's own (not labelled isoprobe=1): clean's image removal must not meet it.
  const image = 'isoprobe-foreign-image:1';
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-foreign-img-'));
  fs.mkdirSync(path.join(root, 'bin'));
  fs.copyFileSync('/bin/busybox', path.join(root, 'bin/busybox'));
  execFileSync('sh', ['-c', `tar -C ${root} -c . | docker import - ${image}`], { stdio: 'ignore' });
  fs.rmSync(root, { recursive: true, force: true });
  const containers = ['isoprobe-1-1-foreign', 'isoprobe-1-1-foreign-labelled'];
  await client.createContainer({ name: containers[0], Image: image, Cmd: ['/bin/busybox', 'true'] });
  await client.createContainer({
    name: containers[1],
    Image: image,
    Cmd: ['/bin/busybox', 'true'],
    Labels: { isoprobe: '1', [OWNER_LABEL]: String(deadPid()) },
  });
  return { mountDir, cgroups, netns, containers, image };
}

async function stillThere(client: Dockerode, f: Foreign): Promise<Record<string, unknown>> {
  const names = (await client.listContainers({ all: true })).flatMap((c) => c.Names.map((n) => n.slice(1)));
  return {
    mounted: fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${f.mountDir} `),
    file: fs.readFileSync(path.join(f.mountDir, 'data'), 'utf8'),
    cgroups: f.cgroups.filter((c) => fs.existsSync(c)).length,
    netns: spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.includes(f.netns),
    containers: f.containers.filter((c) => names.includes(c)),
  };
}

async function removeForeign(client: Dockerode, f: Foreign | null): Promise<void> {
  if (!f) return;
  for (const c of f.containers)
    await client
      .getContainer(c)
      .remove({ force: true })
      .catch(() => {});
  await client
    .getImage(f.image)
    .remove()
    .catch(() => {});
  spawnSync('ip', ['netns', 'del', f.netns]);
  for (const c of f.cgroups) spawnSync('rmdir', [c]);
  spawnSync('umount', [f.mountDir]);
  fs.rmSync(f.mountDir, { recursive: true, force: true });
}

describe('ownership, not names', function () {
  this.timeout(600_000);
  const client = dockerClient();
  let out: string;
  before(async function () {
    await requireDaemon(this, client);
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-own-'));
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it("a user's mount, cgroups, netns and Docker containers named like ours survive a run and clean, the file intact", async () => {
    let f: Foreign | null = null;
    try {
      f = await makeForeign(client);
      const expected = { mounted: true, file: USER_DATA, cgroups: f.cgroups.length, netns: true, containers: f.containers };
      expect(await stillThere(client, f)).to.deep.equal(expected);
      const run = await cli(['run', '--runtime', 'builtin', '--out', path.join(out, 'foreign')]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.not.include(REAPED);
      expect(await stillThere(client, f), 'after a run').to.deep.equal(expected);
      const clean = await cleanWhenIdle();
      expect(clean.code, `${clean.stdout}${clean.stderr}`).to.be.oneOf([0, 2]);
      expect(await stillThere(client, f), 'after clean').to.deep.equal(expected);
      process.stdout.write(
        `      still there after run and clean: tmpfs ${f.mountDir} with its file intact, ${f.cgroups.length} cgroups isoprobe-user-owned, netns ${f.netns}, containers ${f.containers.join(', ')}\n`,
      );
    } finally {
      await removeForeign(client, f);
    }
  });

  it("a SIGKILLed run beside a live one: the live one passes untouched, clean then removes exactly the killed run's remains", async () => {
    const before = scanLeftovers();
    const killed = startCli(['run', '--runtime', 'builtin,docker', '--out', path.join(out, 'killed')]);
    const beside = startCli(['run', '--runtime', 'builtin,docker', '--out', path.join(out, 'beside')]);
    // Killed once its Docker container exists: what a SIGKILL leaves with the daemon.
    const containersOf = async () => client.listContainers({ all: true, filters: JSON.stringify({ label: [`${OWNER_LABEL}=${killed.child.pid}`] }) });
    const ours = async () => (await containersOf()).length > 0;
    // Killed while its fork bomb container runs: that one holds for 5 s (engine/enforce.ts), so it
    // is surely still there at the kill (a facts container may already be gone again).
    const holding = async () => (await containersOf()).some((c) => c.State === 'running' && c.Command.includes('forkbomb'));
    expect(await waitFor(holding, 120_000), 'the killed run never ran its fork bomb container').to.equal(true);
    const journal = journalOf(killed.child.pid!);
    expect(journal, "the killed run's journal").to.not.equal(null);
    killed.child.kill('SIGKILL');
    await killed.done;
    const left = parseJournal(fs.readFileSync(journal!, 'utf8')).entries;
    const sentinel = left.find((e): e is Extract<Resource, { kind: 'process' }> => e.kind === 'process' && e.what === 'sentinel process');
    expect(sentinel, 'the sentinel process is journalled').to.not.equal(undefined);
    // PR_SET_PDEATHSIG: it dies with its run, not 30 minutes later.
    expect(
      await waitFor(() => !fs.existsSync(`/proc/${sentinel!.pid}`) || fs.readFileSync(`/proc/${sentinel!.pid}/stat`, 'utf8').includes(') Z'), 2000),
      'the sentinel outlived its run',
    ).to.equal(true);
    const b = await beside.done;
    expectJudged(b);
    const clean = await cleanWhenIdle();
    expect(clean.code, `${clean.stdout}${clean.stderr}`).to.equal(0);
    process.stdout.write(`      clean after the SIGKILL:\n${clean.stdout.replace(/^/gm, '        ')}`);
    const docker = /^isoprobe clean: docker containers: (\d+) found, (\d+) removed$/m.exec(clean.stdout);
    expect(Number(docker?.[1]), 'docker containers of the killed run').to.be.greaterThan(0);
    expect(docker?.[2]).to.equal(docker?.[1]);
    expect(clean.stdout).to.match(/^isoprobe clean: run directories: [1-9]\d* found/m);
    expect(clean.stdout).to.match(/^isoprobe clean: ipc: [1-9]\d* found/m);
    expect(fs.existsSync(journal!), 'the journal, once everything it listed is gone').to.equal(false);
    expect(await ours(), 'its containers').to.equal(false);
    expect(scanLeftovers()).to.deep.equal(before);
  });

  it('4 concurrent runs: every one passes, none reaps another', async () => {
    const runs = [0, 1, 2, 3].map((i) => startCli(['run', '--runtime', 'builtin,docker', '--out', path.join(out, `c${i}`)]).done);
    const results = await Promise.all(runs);
    for (const r of results) expectJudged(r);
  });

  it('RUN_ROOT a file, or a full tmpfs: one line, exit 2, nothing reaped or unmounted', async function () {
    if (fs.existsSync(RUN_ROOT) || liveRuns().length > 0) {
      process.stdout.write(`    skipped: ${RUN_ROOT} is in use by another run\n`);
      this.skip();
    }
    fs.writeFileSync(RUN_ROOT, 'a file of the user\n');
    try {
      for (const args of [['run', '--runtime', 'builtin', '--out', path.join(out, 'file')], ['clean']]) {
        const r = await cli(args);
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
        expect(r.stderr).to.match(/not a directory/);
      }
      expect(fs.readFileSync(RUN_ROOT, 'utf8')).to.equal('a file of the user\n');
    } finally {
      fs.rmSync(RUN_ROOT, { force: true });
    }
    fs.mkdirSync(RUN_ROOT);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'isoprobe-full', RUN_ROOT]);
      spawnSync('dd', ['if=/dev/zero', `of=${RUN_ROOT}/fill`, 'bs=4k', 'count=64'], { stdio: 'ignore' });
      const r = await cli(['run', '--runtime', 'builtin', '--out', path.join(out, 'full')]);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
      expect(r.stderr).to.match(/^isoprobe: cannot keep the run journal in .*: no space left on the device \(ENOSPC\)$/m);
      expect(r.stderr).to.not.include(REAPED);
      expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).to.include(` ${RUN_ROOT} `);
    } finally {
      spawnSync('umount', [RUN_ROOT]);
      fs.rmSync(RUN_ROOT, { recursive: true, force: true });
    }
  });
});
