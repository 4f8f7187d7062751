/**
 * Docker end to end: the default docker target, the hardened settings a negative control is
 * measured against, and one weakening per Docker negative control in the catalogue. For each
 * weakening, the checks that name it pass on its reference and fail on it; every other check has
 * the reference's status. Needs a Docker daemon: scripts/test.sh provides one through
 * scripts/docker-up.sh, and these tests skip only when that script could not.
 */
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type Dockerode from 'dockerode';
import { scanLeftovers } from '../../core/leftovers.js';
import { REPO_ROOT, RUN_ROOT } from '../../core/paths.js';
import type { RunResults, TargetResult } from '../../core/results.js';
import { runSuite } from '../../core/run.js';
import type { DockerTargetConfig } from '../../core/targets-config.js';
import { dockerClient, OWNER_LABEL } from '../../runtime/docker/daemon.js';
import { LABEL } from '../../runtime/docker/image.js';
import { defaultSeccomp } from '../../runtime/oci/seccomp.js';
import { CATALOGUE } from '../../suites/catalogue.js';
import { checksFlippedBy } from './negative-controls.js';
import { requireDaemon } from './requirements.js';

const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');

function docker(name: string, hostConfig?: Record<string, unknown>): DockerTargetConfig {
  return { name, runtime: 'docker', share: [], rootChange: 'pivot_root', caps: 'default', limits: 'default', ...(hostConfig ? { hostConfig } : {}) };
}

interface Weakening {
  /** The catalogue's words for it; a check naming any of them must flip. */
  labels: string[];
  target: DockerTargetConfig;
  /** The target whose checks pass where this one's must fail. */
  reference: string;
}

const DEFAULT = docker('docker');
/** Docker 20.10 on cgroup v1 keeps the host's cgroup namespace: private is the hardened setting. */
const CGROUPNS_PRIVATE = docker('docker-cgroupns-private', { CgroupnsMode: 'private' });
/**
 * Docker 20.10's default seccomp profile lets io_uring_setup through (a finding of the default
 * target), so the seccomp weakening is measured against the project's own deny-list profile.
 */
const SECCOMP_PROFILE = docker('docker-seccomp-profile', { SecurityOpt: [`seccomp=${JSON.stringify(defaultSeccomp())}`] });

const WEAKENINGS: Weakening[] = [
  { labels: ['Docker PidMode=host'], target: docker('docker-pidmode-host', { PidMode: 'host' }), reference: DEFAULT.name },
  { labels: ['Docker NetworkMode=host'], target: docker('docker-networkmode-host', { NetworkMode: 'host' }), reference: DEFAULT.name },
  { labels: ['Docker IpcMode=host'], target: docker('docker-ipcmode-host', { IpcMode: 'host' }), reference: DEFAULT.name },
  { labels: ['Docker UTSMode=host'], target: docker('docker-utsmode-host', { UTSMode: 'host' }), reference: DEFAULT.name },
  { labels: ['Docker CgroupnsMode=host'], target: docker('docker-cgroupnsmode-host', { CgroupnsMode: 'host' }), reference: CGROUPNS_PRIVATE.name },
  // Every capability this host can give (CAP_SYS_RESOURCE is in no bounding set here): what each "CapAdd X" names.
  { labels: ['Docker CapAdd SYS_ADMIN', 'Docker CapAdd SYS_PTRACE', 'Docker CapAdd SYS_TIME'],
    target: docker('docker-capadd-all', { CapAdd: ['ALL'], CapDrop: ['SYS_RESOURCE'] }), reference: DEFAULT.name },
  { labels: ['Docker seccomp=unconfined'], target: docker('docker-seccomp-unconfined', { SecurityOpt: ['seccomp=unconfined'] }), reference: SECCOMP_PROFILE.name },
];

/**
 * Where this host's behaviour and the catalogue's negativeControl words disagree (reported, to be
 * settled in suites/). Each entry only adds what the catalogue does not already say, so it is a
 * no-op once the catalogue is corrected.
 */
const CATALOGUE_GAPS: { target: string; check: string; flips: boolean; why: string }[] = [
  { target: 'docker-ipcmode-host', check: 'mnt.dev-shm-private', flips: true, why: 'IpcMode=host binds the host\'s /dev/shm into the container' },
  { target: 'docker-ipcmode-host', check: 'mnt.root-not-host', flips: true, why: 'its host markers include the /dev/shm one, visible under IpcMode=host' },
  { target: 'docker-ipcmode-host', check: 'mnt.pivot-root', flips: true, why: 'the chroot escape counts the /dev/shm marker among the host markers it sees' },
  { target: 'docker-capadd-all', check: 'escape.cve-2022-0185', flips: true, why: 'Docker\'s default seccomp profile allows unshare to a container with CAP_SYS_ADMIN' },
  { target: 'docker-seccomp-unconfined', check: 'escape.cve-2022-0492', flips: false,
    why: '"Docker seccomp=unconfined with CapAdd SYS_ADMIN" matches by prefix; it also needs CAP_SYS_ADMIN, and Docker places the container in every mounted v1 hierarchy, so the probe finds no release_agent (ENOENT)' },
];

/** The checks a weakening must flip: what the catalogue names, adjusted by the known gaps. */
function mustFlip(w: { labels: string[]; target: { name: string } }, gaps: typeof CATALOGUE_GAPS): string[] {
  const named = new Set(w.labels.flatMap((l) => checksFlippedBy(l, CATALOGUE)));
  for (const g of gaps.filter((x) => x.target === w.target.name)) {
    if (g.flips) named.add(g.check);
    else named.delete(g.check);
  }
  return [...named].sort();
}

function statuses(t: TargetResult): Record<string, string> {
  return Object.fromEntries(t.checks.map((c) => [c.id, c.status]));
}

function errors(t: TargetResult): string[] {
  return [...(t.error ? [t.error] : []), ...t.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.reason}`)];
}

/** Run directories a run (by its pid) left in RUN_ROOT; other runs on the machine may have their own there. */
function runDirsOf(pid: number): string[] {
  try {
    return fs.readdirSync(RUN_ROOT).filter((n) => n.startsWith(`run-${pid}-`));
  } catch {
    return [];
  }
}

/** isoprobe containers of one run (by its pid): other runs on the machine may be using Docker too. */
async function labelled(client: Dockerode, owner: number): Promise<string[]> {
  const list = await client.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL}=1`, `${OWNER_LABEL}=${owner}`] }) });
  return list.map((c) => c.Names[0]);
}

describe('Docker, end to end', function () {
  this.timeout(300_000);
  const client = dockerClient();
  let results: RunResults;
  const byName = (name: string) => results.targets.find((t) => t.name === name)!;

  before(async function () {
    await requireDaemon(this, client);
    const targets = [DEFAULT, CGROUPNS_PRIVATE, SECCOMP_PROFILE, ...WEAKENINGS.map((w) => w.target)];
    results = await runSuite({ targets, profile: 'strict' });
  });

  it('runs every target without a harness error', () => {
    for (const t of results.targets) expect(errors(t), t.name).to.deep.equal([]);
  });

  it('reports the daemon: version, runtimes, cgroup driver and version, security options, default cgroupns', () => {
    expect(byName('docker').info).to.include.keys('engine', 'runtimes', 'cgroupDriver', 'cgroupVersion', 'securityOptions', 'defaultCgroupnsMode');
    expect(byName('docker').info.engine).to.match(/^Docker \d+\.\d+/);
  });

  it('passes the baseline pid, mnt, net, uts and ipc checks on default Docker', () => {
    const t = byName('docker');
    const baseline = CATALOGUE.filter((c) => ['pid', 'mnt', 'net', 'uts', 'ipc'].includes(c.area) && c.profiles.includes('baseline'));
    expect(baseline.length).to.be.greaterThan(15);
    const s = statuses(t);
    expect(Object.fromEntries(baseline.map((c) => [c.id, s[c.id]]))).to.deep.equal(Object.fromEntries(baseline.map((c) => [c.id, 'pass'])));
  });

  it('shows default Docker\'s missing user and time namespaces under strict (no userns-remap, no time namespace)', () => {
    const s = statuses(byName('docker'));
    expect([s['user.own-ns'], s['time.own-ns'], s['time.offsets-applied']]).to.deep.equal(['fail', 'fail', 'skip']);
  });

  for (const w of WEAKENINGS) {
    it(`${w.target.name}: the checks naming ${w.labels.join(' / ')} fail (pass on ${w.reference}), the others as on ${w.reference}`, () => {
      const flip = mustFlip(w, CATALOGUE_GAPS);
      expect(flip, `no check names ${w.labels.join(', ')}`).to.not.be.empty;
      const ref = statuses(byName(w.reference));
      const want = Object.fromEntries(Object.entries(ref).map(([id, st]) => [id, flip.includes(id) ? 'fail' : st]));
      expect(Object.fromEntries(flip.map((id) => [id, ref[id]])), `on ${w.reference}`).to.deep.equal(Object.fromEntries(flip.map((id) => [id, 'pass'])));
      expect(statuses(byName(w.target.name))).to.deep.equal(want);
    });
  }

  it('leaves no isoprobe container, run directory or mount behind; only the probe image stays', async () => {
    expect(await labelled(client, process.pid)).to.deep.equal([]);
    // Only what can be told apart from other runs on the machine (theirs may be going on now).
    expect(scanLeftovers().mounts).to.deep.equal([]);
    expect(runDirsOf(process.pid)).to.deep.equal([]);
    const images = await client.listImages({ filters: JSON.stringify({ label: [`${LABEL}=1`] }) });
    expect(images.flatMap((i) => i.RepoTags ?? [])).to.have.length.greaterThan(0);
  });

  it('Ctrl-C while Docker containers run leaves none of them behind', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-docker-int-'));
    try {
      const child = spawn(process.execPath, [CLI, 'run', '--runtime', 'docker', '--out', dir], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (c) => { stderr += c; });
      const exited = once(child, 'exit');
      let seen = false;
      for (const end = Date.now() + 30_000; !seen && Date.now() < end;) {
        seen = (await labelled(client, child.pid!)).length > 0;
        if (!seen) await new Promise((r) => setTimeout(r, 5));
      }
      process.kill(-child.pid!, 'SIGINT'); // the whole process group, as a terminal does
      const [code] = await exited;
      expect(seen, 'no container was ever seen').to.equal(true);
      expect(code, stderr).to.equal(130);
      expect(await labelled(client, child.pid!)).to.deep.equal([]);
      expect(runDirsOf(child.pid!)).to.deep.equal([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
