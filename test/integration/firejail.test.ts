/**
 * firejail end to end: the default firejail target (firejail's defaults as root: server.profile,
 * see targets/firejail/argv.ts), each of its weakenings, and a target with `net: "none"`. A
 * weakening drops lines of the profile, which is the built-in runtime's weakening of the same
 * settings: the checks that name that one must fail on it where they pass on default firejail,
 * and every other check must keep default firejail's status. Default firejail's failures are
 * findings about firejail's defaults (the host's network, user, cgroup and time namespaces, the
 * host's root, capabilities beyond Docker's set): its whole verdict list is printed, and only what
 * firejail does by construction is asserted. firejail comes with scripts/docker-up.sh (npm test);
 * these tests skip only when that script could not install it.
 */
import { spawn, spawnSync } from 'node:child_process';
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
import { lockDeadRuns, releaseDeadRuns } from '../../host/reap.js';
import type { Resource } from '../../model/journal.js';
import type { RunResults } from '../../model/results.js';
import { weakeningLabel, type Weakening } from '../../model/weakening.js';
import { processesNaming } from '../../targets/common/wrapper-clean.js';
import { firejail } from '../../targets/firejail/driver.js';
import { parseList, stateFilesOf } from '../../targets/firejail/state.js';
import { FIREJAIL_WEAKENINGS } from '../../targets/firejail/weakenings.js';
import { DRIVERS, parseTargetConfig } from '../../targets/registry.js';
import { interruptedRun, runDirsOf } from './interrupted-run.js';
import { checksFlippedBy } from './negative-controls.js';
import {
  CLI,
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

function nameOf(w: Weakening): string {
  return weakeningLabel(w).replace(/[^a-z0-9]+/g, '-');
}

const NET_NONE = { name: 'firejail-net-none', runtime: 'firejail', net: 'none' };
const CAPS_ALL = { name: 'firejail-caps-all', runtime: 'firejail', caps: 'all' };
const TARGETS = parseTargetConfig(
  {
    targets: [
      { name: 'firejail', runtime: 'firejail' },
      ...FIREJAIL_WEAKENINGS.map((w) => ({ name: nameOf(w), runtime: 'firejail', ...w.settings })),
      NET_NONE,
      CAPS_ALL,
    ],
  },
  'firejail.test.ts',
);

/** The namespaces firejail makes as root; the others it leaves the host's (the network without --net). */
const MADE = ['pid', 'mnt', 'uts', 'ipc'];
const KEPT = ['net', 'user', 'cgroup', 'time'];

/**
 * The checks naming the built-in weakening with the same settings, or this one itself (where
 * firejail's other defaults make it flip more: checks/controls.ts FIREJAIL_SECCOMP_NONE), less
 * those another of firejail's defaults still holds (HELD).
 */
function named(w: Weakening): string[] {
  const held = HELD[weakeningLabel(w)] ?? {};
  return [...new Set([...checksFlippedBy({ ...w, kind: 'builtin' }, CATALOGUE), ...checksFlippedBy(w, CATALOGUE)])].filter((id) => !(id in held));
}

/** Checks a built-in twin names that stay as on default firejail, each with the default that holds them (none yet). */
const HELD: Record<string, Record<string, string>> = {};

function runDirs(pid: number): string[] {
  return listDir(RUN_ROOT)
    .filter((n) => n.startsWith(`run-${pid}-`))
    .map((n) => path.join(RUN_ROOT, n));
}

/** firejail processes of a run (by its pid): their command line names that run's directory. */
function sandboxesOf(pid: number): string[] {
  return processesNaming(runDirs(pid), ['firejail']);
}

/** What `firejail --list` shows of a run (by its pid). */
function listedOf(pid: number): string[] {
  const out = spawnSync('firejail', ['--list'], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
  return parseList(out)
    .filter((s) => s.command.includes(`${RUN_ROOT}/run-${pid}-`))
    .map((s) => `${s.pid} ${s.command}`);
}

function deadFirejailEntries(): Extract<Resource, { kind: 'firejail' }>[] {
  const runs = lockDeadRuns();
  releaseDeadRuns(runs);
  return runs.flatMap((r) => r.entries.filter((e): e is Extract<Resource, { kind: 'firejail' }> => e.kind === 'firejail'));
}

describe('firejail, end to end', function () {
  this.timeout(NEXT_RUN_ATTEMPTS * NEXT_RUN_PAUSE_MS + 300_000);
  let results: RunResults;
  let already: ReturnType<typeof scanLeftovers>;
  const byName = (name: string) => results.targets.find((t) => t.name === name)!;

  before(async function () {
    requireTool(this, 'firejail', 'firejail');
    already = scanLeftovers();
    const t0 = performance.now();
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: TARGETS, profile: 'strict' });
    process.stdout.write(`    ${TARGETS.length} firejail targets in one run: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  });

  it('runs every firejail target without a target or harness error', () => {
    for (const t of results.targets) expect(errors(t), t.name).to.deep.equal([]);
    expect(results.targets).to.have.length(TARGETS.length);
  });

  it("default firejail: its own mount, pid, UTS and IPC namespaces; the host's network, user, cgroup and time ones (its whole verdict list below)", () => {
    const t = byName('firejail');
    const s = statuses(t);
    const own = (l: string[]) => Object.fromEntries(l.map((ns) => [`${ns}.own-ns`, s[`${ns}.own-ns`]]));
    expect(own(MADE)).to.deep.equal(Object.fromEntries(MADE.map((ns) => [`${ns}.own-ns`, 'pass'])));
    expect(own(KEPT)).to.deep.equal(Object.fromEntries(KEPT.map((ns) => [`${ns}.own-ns`, 'fail'])));
    expect(s['mnt.root-not-host']).to.equal('fail');
    for (const c of t.checks) process.stdout.write(`      ${c.status.padEnd(4)} ${c.id}${c.status === 'skip' ? ` (${c.requirement}: ${c.reason})` : ''}\n`);
  });

  it('default firejail: the checks of what firejail cannot be asked for skip with target-feature', () => {
    const t = byName('firejail');
    expect(Object.fromEntries(t.checks.filter((c) => LIMIT_AND_OFFSET_CHECKS.includes(c.id)).map((c) => [c.id, `${c.status} ${c.requirement}`]))).to.deep.equal(
      Object.fromEntries(LIMIT_AND_OFFSET_CHECKS.map((id) => [id, 'skip target-feature'])),
    );
  });

  it("records what isoprobe requested of firejail, and from whom, in the target's info", () => {
    const info = byName('firejail').info;
    expect(info.version).to.match(/^firejail version \d/);
    expect(info.spec).to.include('profile=/etc/firejail/server.profile').and.include('hostname=--hostname=');
    expect(byName(NET_NONE.name).info.spec).to.include('net=--net=none');
  });

  for (const w of FIREJAIL_WEAKENINGS) {
    it(`${weakeningLabel(w)}: the checks naming ${weakeningLabel({ ...w, kind: 'builtin' })} that pass on firejail fail, the others as on firejail`, () => {
      const ref = statuses(byName('firejail'));
      const flip = named(w).filter((id) => ref[id] === 'pass');
      expect(flip, `no check naming ${weakeningLabel({ ...w, kind: 'builtin' })} passes on default firejail: this weakening shows nothing`).to.not.be.empty;
      const t = byName(nameOf(w));
      process.stdout.write(`      flips: ${flip.join(' ')}\n`);
      expectFlippedExactly(byName('firejail'), t, flip);
    });
  }

  it('net "none" (--net=none) turns the network checks that fail on default firejail to pass', () => {
    const s = statuses(byName(NET_NONE.name));
    const ref = statuses(byName('firejail'));
    const net = ['net.own-ns', 'net.host-listener-unreachable', 'net.host-interfaces-absent', 'net.abstract-socket-unreachable'];
    expect(net.map((id) => `${id} ${ref[id]}→${s[id]}`)).to.deep.equal(net.map((id) => `${id} fail→pass`));
  });

  it('caps "all" (--ignore=caps --caps.keep=<every capability>) gives what it asks; ptrace(2) stays refused by the seccomp filter', () => {
    const s = statuses(byName(CAPS_ALL.name));
    const ref = statuses(byName('firejail'));
    expect(s['conformance.capabilities']).to.equal('pass');
    expect(['security.ptrace-refused', 'security.no-host-caps'].map((id) => `${id} ${ref[id]}→${s[id]}`)).to.deep.equal([
      'security.ptrace-refused pass→pass',
      'security.no-host-caps fail→fail',
    ]);
  });

  it('leaves no sandbox, firejail state, mount, cgroup, process, IPC object or run directory behind', () => {
    expect(sandboxesOf(process.pid)).to.deep.equal([]);
    expect(listedOf(process.pid)).to.deep.equal([]);
    // Only what appeared since: a run starting beside this one (other suites' on this machine) reaps what killed runs left, which `already` saw.
    const now = scanLeftovers();
    const appeared = Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v.filter((x: string) => !already[k as keyof typeof already].includes(x))]));
    expect(appeared).to.deep.equal(Object.fromEntries(Object.keys(now).map((k) => [k, []])));
    expect(runDirsOf(process.pid)).to.deep.equal([]);
  });

  it('Ctrl-C while firejail sandboxes run leaves none of them behind', async () => {
    const run = await interruptedRun('firejail', (pid) => sandboxesOf(pid).length > 0);
    expect(run.seen, 'no sandbox was ever seen').to.equal(true);
    expect(run.code, run.stderr).to.equal(130);
    expect(sandboxesOf(run.pid)).to.deep.equal([]);
    expect(listedOf(run.pid)).to.deep.equal([]);
    expect(runDirsOf(run.pid)).to.deep.equal([]);
  });

  it('a SIGKILLed run: clean reaps its firejail processes and their firejail state; the next run reaps the rest', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-firejail-kill-'));
    try {
      const child = spawn(process.execPath, [CLI, 'run', '--runtime', 'firejail', '--out', dir], { stdio: 'ignore' });
      const exited = once(child, 'exit');
      const seen = await waitFor(() => sandboxesOf(child.pid!).length > 0, 30_000);
      // The firejail (parent) processes, whose pids name their run state.
      const pids = new Set(sandboxesOf(child.pid!).map((p) => Number(p.split(' ')[0])));
      child.kill('SIGKILL'); // only the harness: firejail is in a process group of its own
      await exited;
      expect(seen, 'no sandbox was ever seen').to.equal(true);
      // Another helper's run starting now may reap the dead journal first (without this kind's clean).
      const entries = deadFirejailEntries().filter((e) => e.runDir.includes(`/run-${child.pid}-`));
      for (const e of entries) pids.add(e.pid);
      const items = await firejail.clean({ inUse: () => null, entries, shared: false, keep: () => {} });
      process.stdout.write(
        `      ${entries.length} journalled firejail(s); clean: ${items.map((i) => `${i.kind} ${i.found.length} found, ${i.remaining.length} remaining`).join('; ')}\n`,
      );
      expect(items.flatMap((i) => i.remaining)).to.deep.equal([]);
      expect(await waitFor(() => sandboxesOf(child.pid!).length === 0, 5_000), sandboxesOf(child.pid!).join('; ')).to.equal(true);
      expect(listedOf(child.pid!)).to.deep.equal([]);
      if (entries.length > 0) expect([...pids].filter((p) => entries.some((e) => e.pid === p)).flatMap((p) => stateFilesOf(p))).to.deep.equal([]);
      if (!(await nextRunReaps('firejail', dir))) this.skip();
      expect(runDirsOf(child.pid!)).to.deep.equal([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
