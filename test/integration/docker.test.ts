/**
 * Docker end to end: the default docker target, the hardened settings a negative control is
 * measured against, and one weakening per Docker negative control in the catalogue. For each
 * weakening, the checks that name it pass on its reference and fail on it; every other check has
 * the reference's status. Needs a Docker daemon: scripts/test.sh provides one through
 * scripts/docker-up.sh, and these tests skip only when that script could not.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import type Dockerode from 'dockerode';
import { scanLeftovers } from '../../host/leftovers.js';
import { readHostLsm } from '../../host/lsm.js';
import { capNames, CAP_NAMES, parseStatus } from '../../model/parse/status.js';
import type { RunResults, TargetResult } from '../../model/results.js';
import { runSuite } from '../../engine/run.js';
import type { DockerTargetConfig } from '../../targets/docker/driver.js';
import { DRIVERS } from '../../targets/registry.js';
import { dockerClient, OWNER_LABEL } from '../../targets/docker/daemon.js';
import { LABEL } from '../../targets/docker/image.js';
import { defaultSeccomp } from '../../targets/oci/seccomp.js';
import { CATALOGUE } from '../../checks/catalogue.js';
import { checksFlippedBy } from './negative-controls.js';
import { interruptedRun, runDirsOf } from './interrupted-run.js';
import { requireDaemon } from './requirements.js';


function docker(name: string, hostConfig?: Record<string, unknown>): DockerTargetConfig {
  return { name, runtime: 'docker', share: [], rootChange: 'pivot_root', caps: 'default', limits: 'default', ...(hostConfig ? { hostConfig } : {}) };
}

interface Weakening {
  /** The catalogue's words for it; a check naming any of them must flip. */
  labels: string[];
  target: DockerTargetConfig;
  /** The target whose checks pass where this one's must fail. */
  reference: string;
  /** Why this machine cannot run it (a missing device), or null: the weakening is then skipped, not run. */
  unavailable?: () => string | null;
  /** The daemon may refuse to start it here: a refusal is a skip carrying the daemon's words. */
  refusable?: boolean;
}

const DEFAULT = docker('docker');
/** Docker 20.10 on cgroup v1 keeps the host's cgroup namespace: private is the hardened setting. */
const CGROUPNS_PRIVATE = docker('docker-cgroupns-private', { CgroupnsMode: 'private' });
/**
 * Docker 20.10's default seccomp profile lets io_uring_setup through (a finding of the default
 * target), so the seccomp weakenings are measured against the project's own deny-list profile,
 * with a private cgroup namespace so that the cgroup checks pass there too.
 */
const HARDENED_HC = { CgroupnsMode: 'private', SecurityOpt: [`seccomp=${JSON.stringify(defaultSeccomp())}`] };
const HARDENED = docker('docker-hardened', HARDENED_HC);

/**
 * Capability weakenings keep a private cgroup namespace (reference: CGROUPNS_PRIVATE): whether
 * CAP_SYS_ADMIN reaches a release_agent then depends on the weakening, not on the daemon's default
 * cgroupns (host on Docker 20.10 with cgroup v1, private on cgroup v2).
 */
function withCaps(name: string, hc: Record<string, unknown>): DockerTargetConfig {
  return docker(name, { CgroupnsMode: 'private', ...hc });
}

/** Limits as `docker run` sends them without --pids-limit / --memory / --cpus: zero, no limit. */
const WITHOUT_PIDS = { PidsLimit: 0 };
const WITHOUT_MEMORY = { Memory: 0, MemorySwap: 0 };
const WITHOUT_CPUS = { NanoCpus: 0 };
const LOOP0 = '/dev/loop0';

const WEAKENINGS: Weakening[] = [
  { labels: ['Docker PidMode=host'], target: docker('docker-pidmode-host', { PidMode: 'host' }), reference: DEFAULT.name },
  { labels: ['Docker NetworkMode=host'], target: docker('docker-networkmode-host', { NetworkMode: 'host' }), reference: DEFAULT.name },
  { labels: ['Docker IpcMode=host'], target: docker('docker-ipcmode-host', { IpcMode: 'host' }), reference: DEFAULT.name },
  { labels: ['Docker UTSMode=host'], target: docker('docker-utsmode-host', { UTSMode: 'host' }), reference: DEFAULT.name },
  { labels: ['Docker CgroupnsMode=host'], target: docker('docker-cgroupnsmode-host', { CgroupnsMode: 'host' }), reference: CGROUPNS_PRIVATE.name },
  // Every capability this host can give (CAP_SYS_RESOURCE is in no bounding set here): what each "CapAdd X" names.
  { labels: ['Docker CapAdd SYS_ADMIN', 'Docker CapAdd SYS_PTRACE', 'Docker CapAdd SYS_TIME'],
    target: withCaps('docker-capadd-all', { CapAdd: ['ALL'], CapDrop: ['SYS_RESOURCE'] }), reference: CGROUPNS_PRIVATE.name },
  { labels: ['Docker CapAdd SYS_ADMIN'], target: withCaps('docker-capadd-sys-admin', { CapAdd: ['SYS_ADMIN'] }), reference: CGROUPNS_PRIVATE.name },
  // The release_agent escape: CAP_SYS_ADMIN over the host's user namespace, in the host's cgroup namespace.
  { labels: ['Docker CapAdd SYS_ADMIN with CgroupnsMode=host', 'Docker CapAdd SYS_ADMIN', 'Docker CgroupnsMode=host'],
    target: docker('docker-capadd-sys-admin-cgroupns-host', { CgroupnsMode: 'host', CapAdd: ['SYS_ADMIN'] }), reference: CGROUPNS_PRIVATE.name,
    unavailable: () => (hasV1Hierarchy() ? null : 'no cgroup v1 hierarchy exists on this host (pure cgroup v2): no release_agent to reach') },
  // The same option the CLI's --security-opt apparmor=unconfined sends; dockerd applies docker-default otherwise.
  { labels: ['Docker apparmor=unconfined'], target: docker('docker-apparmor-unconfined', { SecurityOpt: ['apparmor=unconfined'] }), reference: DEFAULT.name,
    unavailable: () => { const lsm = readHostLsm(); return lsm.active === 'apparmor' ? null : `the host does not enable AppArmor (${lsm.evidence})`; } },
  { labels: ['Docker seccomp=unconfined'], target: docker('docker-seccomp-unconfined', { ...HARDENED_HC, SecurityOpt: ['seccomp=unconfined'] }), reference: HARDENED.name },
  { labels: ['Docker without PidsLimit'], target: docker('docker-no-pidslimit', WITHOUT_PIDS), reference: DEFAULT.name },
  { labels: ['Docker without Memory'], target: docker('docker-no-memory', WITHOUT_MEMORY), reference: DEFAULT.name },
  { labels: ['Docker without NanoCpus'], target: docker('docker-no-nanocpus', WITHOUT_CPUS), reference: DEFAULT.name },
  { labels: ['Docker without Memory/NanoCpus/PidsLimit', 'Docker without PidsLimit', 'Docker without Memory', 'Docker without NanoCpus'],
    target: docker('docker-no-limits', { ...WITHOUT_PIDS, ...WITHOUT_MEMORY, ...WITHOUT_CPUS }), reference: DEFAULT.name },
  { labels: ['Docker bind of /var/run/docker.sock'],
    target: docker('docker-bind-docker-sock', { Binds: ['/var/run/docker.sock:/var/run/docker.sock'] }), reference: DEFAULT.name },
  // What the CLI sends for --security-opt systempaths=unconfined (the daemon does not know that option).
  { labels: ['Docker systempaths=unconfined'], target: docker('docker-systempaths-unconfined', { MaskedPaths: [], ReadonlyPaths: [] }), reference: DEFAULT.name },
  { labels: [`Docker --device ${LOOP0}`],
    target: docker('docker-device-loop0', { Devices: [{ PathOnHost: LOOP0, PathInContainer: LOOP0, CgroupPermissions: 'rwm' }] }), reference: DEFAULT.name,
    unavailable: () => (fs.existsSync(LOOP0) ? null : `${LOOP0} does not exist on this machine (no loop driver?)`) },
  // The docker target sets no-new-privileges unless told not to (targets/docker/host-config.ts), so docker has it on.
  { labels: ['Docker without no-new-privileges'], target: { ...docker('docker-no-new-privileges'), noNewPrivs: false }, reference: DEFAULT.name },
  // --privileged also means no seccomp filter, every capability, every device and no masked or read-only paths.
  { labels: ['Docker --privileged', 'Docker seccomp=unconfined', 'Docker CapAdd SYS_ADMIN', 'Docker CapAdd SYS_PTRACE', 'Docker CapAdd SYS_TIME',
    `Docker --device ${LOOP0}`, 'Docker systempaths=unconfined'],
  target: docker('docker-privileged', { ...HARDENED_HC, Privileged: true }), reference: HARDENED.name, refusable: true },
];

/** A cgroup v1 hierarchy exists (a /proc/self/cgroup line other than the v2 "0::"). */
function hasV1Hierarchy(): boolean {
  return fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').some((l) => /^[1-9]\d*:/.test(l));
}

const runnable = WEAKENINGS.filter((w) => !w.unavailable?.());

/**
 * The checks a weakening must flip: what the catalogue names, less those the reference skips because
 * the host enables no LSM (nothing to turn off; the check's own skip says so on both targets).
 */
function mustFlip(w: Weakening, ref: TargetResult): string[] {
  const noLsm = new Set(ref.checks.filter((c) => c.status === 'skip' && c.requirement === 'lsm').map((c) => c.id));
  return named(w).filter((id) => !noLsm.has(id));
}

function named(w: Weakening): string[] {
  // A control noted "(cgroup v1)" flips its check only where a v1 hierarchy exists.
  const onlyOnV1 = (id: string, label: string) =>
    CATALOGUE.find((c) => c.id === id)!.negativeControl.split(';').some((n) => n.trim() === `${label} (cgroup v1)`);
  return [...new Set(w.labels.flatMap((l) => checksFlippedBy(l, CATALOGUE).filter((id) => hasV1Hierarchy() || !onlyOnV1(id, l))))].sort();
}

/**
 * The daemon's refusal to start a refusable weakening where the harness lacks a capability that
 * it would grant (this VM: CAP_SYS_RESOURCE, so no --privileged), else null.
 */
function refusal(w: Weakening, t: TargetResult): string | null {
  if (!w.refusable || !t.error) return null;
  const missing = CAP_NAMES.filter((c) => !capNames(parseStatus(fs.readFileSync('/proc/self/status', 'utf8')).capBnd).includes(c));
  if (missing.length === 0 || !/docker (create|start): daemon error/.test(t.error)) return null;
  return `the daemon refused it (${missing.join(', ')} in no bounding set here): ${t.error}`;
}

function statuses(t: TargetResult): Record<string, string> {
  return Object.fromEntries(t.checks.map((c) => [c.id, c.status]));
}

function errors(t: TargetResult): string[] {
  return [...(t.error ? [t.error] : []), ...t.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.reason}`)];
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
    const targets = [DEFAULT, CGROUPNS_PRIVATE, HARDENED, ...runnable.map((w) => w.target)];
    const t0 = performance.now();
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets, profile: 'strict' });
    process.stdout.write(`    ${targets.length} Docker targets in one run: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  });

  it('runs every target without a harness error (a refusable weakening may be refused by the daemon)', () => {
    for (const t of results.targets) {
      const w = WEAKENINGS.find((x) => x.target.name === t.name);
      if (w && refusal(w, t)) continue;
      expect(errors(t), t.name).to.deep.equal([]);
    }
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
    it(`${w.target.name}: the checks naming ${w.labels.join(' / ')} fail (pass on ${w.reference}), the others as on ${w.reference}`, function () {
      const why = w.unavailable?.() ?? refusal(w, byName(w.target.name));
      if (why) {
        process.stdout.write(`    skipped: ${why}\n`);
        this.skip();
      }
      const flip = mustFlip(w, byName(w.reference));
      expect(flip, `no check names ${w.labels.join(', ')}`).to.not.be.empty;
      const ref = statuses(byName(w.reference));
      const want = Object.fromEntries(Object.entries(ref).map(([id, st]) => [id, flip.includes(id) ? 'fail' : st]));
      expect(Object.fromEntries(flip.map((id) => [id, ref[id]])), `on ${w.reference}`).to.deep.equal(Object.fromEntries(flip.map((id) => [id, 'pass'])));
      expect(statuses(byName(w.target.name))).to.deep.equal(want);
    });
  }

  it('every Docker negative control in the catalogue is a weakening here, or one this host cannot reproduce (named)', () => {
    const ours = new Set(WEAKENINGS.flatMap((w) => w.labels));
    const named = CATALOGUE.flatMap((c) => c.negativeControl.split(';').map((n) => n.trim().replace(/ \(.*\)$/, ''))).filter((n) => /Docker/.test(n));
    // Default Docker is itself this one: the user checks fail on it (above).
    const notReproducible = ['Docker without userns-remap'];
    expect([...new Set(named)].filter((n) => !ours.has(n) && !notReproducible.includes(n))).to.deep.equal([]);
  });

  it('leaves no isoprobe container, run directory or mount behind; only the probe image stays', async () => {
    expect(await labelled(client, process.pid)).to.deep.equal([]);
    // Only what can be told apart from other runs on the machine (theirs may be going on now).
    expect(scanLeftovers().mounts).to.deep.equal([]);
    expect(runDirsOf(process.pid)).to.deep.equal([]);
    const images = await client.listImages({ filters: JSON.stringify({ label: [`${LABEL}=1`] }) });
    expect(images.flatMap((i) => i.RepoTags ?? [])).to.have.length.greaterThan(0);
  });

  it('Ctrl-C while Docker containers run leaves none of them behind', async () => {
    const run = await interruptedRun('docker', async (pid) => (await labelled(client, pid)).length > 0);
    expect(run.seen, 'no container was ever seen').to.equal(true);
    expect(run.code, run.stderr).to.equal(130);
    expect(await labelled(client, run.pid)).to.deep.equal([]);
    expect(runDirsOf(run.pid)).to.deep.equal([]);
  });
});
