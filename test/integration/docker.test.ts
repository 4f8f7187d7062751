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
import { DRIVERS, parseTargetConfig } from '../../targets/registry.js';
import { dockerClient } from '../../targets/docker/daemon.js';
import { OWNER_LABEL } from '../../targets/common/engine-api/labels.js';
import { LABEL } from '../../targets/common/engine-api/image.js';
import { defaultSeccomp } from '../../targets/common/oci-seccomp.js';
import { CATALOGUE } from '../../checks/catalogue.js';
import { expectedBeside } from './negative-controls.js';
import type { Check } from '../../model/check.js';
import { sameWeakening, weakeningLabel, type Weakening } from '../../model/weakening.js';
import { weakenings as dockerWeakenings } from '../../targets/docker/weakenings.js';
import { interruptedRun, runDirsOf } from './interrupted-run.js';
import { requireDaemon } from './requirements.js';

function docker(name: string, hostConfig?: Record<string, unknown>, more: Partial<DockerTargetConfig> = {}): DockerTargetConfig {
  return { name, runtime: 'docker', share: [], rootChange: 'pivot_root', caps: 'default', limits: 'default', ...(hostConfig ? { hostConfig } : {}), ...more };
}

/** What the test runs for one weakening of targets/docker/weakenings.ts. */
interface Run {
  weakening: Weakening;
  name: string;
  /** The target whose config the weakening is merged over, and whose checks pass where this one's must fail. */
  reference: DockerTargetConfig;
  /** Listed weakenings this one implies (--privileged also means seccomp=unconfined, ...): their checks must flip too. */
  alsoFlips?: Weakening[];
  /** Why this machine cannot run it (a missing device), or null: the weakening is then skipped, not run. */
  unavailable?: () => string | null;
  /** The daemon may refuse to start it here: a refusal is a skip carrying the daemon's words. */
  refusable?: boolean;
}

/** Docker as its users run it: the daemon's defaults (no limits, no no-new-privileges). */
const DEFAULT = docker('docker');
/**
 * What the run's profile needs that Docker can express (limits, no-new-privileges, a private
 * cgroup and IPC namespace: model/profile-needs.ts), asked by isoprobe: each weakening merged over
 * it turns off something that passes there.
 */
const PROFILE = docker('docker-profile', undefined, { request: 'profile' });
/**
 * Docker 20.10's default seccomp profile lets io_uring_setup through (a finding of the default
 * target), so the seccomp weakenings are measured against the project's own deny-list profile.
 */
const HARDENED = docker('docker-hardened', { SecurityOpt: [`seccomp=${JSON.stringify(defaultSeccomp())}`] }, { request: 'profile' });

/** The weakening of the docker list with these HostConfig fields (or other settings), by value. */
function listed(hostConfig: Record<string, unknown> | null, settings: Record<string, unknown> = {}): Weakening {
  const want: Weakening = { kind: 'docker', settings: { ...settings, ...(hostConfig ? { hostConfig } : {}) } };
  const w = dockerWeakenings.find((x) => sameWeakening(x, want));
  if (!w) throw new Error(`targets/docker/weakenings.ts does not list ${weakeningLabel(want)}`);
  return w;
}

const LOOP0 = '/dev/loop0';
const SYS_ADMIN = listed({ CapAdd: ['SYS_ADMIN'] });
const SYS_PTRACE = listed({ CapAdd: ['SYS_PTRACE'] });
const SYS_TIME = listed({ CapAdd: ['SYS_TIME'] });
const CGROUPNS_HOST = listed({ CgroupnsMode: 'host' });
const SECCOMP_UNCONFINED = listed({ SecurityOpt: ['seccomp=unconfined'] });
const NO_PIDS = listed({ PidsLimit: 0 });
const NO_MEMORY = listed({ Memory: 0, MemorySwap: 0 });
const NO_CPUS = listed({ NanoCpus: 0 });
const SYSTEMPATHS = listed({ MaskedPaths: [], ReadonlyPaths: [] });
const DEVICE_LOOP0 = listed({ Devices: [{ PathOnHost: LOOP0, PathInContainer: LOOP0, CgroupPermissions: 'rwm' }] });

/*
 * Every reference asks for the profile, a private cgroup namespace among it: whether CAP_SYS_ADMIN
 * reaches a release_agent then depends on the weakening, not on the daemon's default cgroupns
 * (host on Docker 20.10 with cgroup v1, private on cgroup v2).
 */
const RUNS: Run[] = [
  { weakening: listed({ PidMode: 'host' }), name: 'docker-pidmode-host', reference: PROFILE },
  { weakening: listed({ NetworkMode: 'host' }), name: 'docker-networkmode-host', reference: PROFILE },
  { weakening: listed({ IpcMode: 'host' }), name: 'docker-ipcmode-host', reference: PROFILE },
  { weakening: listed({ UTSMode: 'host' }), name: 'docker-utsmode-host', reference: PROFILE },
  { weakening: CGROUPNS_HOST, name: 'docker-cgroupnsmode-host', reference: PROFILE },
  { weakening: SYS_ADMIN, name: 'docker-capadd-sys-admin', reference: PROFILE },
  { weakening: SYS_PTRACE, name: 'docker-capadd-sys-ptrace', reference: PROFILE },
  { weakening: SYS_TIME, name: 'docker-capadd-sys-time', reference: PROFILE },
  {
    weakening: listed({ CapAdd: ['SYS_ADMIN'], CgroupnsMode: 'host' }),
    name: 'docker-capadd-sys-admin-cgroupns-host',
    reference: PROFILE,
    alsoFlips: [SYS_ADMIN, CGROUPNS_HOST],
    unavailable: () => (hasV1Hierarchy() ? null : 'no cgroup v1 hierarchy exists on this host (pure cgroup v2): no release_agent to reach'),
  },
  {
    weakening: listed({ SecurityOpt: ['apparmor=unconfined'] }),
    name: 'docker-apparmor-unconfined',
    reference: PROFILE,
    unavailable: () => {
      const lsm = readHostLsm();
      return lsm.active === 'apparmor' ? null : `the host does not enable AppArmor (${lsm.evidence})`;
    },
  },
  { weakening: SECCOMP_UNCONFINED, name: 'docker-seccomp-unconfined', reference: HARDENED },
  { weakening: NO_PIDS, name: 'docker-no-pidslimit', reference: PROFILE },
  { weakening: NO_MEMORY, name: 'docker-no-memory', reference: PROFILE },
  { weakening: NO_CPUS, name: 'docker-no-nanocpus', reference: PROFILE },
  {
    weakening: listed({ PidsLimit: 0, Memory: 0, MemorySwap: 0, NanoCpus: 0 }),
    name: 'docker-no-limits',
    reference: PROFILE,
    alsoFlips: [NO_PIDS, NO_MEMORY, NO_CPUS],
  },
  { weakening: listed({ Binds: ['/var/run/docker.sock:/var/run/docker.sock'] }), name: 'docker-bind-docker-sock', reference: PROFILE },
  { weakening: SYSTEMPATHS, name: 'docker-systempaths-unconfined', reference: PROFILE },
  {
    weakening: DEVICE_LOOP0,
    name: 'docker-device-loop0',
    reference: PROFILE,
    unavailable: () => (fs.existsSync(LOOP0) ? null : `${LOOP0} does not exist on this machine (no loop driver?)`),
  },
  { weakening: listed(null, { noNewPrivs: false }), name: 'docker-no-new-privileges', reference: PROFILE },
  // The cross area's joins: only the sibling pair changes, so every other check stays as on DEFAULT.
  { weakening: listed(null, { joinSibling: ['pid'] }), name: 'docker-join-sibling-pid', reference: DEFAULT },
  { weakening: listed(null, { joinSibling: ['ipc'] }), name: 'docker-join-sibling-ipc', reference: DEFAULT },
  { weakening: listed(null, { joinSibling: ['net'] }), name: 'docker-join-sibling-net', reference: DEFAULT },
  {
    weakening: listed({ Privileged: true }),
    name: 'docker-privileged',
    reference: HARDENED,
    refusable: true,
    alsoFlips: [SECCOMP_UNCONFINED, SYS_ADMIN, SYS_PTRACE, SYS_TIME, DEVICE_LOOP0, SYSTEMPATHS],
  },
];

/** The weakening's settings over its reference's (HostConfig fields one level down), parsed as a docker target. */
function targetOf(r: Run): DockerTargetConfig {
  const { hostConfig, ...rest } = r.weakening.settings as { hostConfig?: Record<string, unknown> };
  const merged = { ...r.reference.hostConfig, ...hostConfig };
  const raw = { ...r.reference, ...rest, name: r.name, ...(Object.keys(merged).length ? { hostConfig: merged } : {}) };
  return parseTargetConfig({ targets: [raw] }, 'targets/docker/weakenings.ts')[0] as DockerTargetConfig;
}

const TARGETS = new Map(RUNS.map((r) => [r, targetOf(r)]));

/** A cgroup v1 hierarchy exists (a /proc/self/cgroup line other than the v2 "0::"). */
function hasV1Hierarchy(): boolean {
  return fs
    .readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .some((l) => /^[1-9]\d*:/.test(l));
}

const runnable = RUNS.filter((r) => !r.unavailable?.());

/**
 * The checks a weakening must flip: what the catalogue names, less those the reference skips because
 * the host enables no LSM (nothing to turn off; the check's own skip says so on both targets).
 */
function mustFlip(r: Run, ref: TargetResult): string[] {
  const noLsm = new Set(ref.checks.filter((c) => c.status === 'skip' && c.requirement === 'lsm').map((c) => c.id));
  return named(r).filter((id) => !noLsm.has(id));
}

/** The checks naming the weakening or one it implies, less those it flips only on a host condition this host lacks. */
function named(r: Run): string[] {
  const here = (n: Weakening) => n.flipsOnlyWith !== 'cgroup-v1' || hasV1Hierarchy();
  const flips = (c: Check, w: Weakening) => c.negativeControls.some((n) => sameWeakening(n, w) && here(n));
  return CATALOGUE.filter((c) => [r.weakening, ...(r.alsoFlips ?? [])].some((w) => flips(c, w)))
    .map((c) => c.id)
    .sort();
}

/**
 * The daemon's refusal to start a refusable weakening where the harness lacks a capability that
 * it would grant (this VM: CAP_SYS_RESOURCE, so no --privileged), else null.
 */
function refusal(r: Run, t: TargetResult): string | null {
  if (!r.refusable || !t.error) return null;
  const missing = CAP_NAMES.filter((c) => !capNames(parseStatus(fs.readFileSync('/proc/self/status', 'utf8')).capBnd).includes(c));
  if (missing.length === 0 || !/docker (container )?(create|start): daemon error/.test(t.error)) return null;
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
    const targets = [DEFAULT, PROFILE, HARDENED, ...runnable.map((r) => TARGETS.get(r)!)];
    const t0 = performance.now();
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets, profile: 'strict' });
    process.stdout.write(`    ${targets.length} Docker targets in one run: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  });

  it('runs every target without a harness error (a refusable weakening may be refused by the daemon)', () => {
    for (const t of results.targets) {
      const r = RUNS.find((x) => x.name === t.name);
      if (r && refusal(r, t)) continue;
      expect(errors(t), t.name).to.deep.equal([]);
    }
  });

  it('reports the daemon: version, runtimes, cgroup driver and version, security options, default cgroupns', () => {
    expect(byName('docker').info).to.include.keys('engine', 'runtimes', 'cgroupDriver', 'cgroupVersion', 'securityOptions', 'defaultCgroupnsMode');
    expect(byName('docker').info.engine).to.match(/^Docker \d+\.\d+/);
  });

  it('passes the baseline pid, mnt, net, uts and ipc checks on default Docker', () => {
    const t = byName('docker');
    // The checks Docker's evidence can decide (not the gVisor sandbox checks, which read `sandbox`).
    const baseline = CATALOGUE.filter(
      (c) => ['pid', 'mnt', 'net', 'uts', 'ipc'].includes(c.area) && c.profiles.includes('baseline') && c.needs.every((n) => t.provides?.includes(n)),
    );
    expect(baseline.length).to.be.greaterThan(15);
    const s = statuses(t);
    expect(Object.fromEntries(baseline.map((c) => [c.id, s[c.id]]))).to.deep.equal(Object.fromEntries(baseline.map((c) => [c.id, 'pass'])));
  });

  it("shows default Docker's missing user and time namespaces under strict (no userns-remap, no time namespace)", () => {
    const s = statuses(byName('docker'));
    expect([s['user.own-ns'], s['time.own-ns'], s['time.offsets-applied']]).to.deep.equal(['fail', 'fail', 'skip']);
  });

  for (const r of RUNS) {
    const labels = [r.weakening, ...(r.alsoFlips ?? [])].map(weakeningLabel).join(' / ');
    it(`${r.name}: the checks naming ${labels} fail (pass on ${r.reference.name}), the others as on ${r.reference.name}`, function () {
      const why = r.unavailable?.() ?? refusal(r, byName(r.name));
      if (why) {
        process.stdout.write(`    skipped: ${why}\n`);
        this.skip();
      }
      const flip = mustFlip(r, byName(r.reference.name));
      expect(flip, `no check names ${labels}`).to.not.be.empty;
      const ref = statuses(byName(r.reference.name));
      const want = Object.fromEntries(
        Object.entries(ref).map(([id, st]) => [
          id,
          expectedBeside(CATALOGUE.find((c) => c.id === id)!, st, flip, byName(r.name).request, byName(r.reference.name).request),
        ]),
      );
      expect(Object.fromEntries(flip.map((id) => [id, ref[id]])), `on ${r.reference.name}`).to.deep.equal(Object.fromEntries(flip.map((id) => [id, 'pass'])));
      expect(statuses(byName(r.name))).to.deep.equal(want);
    });
  }

  it('runs every weakening targets/docker/weakenings.ts lists, once', () => {
    expect(dockerWeakenings.map((w) => RUNS.filter((r) => r.weakening === w).length)).to.deep.equal(dockerWeakenings.map(() => 1));
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

/**
 * The acceptance: Docker as its users run it has neither limits nor no_new_privs, and
 * `restricted` says so with the daemon's default named as the source; a user's config that sets
 * them passes, sourced to that config. Only the checks of these settings are evaluated.
 */
describe("Docker's defaults and a user's own hardening, under restricted", function () {
  this.timeout(180_000);
  const client = dockerClient();
  const HARDENED_BY_USER = docker('docker-user-hardened', { PidsLimit: 100, Memory: 268_435_456, NanoCpus: 1e9, SecurityOpt: ['no-new-privileges'] });
  const IDS = ['cgroup.limits-set', 'cgroup.pids-enforced', 'cgroup.memory-enforced', 'cgroup.cpu-enforced', 'security.no-new-privs'];
  let results: RunResults;
  const check = (target: string, id: string) => results.targets.find((t) => t.name === target)!.checks.find((c) => c.id === id)!;

  before(async function () {
    await requireDaemon(this, client);
    const grep = `^(${IDS.map((id) => id.replace(/\./g, '\\.')).join('|')})$`;
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: [DEFAULT, HARDENED_BY_USER], profile: 'restricted', grep });
  });

  it('default Docker fails cgroup.limits-set and security.no-new-privs (required), naming the runtime default', () => {
    const limits = check('docker', 'cgroup.limits-set');
    expect([limits.status, limits.required]).to.deep.equal(['fail', true]);
    for (const file of ['pids.max=max', 'memory.limit_in_bytes=', 'cpu.cfs_quota_us=-1'])
      expect(limits.evidence).to.match(new RegExp(`${file}\\S* \\(runtime default: nobody asked\\)`));
    const nnp = check('docker', 'security.no-new-privs');
    expect([nnp.status, nnp.required]).to.deep.equal(['fail', true]);
    expect(nnp.evidence).to.include('NoNewPrivs: false (runtime default: nobody asked)');
    expect(results.targets.find((t) => t.name === 'docker')!.request).to.not.have.any.keys('limits.pids', 'limits.memory', 'limits.cpu', 'noNewPrivs');
  });

  it('a config with PidsLimit, Memory, NanoCpus and no-new-privileges passes them and the enforcement checks, sourced to the config', () => {
    expect(Object.fromEntries(IDS.map((id) => [id, check('docker-user-hardened', id).status]))).to.deep.equal(
      Object.fromEntries(IDS.map((id) => [id, 'pass'])),
    );
    expect(check('docker-user-hardened', 'cgroup.limits-set').evidence).to.include('pids.max=100 (user config: asked 100)');
    expect(check('docker-user-hardened', 'security.no-new-privs').evidence).to.include('NoNewPrivs: true (user config: asked true)');
    const r = results.targets.find((t) => t.name === 'docker-user-hardened')!.request!;
    expect(['limits.pids', 'limits.memory', 'limits.cpu', 'noNewPrivs'].map((k) => r[k as keyof typeof r]?.source)).to.deep.equal([
      'user config',
      'user config',
      'user config',
      'user config',
    ]);
  });
});
