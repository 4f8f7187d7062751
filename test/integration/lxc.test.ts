/**
 * LXC end to end: the default lxc target (LXC's defaults as root, see targets/lxc/conf.ts), its
 * `idmap` variant (a user namespace of its own) and each of its weakenings. Each weakening is the
 * built-in runtime's weakening of the same setting: the checks naming that one must fail on the
 * weakened target where they pass on its reference, and every other check must keep the
 * reference's status. The reference is the default target, but for the default target itself,
 * which is the control of the idmap one (no lxc.idmap: the host's user namespace, the built-in
 * share=user). Default LXC's failures are findings about LXC's defaults (the host's user
 * namespace, a broad capability set, no no_new_privs): its whole verdict list is printed. Then:
 * nothing left behind, Ctrl-C, a SIGKILLed lxc-execute (its container outlives it: the cgroups'
 * reaping ends it) and a SIGKILLed run. LXC comes with scripts/docker-up.sh (npm test, package
 * lxc); the idmap target's range with scripts/lxc-idmap.sh, which the set-up here runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { runSuite } from '../../engine/run.js';
import { detectCgroupLayout } from '../../host/cgroup.js';
import { listDir } from '../../host/files.js';
import { scanLeftovers } from '../../host/leftovers.js';
import { REPO_ROOT, RUN_ROOT } from '../../host/paths.js';
import { pidAlive } from '../../host/process.js';
import { findBinary } from '../../host/which.js';
import type { RunResults } from '../../model/results.js';
import { DEFAULT_SPEC } from '../../model/spec.js';
import { PROBE_PATH } from '../../model/target.js';
import { sameWeakening, weakeningLabel, type Weakening } from '../../model/weakening.js';
import { projectProbeFiles } from '../../targets/common/probe-files.js';
import { buildTemplate, makeScratch } from '../../targets/common/rootfs.js';
import { containerCgroups, killCgroups, lxcHierarchies, relativeCgroup, removeCgroups } from '../../targets/lxc/cgroup.js';
import { lxcExecutesIn } from '../../targets/lxc/clean.js';
import { lxcConfig } from '../../targets/lxc/conf.js';
import { lxc } from '../../targets/lxc/driver.js';
import { findProbePid, lxcExecuteArgv } from '../../targets/lxc/sandbox.js';
import { LXC_WEAKENINGS } from '../../targets/lxc/weakenings.js';
import { DRIVERS, parseTargetConfig } from '../../targets/registry.js';
import { interruptedRun, runDirsOf } from './interrupted-run.js';
import { checksFlippedBy } from './negative-controls.js';
import {
  CLI,
  deadEntries,
  deadPid,
  errors,
  expectFlippedExactly,
  NEXT_RUN_ATTEMPTS,
  NEXT_RUN_PAUSE_MS,
  nextRunReaps,
  requireTool,
  statuses,
  waitFor,
} from './sandbox-e2e.js';

const IDMAP = 'lxc-idmap';
const isNoIdmap = (w: Weakening) => w.settings.idmap === false;
/** The built-in weakening a control is the twin of: share=user for "no idmap", the same settings otherwise. */
const twinOf = (w: Weakening): Weakening => (isNoIdmap(w) ? { kind: 'builtin', settings: { share: ['user'] } } : { ...w, kind: 'builtin' });
/** The weakened target of each weakening and the target it is judged against. */
function pairOf(w: Weakening): { weakened: string; reference: string } {
  if (isNoIdmap(w)) return { weakened: 'lxc', reference: IDMAP };
  return { weakened: weakeningLabel(w).replace(/[^a-z0-9]+/g, '-'), reference: 'lxc' };
}

const TARGETS = parseTargetConfig(
  {
    targets: [
      { name: 'lxc', runtime: 'lxc' },
      { name: IDMAP, runtime: 'lxc', idmap: true },
      ...LXC_WEAKENINGS.filter((w) => !isNoIdmap(w)).map((w) => ({ name: pairOf(w).weakened, runtime: 'lxc', ...w.settings })),
    ],
  },
  'lxc.test.ts',
);

/** LXC's namespaces by default as root (measured with lxc 5.0.2), a time one for the offsets isoprobe asks; the user one the host's. */
const OWN = ['pid', 'mnt', 'net', 'uts', 'ipc', 'cgroup', 'time'];
/** What LXC, unlike the other sandboxes, can be asked for: limits and time offsets are judged, not skipped. */
const SETTABLE = ['time.offsets-applied', 'cgroup.limits-set', 'cgroup.pids-enforced', 'cgroup.memory-enforced', 'cgroup.cpu-enforced'];

/** lxc-execute processes of a run (by its pid): their lxcpath is in that run's directory. */
function lxcExecutesOf(pid: number): string[] {
  return lxcExecutesIn(
    listDir(RUN_ROOT)
      .filter((n) => n.startsWith(`run-${pid}-`))
      .map((n) => path.join(RUN_ROOT, n, 'lxc')),
  );
}

/** The cgroups of a run's containers (their names carry the run directory's name). */
function cgroupsOf(pid: number): string[] {
  return lxcHierarchies(fs.readFileSync('/proc/self/mountinfo', 'utf8')).flatMap((h) =>
    listDir(path.join(h, 'isoprobe'))
      .filter((n) => n.startsWith(`isoprobe-run-${pid}-`))
      .map((n) => path.join(h, 'isoprobe', n)),
  );
}

describe('LXC, end to end', function () {
  this.timeout(NEXT_RUN_ATTEMPTS * NEXT_RUN_PAUSE_MS + 300_000);
  let results: RunResults;
  let already: ReturnType<typeof scanLeftovers>;
  const byName = (name: string) => results.targets.find((t) => t.name === name)!;

  before(async function () {
    requireTool(this, 'lxc-execute', 'lxc');
    const setup = spawnSync('bash', ['scripts/lxc-idmap.sh'], { encoding: 'utf8', cwd: REPO_ROOT });
    expect(setup.status, setup.stderr).to.equal(0);
    already = scanLeftovers();
    const t0 = performance.now();
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: TARGETS, profile: 'strict' });
    process.stdout.write(`    ${TARGETS.length} LXC targets in one run: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  });

  it('runs every LXC target without a target or harness error', () => {
    for (const t of results.targets) expect(errors(t), t.name).to.deep.equal([]);
    expect(results.targets).to.have.length(TARGETS.length);
  });

  it("default LXC: every namespace of its own but the user one, which is the host's (its whole verdict list below)", () => {
    const t = byName('lxc');
    const s = statuses(t);
    const want = Object.fromEntries([...OWN.map((ns) => [`${ns}.own-ns`, 'pass']), ['user.own-ns', 'fail']]);
    expect(Object.fromEntries(Object.keys(want).map((id) => [id, s[id]]))).to.deep.equal(want);
    expect(statuses(byName(IDMAP))['user.own-ns']).to.equal('pass');
    for (const c of t.checks) process.stdout.write(`      ${c.status.padEnd(4)} ${c.id}${c.status === 'skip' ? ` (${c.requirement}: ${c.reason})` : ''}\n`);
  });

  it('default LXC: the limits and time offsets it was asked for are judged, and hold', () => {
    const t = byName('lxc');
    if (results.environment.cgroupMode === 'none') return;
    expect(Object.fromEntries(t.checks.filter((c) => SETTABLE.includes(c.id)).map((c) => [c.id, c.status]))).to.deep.equal(
      Object.fromEntries(SETTABLE.map((id) => [id, 'pass'])),
    );
  });

  it("records what isoprobe requested of LXC, and from whom, in the target's info", () => {
    const info = byName('lxc').info;
    expect(info.version).to.match(/^\d+\.\d+/);
    expect(info.spec).to.include('network=lxc.net.0.type = empty');
    expect(info.requestedBy).to.match(/isoprobe: .*limits.*network.*time-offsets/);
    expect(byName(IDMAP).info.spec).to.include('idmap=lxc.idmap');
  });

  for (const w of LXC_WEAKENINGS) {
    const { weakened, reference } = pairOf(w);
    it(`${weakeningLabel(w)}: the checks naming ${weakeningLabel(twinOf(w))} that pass on ${reference} fail, the others as there`, () => {
      const ref = statuses(byName(reference));
      // The twin's checks, and those naming the LXC control itself (where the host has what it needs).
      const here = (n: Weakening) => n.flipsOnlyWith !== 'cgroup-v1' || results.environment.cgroupMode !== 'v2';
      const own = CATALOGUE.filter((c) => c.negativeControls.some((n) => sameWeakening(n, w) && here(n))).map((c) => c.id);
      const flip = [...new Set([...checksFlippedBy(twinOf(w), CATALOGUE), ...own])].filter((id) => ref[id] === 'pass');
      expect(flip, `no check naming ${weakeningLabel(twinOf(w))} passes on ${reference}: this weakening shows nothing`).to.not.be.empty;
      const t = byName(weakened);
      expectFlippedExactly(byName(reference), t, flip);
    });
  }

  it('leaves no container, cgroup, mount, process or run directory behind', () => {
    expect(lxcExecutesOf(process.pid)).to.deep.equal([]);
    expect(cgroupsOf(process.pid)).to.deep.equal([]);
    expect(scanLeftovers()).to.deep.equal(already);
    expect(runDirsOf(process.pid)).to.deep.equal([]);
  });

  it('Ctrl-C while LXC containers run leaves none of them behind', async () => {
    const run = await interruptedRun('lxc', (pid) => lxcExecutesOf(pid).length > 0);
    expect(run.seen, 'no container was ever seen').to.equal(true);
    expect(run.code, run.stderr).to.equal(130);
    expect(lxcExecutesOf(run.pid)).to.deep.equal([]);
    expect(cgroupsOf(run.pid)).to.deep.equal([]);
    expect(runDirsOf(run.pid)).to.deep.equal([]);
  });

  it('a SIGKILLed lxc-execute leaves its container running; clean and the cgroups reaping end it', async () => {
    const owner = deadPid();
    const runDir = path.join(RUN_ROOT, `run-${owner}-lxctest`);
    const name = `isoprobe-run-${owner}-lxctest-1`;
    const lxcpath = path.join(runDir, 'lxc');
    const root = path.join(runDir, name);
    const scratch = path.join(runDir, `${name}-scratch`);
    const configFile = path.join(runDir, `${name}.conf`);
    const mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    const cgroups = containerCgroups(lxcHierarchies(mountinfo), name);
    fs.mkdirSync(lxcpath, { recursive: true });
    buildTemplate(root, projectProbeFiles());
    makeScratch(scratch, 0, 0);
    const req = { hostname: 'isoprobe', share: [], idmap: null, caps: 'default', seccomp: 'default', noNewPrivs: false, env: {}, config: [] } as const;
    const conf = lxcConfig(
      { ...req, limits: DEFAULT_SPEC.limits, timeOffsets: DEFAULT_SPEC.timeOffsets },
      { root, scratch, cgroup: relativeCgroup(name) },
      detectCgroupLayout(mountinfo),
    );
    fs.writeFileSync(configFile, conf);
    const child = spawn(findBinary('lxc-execute')!, lxcExecuteArgv({ name, lxcpath, configFile, argv: [PROBE_PATH, 'facts', '--wait-stdin'] }), {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    const exited = once(child, 'exit');
    try {
      expect(await waitFor(() => findProbePid(child.pid!) !== null, 10_000), 'the container never started').to.equal(true);
      const probe = findProbePid(child.pid!)!;
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
      // Measured: the container's init and probe outlive lxc-execute (a session of their own).
      expect(pidAlive(probe), 'the probe died with lxc-execute').to.equal(true);
      const [item] = await lxc.clean({ inUse: () => null, entries: [{ kind: 'lxc', lxcpath, name }], shared: false, keep: () => {} });
      expect(item!.remaining).to.deep.equal([]);
      // The host's reaper's part: the journalled cgroups, what runs in them killed.
      killCgroups(cgroups);
      await removeCgroups(cgroups);
      expect(await waitFor(() => !pidAlive(probe), 5_000), 'the probe outlived its cgroup').to.equal(true);
      expect(cgroups.filter((c) => fs.existsSync(c))).to.deep.equal([]);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      killCgroups(cgroups);
      await removeCgroups(cgroups);
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });

  it('a SIGKILLed run: clean removes its LXC containers; the next run reaps the rest', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-lxc-kill-'));
    try {
      const child = spawn(process.execPath, [CLI, 'run', '--runtime', 'lxc', '--out', dir], { stdio: 'ignore' });
      const exited = once(child, 'exit');
      const seen = await waitFor(() => lxcExecutesOf(child.pid!).length > 0, 30_000);
      child.kill('SIGKILL'); // only the harness: lxc-execute is in a process group of its own
      await exited;
      expect(seen, 'no container was ever seen').to.equal(true);
      const [item] = await lxc.clean({ inUse: () => null, entries: deadEntries('lxc'), shared: false, keep: () => {} });
      process.stdout.write(`      clean: ${item!.found.length} found, ${item!.remaining.length} remaining\n`);
      expect(item!.remaining).to.deep.equal([]);
      expect(lxcExecutesOf(child.pid!)).to.deep.equal([]);
      if (!(await nextRunReaps('lxc', dir))) this.skip();
      expect(runDirsOf(child.pid!)).to.deep.equal([]);
      expect(cgroupsOf(child.pid!)).to.deep.equal([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
