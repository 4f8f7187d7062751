/**
 * systemd-nspawn end to end: the default nspawn target (nspawn's defaults as root, see
 * targets/nspawn/argv.ts), its --private-network variant, and each of its weakenings. caps=all
 * and seccomp=none are the built-in runtime's weakenings of the same settings against default
 * nspawn; share=net is nspawn's own default, so it is judged against the --private-network
 * target: the checks naming the built-in weakening must fail on the weakened target where they
 * pass on its reference, and every other check must keep the reference's status. Default nspawn's
 * failures are findings about nspawn's defaults (the host's network and user namespace, a broad
 * capability set, no no_new_privs): its whole verdict list is printed. Then: nothing left behind,
 * Ctrl-C, a SIGKILLed nspawn (its container and state outlive it: clean removes them) and a
 * SIGKILLed run. nspawn comes with scripts/docker-up.sh (npm test, package systemd-container).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { runSuite } from '../../engine/run.js';
import { listDir } from '../../host/files.js';
import { scanLeftovers } from '../../host/leftovers.js';
import { RUN_ROOT } from '../../host/paths.js';
import { procStartTime } from '../../host/proc.js';
import { pidAlive } from '../../host/process.js';
import { findProcesses } from '../../host/proc-tree.js';
import { findBinary } from '../../host/which.js';
import type { Resource } from '../../model/journal.js';
import type { RunResults } from '../../model/results.js';
import { PROBE_PATH } from '../../model/target.js';
import { weakeningLabel, type Weakening } from '../../model/weakening.js';
import { projectProbeFiles } from '../../targets/common/probe-files.js';
import { buildTemplate } from '../../targets/common/rootfs.js';
import { containerCgroups, killCgroups, makeCgroups, nspawnHierarchies, placedCommand, removeCgroups } from '../../targets/nspawn/cgroup.js';
import { nspawnsIn } from '../../targets/nspawn/clean.js';
import { nspawn } from '../../targets/nspawn/driver.js';
import { findProbePid } from '../../targets/nspawn/sandbox.js';
import { lockFiles, propagateDir } from '../../targets/nspawn/state.js';
import { NSPAWN_WEAKENINGS } from '../../targets/nspawn/weakenings.js';
import { DRIVERS, parseTargetConfig } from '../../targets/registry.js';
import { interruptedRun, runDirsOf } from './interrupted-run.js';
import { checksFlippedBy } from './negative-controls.js';
import {
  CLI,
  deadEntries,
  deadPid,
  errors,
  expectFlippedExactly,
  LIMIT_AND_OFFSET_CHECKS,
  NEXT_RUN_ATTEMPTS,
  NEXT_RUN_PAUSE_MS,
  nextRunReaps,
  requireTool,
  statuses,
  waitFor,
} from './sandbox-e2e.js';

const PRIVATE_NET = 'nspawn-private-network';
/** The weakened target of each weakening and the target it is judged against. */
function pairOf(w: Weakening): { weakened: string; reference: string } {
  if ('share' in w.settings) return { weakened: 'nspawn', reference: PRIVATE_NET };
  return { weakened: weakeningLabel(w).replace(/[^a-z0-9]+/g, '-'), reference: 'nspawn' };
}

const TARGETS = parseTargetConfig(
  {
    targets: [
      { name: 'nspawn', runtime: 'nspawn' },
      { name: PRIVATE_NET, runtime: 'nspawn', share: [] },
      ...NSPAWN_WEAKENINGS.filter((w) => !('share' in w.settings)).map((w) => ({ name: pairOf(w).weakened, runtime: 'nspawn', ...w.settings })),
    ],
  },
  'nspawn.test.ts',
);

/** nspawn's namespaces by default (measured with systemd 252): cgroup among them; net, user and time the host's. */
const OWN = ['pid', 'mnt', 'uts', 'ipc', 'cgroup'];
const HOSTS = ['net', 'user', 'time'];

/** nspawn processes of a run (by its pid): their root is in that run's directory. */
function nspawnsOf(pid: number): string[] {
  return nspawnsIn(
    listDir(RUN_ROOT)
      .filter((n) => n.startsWith(`run-${pid}-`))
      .map((n) => path.join(RUN_ROOT, n)),
  );
}

/** nspawn's state of machines named for a run (machine names carry the run directory's name). */
function machineStateOf(pid: number): string[] {
  return ['locks', 'propagate'].flatMap((d) =>
    listDir(path.join('/run/systemd/nspawn', d))
      .filter((n) => d === 'locks' || n.startsWith(`isoprobe-run-${pid}-`))
      .map((n) => `${d}/${n}`),
  );
}

function probes(): number[] {
  return findProcesses((argv) => argv[0] === PROBE_PATH).map((p) => p.pid);
}

describe('systemd-nspawn, end to end', function () {
  this.timeout(NEXT_RUN_ATTEMPTS * NEXT_RUN_PAUSE_MS + 300_000);
  let results: RunResults;
  let already: ReturnType<typeof scanLeftovers>;
  const byName = (name: string) => results.targets.find((t) => t.name === name)!;

  before(async function () {
    requireTool(this, 'systemd-nspawn', 'systemd-nspawn');
    already = scanLeftovers();
    const t0 = performance.now();
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: TARGETS, profile: 'strict' });
    process.stdout.write(`    ${TARGETS.length} nspawn targets in one run: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  });

  it('runs every nspawn target without a target or harness error', () => {
    for (const t of results.targets) expect(errors(t), t.name).to.deep.equal([]);
    expect(results.targets).to.have.length(TARGETS.length);
  });

  it("default nspawn: its own mount, pid, UTS, IPC and cgroup namespaces, the host's network, user and time ones (its whole verdict list below)", () => {
    const t = byName('nspawn');
    const s = statuses(t);
    const want = Object.fromEntries([...OWN.map((ns) => [`${ns}.own-ns`, 'pass']), ...HOSTS.map((ns) => [`${ns}.own-ns`, 'fail'])]);
    expect(Object.fromEntries(Object.keys(want).map((id) => [id, s[id]]))).to.deep.equal(want);
    expect(statuses(byName(PRIVATE_NET))['net.own-ns']).to.equal('pass');
    for (const c of t.checks) process.stdout.write(`      ${c.status.padEnd(4)} ${c.id}${c.status === 'skip' ? ` (${c.requirement}: ${c.reason})` : ''}\n`);
  });

  it('default nspawn: the checks of what nspawn cannot be asked for here skip with target-feature', () => {
    const t = byName('nspawn');
    expect(Object.fromEntries(t.checks.filter((c) => LIMIT_AND_OFFSET_CHECKS.includes(c.id)).map((c) => [c.id, `${c.status} ${c.requirement}`]))).to.deep.equal(
      Object.fromEntries(LIMIT_AND_OFFSET_CHECKS.map((id) => [id, 'skip target-feature'])),
    );
  });

  it("records what isoprobe requested of nspawn, and from whom, in the target's info", () => {
    const info = byName('nspawn').info;
    expect(info.version).to.match(/^systemd \d+/);
    expect(info.spec).to.include('systemd=--keep-unit --register=no');
    expect(byName(PRIVATE_NET).info.spec).to.include('--private-network');
  });

  for (const w of NSPAWN_WEAKENINGS) {
    const { weakened, reference } = pairOf(w);
    it(`${weakeningLabel(w)}: the checks naming ${weakeningLabel({ ...w, kind: 'builtin' })} that pass on ${reference} fail, the others as there`, () => {
      const ref = statuses(byName(reference));
      const flip = checksFlippedBy({ ...w, kind: 'builtin' }, CATALOGUE).filter((id) => ref[id] === 'pass');
      expect(flip, `no check naming ${weakeningLabel({ ...w, kind: 'builtin' })} passes on ${reference}: this weakening shows nothing`).to.not.be.empty;
      const t = byName(weakened);
      expectFlippedExactly(byName(reference), t, flip);
    });
  }

  it('leaves no container, cgroup, mount, process, lock, machine state or run directory behind', () => {
    expect(nspawnsOf(process.pid)).to.deep.equal([]);
    expect(machineStateOf(process.pid)).to.deep.equal([]);
    expect(scanLeftovers()).to.deep.equal(already);
    expect(runDirsOf(process.pid)).to.deep.equal([]);
  });

  it('Ctrl-C while nspawn containers run leaves none of them behind', async () => {
    const run = await interruptedRun('nspawn', (pid) => nspawnsOf(pid).length > 0);
    expect(run.seen, 'no container was ever seen').to.equal(true);
    expect(run.code, run.stderr).to.equal(130);
    expect(nspawnsOf(run.pid)).to.deep.equal([]);
    expect(machineStateOf(run.pid)).to.deep.equal([]);
    expect(runDirsOf(run.pid)).to.deep.equal([]);
  });

  it('a SIGKILLed nspawn leaves its container and its state; clean and the cgroups reaping remove them', async () => {
    const owner = deadPid();
    const runDir = path.join(RUN_ROOT, `run-${owner}-nspawntest`);
    const machine = `isoprobe-run-${owner}-nspawntest-1`;
    const root = path.join(runDir, machine);
    buildTemplate(root, projectProbeFiles());
    fs.mkdirSync(path.join(root, 'usr'));
    const cgroups = containerCgroups(nspawnHierarchies(fs.readFileSync('/proc/self/mountinfo', 'utf8')), machine);
    makeCgroups(cgroups);
    const args = ['-q', '--keep-unit', '--register=no', '--console=pipe', `--machine=${machine}`, '-D', root, '--', PROBE_PATH, 'facts', '--wait-stdin'];
    const cmd = placedCommand(
      cgroups.map((c) => `${c}/cgroup.procs`),
      findBinary('systemd-nspawn')!,
      args,
    );
    const before = new Set(probes());
    const child = spawn(cmd.binary, cmd.argv, { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    const exited = once(child, 'exit');
    try {
      expect(await waitFor(() => findProbePid(child.pid!) !== null, 10_000), 'the container never started').to.equal(true);
      const payload = findProbePid(child.pid!)!;
      const entry: Resource = { kind: 'nspawn', pid: child.pid!, start: procStartTime(child.pid!)!, runDir, machine };
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
      // Measured: the container outlives nspawn, and so do nspawn's locks and propagate directory.
      expect(pidAlive(payload), 'the payload died with nspawn').to.equal(true);
      const state = [...lockFiles(root), propagateDir(machine)].filter((p) => fs.existsSync(p));
      expect(state).to.have.length(3);
      const [item] = await nspawn.clean({ inUse: () => null, entries: [entry], shared: false, keep: () => {} });
      expect(item!.remaining).to.deep.equal([]);
      expect(item!.found).to.include.members(state);
      expect(state.filter((p) => fs.existsSync(p))).to.deep.equal([]);
      // The host's reaper's part: the journalled cgroups, what runs in them killed.
      killCgroups(cgroups);
      await removeCgroups(cgroups);
      expect(await waitFor(() => !pidAlive(payload), 5_000), 'the payload outlived its cgroup').to.equal(true);
      expect(probes().filter((p) => !before.has(p) && p === payload)).to.deep.equal([]);
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

  it('a SIGKILLed run: clean removes its nspawn containers and their state; the next run reaps the rest', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-nspawn-kill-'));
    try {
      const child = spawn(process.execPath, [CLI, 'run', '--runtime', 'nspawn', '--out', dir], { stdio: 'ignore' });
      const exited = once(child, 'exit');
      const seen = await waitFor(() => nspawnsOf(child.pid!).length > 0, 30_000);
      child.kill('SIGKILL'); // only the harness: nspawn is in a process group of its own
      await exited;
      expect(seen, 'no container was ever seen').to.equal(true);
      const [item] = await nspawn.clean({ inUse: () => null, entries: deadEntries('nspawn'), shared: false, keep: () => {} });
      process.stdout.write(`      clean: ${item!.found.length} found, ${item!.remaining.length} remaining\n`);
      expect(item!.remaining).to.deep.equal([]);
      expect(nspawnsOf(child.pid!)).to.deep.equal([]);
      expect(machineStateOf(child.pid!)).to.deep.equal([]);
      if (!(await nextRunReaps('nspawn', dir))) this.skip();
      expect(runDirsOf(child.pid!)).to.deep.equal([]);
      expect(scanLeftovers().cgroups.filter((c) => c.includes(`isoprobe-run-${child.pid}-`))).to.deep.equal([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
