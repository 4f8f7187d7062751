/**
 * bubblewrap end to end: the default bwrap target (bwrap's defaults as root, see
 * targets/bwrap/argv.ts), each of its weakenings, and one target with raw extra arguments. A
 * weakening leaves one namespace unshared, which is the built-in runtime's weakening of the same
 * settings: the checks that name that one must fail on it where they pass on default bwrap, and
 * every other check must keep default bwrap's status. Default bwrap's failures are findings about
 * bwrap's defaults (all of root's capabilities, no seccomp filter, root mapped to root): its whole
 * verdict list is printed, and only what bwrap does by construction is asserted. bwrap comes with
 * scripts/docker-up.sh (npm test); these tests skip only when that script could not install it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { runSuite } from '../../engine/run.js';
import { RUN_ROOT } from '../../host/paths.js';
import { scanLeftovers } from '../../host/leftovers.js';
import { liveRuns } from '../../host/reap.js';
import type { Resource } from '../../model/journal.js';
import { PROBE_PATH } from '../../model/target.js';
import { bwrap } from '../../targets/bwrap/driver.js';
import { projectProbeFiles } from '../../targets/common/probe-files.js';
import { buildTemplate } from '../../targets/common/rootfs.js';
import type { RunResults } from '../../model/results.js';
import { weakeningLabel, type Weakening } from '../../model/weakening.js';
import { DRIVERS, parseTargetConfig } from '../../targets/registry.js';
import { sandboxesIn } from '../../targets/bwrap/clean.js';
import { listDir } from '../../host/files.js';
import { procStartTime } from '../../host/proc.js';
import { findProbePid } from '../../targets/bwrap/status.js';
import { BWRAP_WEAKENINGS } from '../../targets/bwrap/weakenings.js';
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
  requireTool,
  statuses,
  waitFor,
} from './sandbox-e2e.js';

/** How long other runs may keep the next run from reaping a killed one: attempts, and the pause between them. */

/** A weakening's target name: "bwrap-share-net". */
function nameOf(w: Weakening): string {
  return weakeningLabel(w).replace(/[^a-z0-9]+/g, '-');
}

const CAP_DROP = { name: 'bwrap-cap-drop-all', runtime: 'bwrap', args: ['--cap-drop', 'ALL'] };
const TARGETS = parseTargetConfig(
  {
    targets: [{ name: 'bwrap', runtime: 'bwrap' }, ...BWRAP_WEAKENINGS.map((w) => ({ name: nameOf(w), runtime: 'bwrap', ...w.settings })), CAP_DROP],
  },
  'bwrap.test.ts',
);

/** The namespaces bwrap makes with --unshare-all (as root: the user namespace too, mapping 0 to 0); time it never makes. */
const UNSHARED = ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'cgroup'];
/** Checks of settings bwrap cannot be asked for: a skip with 'target-feature', never a verdict. */

/** The checks naming the built-in weakening with the same settings. */
function named(w: Weakening): string[] {
  return checksFlippedBy({ ...w, kind: 'builtin' }, CATALOGUE);
}

/** bwrap processes of a run (by its pid): their rootfs is in that run's directory (run-<pid>-…). */
function sandboxesOf(pid: number): string[] {
  return sandboxesIn(
    listDir(RUN_ROOT)
      .filter((n) => n.startsWith(`run-${pid}-`))
      .map((n) => path.join(RUN_ROOT, n)),
  );
}

/** The bwrap entries of dead runs' journals, read without reaping anything else. */

describe('bubblewrap, end to end', function () {
  this.timeout(NEXT_RUN_ATTEMPTS * NEXT_RUN_PAUSE_MS + 300_000);
  let results: RunResults;
  let already: ReturnType<typeof scanLeftovers>;
  const byName = (name: string) => results.targets.find((t) => t.name === name)!;

  before(async function () {
    requireTool(this, 'bwrap', 'bwrap');
    already = scanLeftovers();
    const t0 = performance.now();
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: TARGETS, profile: 'strict' });
    process.stdout.write(`    ${TARGETS.length} bwrap targets in one run: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  });

  it('runs every bwrap target without a target or harness error', () => {
    for (const t of results.targets) expect(errors(t), t.name).to.deep.equal([]);
    expect(results.targets).to.have.length(TARGETS.length);
  });

  it('default bwrap: its own namespace of every kind --unshare-all makes, none of time (its whole verdict list below)', () => {
    const t = byName('bwrap');
    const s = statuses(t);
    expect(Object.fromEntries(UNSHARED.map((ns) => [`${ns}.own-ns`, s[`${ns}.own-ns`]]))).to.deep.equal(
      Object.fromEntries(UNSHARED.map((ns) => [`${ns}.own-ns`, 'pass'])),
    );
    expect(s['time.own-ns']).to.equal('fail');
    for (const c of t.checks) process.stdout.write(`      ${c.status.padEnd(4)} ${c.id}${c.status === 'skip' ? ` (${c.requirement}: ${c.reason})` : ''}\n`);
  });

  it('default bwrap: the checks of what bwrap cannot be asked for skip with target-feature', () => {
    const t = byName('bwrap');
    expect(Object.fromEntries(t.checks.filter((c) => LIMIT_AND_OFFSET_CHECKS.includes(c.id)).map((c) => [c.id, `${c.status} ${c.requirement}`]))).to.deep.equal(
      Object.fromEntries(LIMIT_AND_OFFSET_CHECKS.map((id) => [id, 'skip target-feature'])),
    );
  });

  it("records what isoprobe requested of bwrap, and from whom, in the target's info", () => {
    const info = byName('bwrap').info;
    expect(info.version).to.match(/^bubblewrap \d/);
    expect(info.spec).to.include("caps=all of root's").and.include('seccomp=none').and.include('namespaces=--unshare-all');
    expect(byName(CAP_DROP.name).info.spec).to.include('args=--cap-drop ALL');
  });

  for (const w of BWRAP_WEAKENINGS) {
    it(`${weakeningLabel(w)}: the checks naming ${weakeningLabel({ ...w, kind: 'builtin' })} that pass on bwrap fail, the others as on bwrap`, () => {
      const ref = statuses(byName('bwrap'));
      const flip = named(w).filter((id) => ref[id] === 'pass');
      expect(flip, `no check naming ${weakeningLabel({ ...w, kind: 'builtin' })} passes on default bwrap: this weakening shows nothing`).to.not.be.empty;
      const t = byName(nameOf(w));
      // A setting that goes with the shared namespace (the hostname with UTS) is asked of nobody: its conformance check skips.
      expectFlippedExactly(byName('bwrap'), t, flip);
    });
  }

  it('passes raw args through: --cap-drop ALL turns the capability checks to pass', () => {
    const s = statuses(byName(CAP_DROP.name));
    const ref = statuses(byName('bwrap'));
    const caps = ['security.caps-default-set', 'security.no-host-caps', 'time.no-sys-time'];
    expect(caps.map((id) => `${ref[id]}→${s[id]}`)).to.deep.equal(caps.map(() => 'fail→pass'));
  });

  it('leaves no sandbox, mount, cgroup, process, IPC object or run directory behind', () => {
    expect(sandboxesOf(process.pid)).to.deep.equal([]);
    expect(scanLeftovers()).to.deep.equal(already);
    expect(runDirsOf(process.pid)).to.deep.equal([]);
  });

  it('Ctrl-C while bwrap sandboxes run leaves none of them behind', async () => {
    const run = await interruptedRun('bwrap', (pid) => sandboxesOf(pid).length > 0);
    expect(run.seen, 'no sandbox was ever seen').to.equal(true);
    expect(run.code, run.stderr).to.equal(130);
    expect(sandboxesOf(run.pid)).to.deep.equal([]);
    expect(runDirsOf(run.pid)).to.deep.equal([]);
  });

  it("clean kills a bwrap sandbox of a dead run (what a SIGKILL during bwrap's set-up leaves), and nothing else", async () => {
    const owner = deadPid();
    const runDir = path.join(RUN_ROOT, `run-${owner}-bwraptest`);
    const rootfs = path.join(runDir, 'bwrap-rootfs');
    buildTemplate(rootfs, projectProbeFiles());
    // Held on stdin, as the probe waits for its go byte: it stays until killed.
    const child = spawn(
      'bwrap',
      ['--unshare-all', '--die-with-parent', '--ro-bind', rootfs, '/', '--proc', '/proc', '--dev', '/dev', '--', PROBE_PATH, 'facts', '--wait-stdin'],
      { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
    );
    const exited = once(child, 'exit');
    try {
      // Set up: bwrap's parent side, the sandbox's init, and the probe under it, held on stdin.
      const settled = () => sandboxesOf(owner).some((p) => findProbePid(Number(p.split(' ')[0])) !== null);
      expect(await waitFor(settled, 10_000), 'the sandbox never started').to.equal(true);
      const theirs = sandboxesOf(process.pid).length;
      // bwrap's parent side and the sandbox's init, both a bwrap process.
      const left = sandboxesOf(owner);
      // As the killed run's journal would list it.
      const entry: Resource = { kind: 'bwrap', pid: child.pid!, start: procStartTime(child.pid!)!, runDir };
      const items = await bwrap.clean({ inUse: () => null, entries: [entry], shared: false, keep: () => {} });
      // The journalled bwrap's process group goes first (the sandbox's init with it, mostly); what
      // still runs is found by its run directory. Either way each is named by its pid.
      const pids = (l: string[]) => l.map((x) => Number(x.split(' ')[0]));
      expect(items.map((i) => ({ kind: i.kind, remaining: i.remaining }))).to.deep.equal([{ kind: 'bwrap sandboxes', remaining: [] }]);
      expect(pids(items[0]!.found)).to.include(child.pid!);
      expect(pids(left)).to.include.members(pids(items[0]!.found));
      await exited;
      expect(sandboxesOf(owner)).to.deep.equal([]);
      expect(sandboxesOf(process.pid).length, "a live run's sandbox was touched").to.equal(theirs);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });

  it("a SIGKILLed run: its sandboxes die with it or stay blocked in bwrap's set-up, which clean removes; the next run reaps the rest", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-bwrap-kill-'));
    try {
      const child = spawn(process.execPath, [CLI, 'run', '--runtime', 'bwrap', '--out', dir], { stdio: 'ignore' });
      const exited = once(child, 'exit');
      const seen = await waitFor(() => sandboxesOf(child.pid!).length > 0, 30_000);
      child.kill('SIGKILL'); // only the harness: bwrap is in a process group of its own
      await exited;
      expect(seen, 'no sandbox was ever seen').to.equal(true);
      // --die-with-parent: bwrap and a sandbox past its set-up die at once (a held probe would also
      // end on its stdin's end). A sandbox whose bwrap died while it was being set up has no death
      // signal yet, and waits for bwrap for ever; so may one whose spawn was under way (forked,
      // exec'd after the harness died). Settled: no such fork left, every bwrap left blocked.
      const settled = () => forksOf(dir).length === 0 && sandboxesOf(child.pid!).every((p) => blockedInSetup(Number(p.split(' ')[0])));
      await waitFor(settled, 2_000);
      const stuck = sandboxesOf(child.pid!);
      expect(
        stuck.filter((p) => !blockedInSetup(Number(p.split(' ')[0]))),
        'a sandbox past its set-up outlived its harness',
      ).to.deep.equal([]);
      const [item] = await bwrap.clean({ inUse: () => null, entries: deadEntries('bwrap'), shared: false, keep: () => {} });
      process.stdout.write(
        `      ${stuck.length} bwrap process(es) blocked in set-up survived the SIGKILL; clean: ${item.found.length} found, ${item.remaining.length} remaining\n`,
      );
      expect(item.remaining).to.deep.equal([]);
      expect(sandboxesOf(child.pid!)).to.deep.equal([]);
      // The sentinels and the run directory: the next run reaps them, once no other run is going.
      let reaped = false;
      for (let i = 0; i < NEXT_RUN_ATTEMPTS && !reaped; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, NEXT_RUN_PAUSE_MS));
        if (liveRuns().length > 0) continue;
        const next = spawnSync(process.execPath, [CLI, 'run', '--runtime', 'bwrap', '--grep', 'pid.own-ns', '--out', path.join(dir, 'next')], {
          encoding: 'utf8',
          timeout: 120_000,
        });
        expect(next.status, next.stderr).to.equal(0);
        reaped = next.stderr.includes('removed what an earlier, killed run left behind');
      }
      if (!reaped) {
        process.stdout.write(
          `    skipped: other isoprobe runs stayed live for ${NEXT_RUN_ATTEMPTS} attempts (${liveRuns().join(', ')}); the killed run's sentinels wait for them\n`,
        );
        this.skip();
      }
      expect(runDirsOf(child.pid!)).to.deep.equal([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A bwrap process that its parent side left in set-up: reparented to init, and reading the eventfd
 * on which bwrap's parent side was to say it had finished (measured with bubblewrap 0.8.0).
 */
function blockedInSetup(pid: number): boolean {
  try {
    const ppid = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1];
    return ppid === '1' && fs.readFileSync(`/proc/${pid}/stack`, 'utf8').includes('eventfd_read');
  } catch {
    return true; // gone meanwhile
  }
}

/** Processes forked by a killed harness (its command line names `dir`) that have not exec'd yet. */
function forksOf(dir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((n) => {
      try {
        return fs.readFileSync(`/proc/${n}/cmdline`, 'utf8').split('\0').includes(dir) ? [Number(n)] : [];
      } catch {
        return [];
      }
    });
}
