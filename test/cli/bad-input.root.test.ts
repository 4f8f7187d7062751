/**
 * The bad-input table as root, where a check that came too late would go on to create things:
 * every row of bad-input-cases.ts again, and the rows only root can reach — the run root being a
 * file or read-only, --out on a read-only mount, a runtime binary that is there but cannot run.
 * The mounts are made in a private mount namespace (unshare), over a /run of its own, so the
 * host's /run, where other runs may be going, is never touched, and the namespace's /run after
 * the row is compared with what it held before.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { findBinary } from '../../host/which.js';
import { type BadInput, expectOneLineAndNothingMade, type Outcome, runRow, runRows, USER_ROWS } from './bad-input-cases.js';

interface RootRow extends BadInput {
  /** Shell run as root in the row's own mount namespace before isoprobe ("DIR" replaced); it mounts a /run of its own. */
  mounts?: string;
}

const nonExecutable = (f: string) => fs.writeFileSync(f, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
const ociConfig = (binary: string) => `{"targets": [{"name": "x", "runtime": "oci", "binary": "${binary}"}]}`;
const TMPFS_RUN = 'mount -t tmpfs -o size=1m,mode=755 isoprobe-test /run';

const ROOT_ROWS: RootRow[] = [
  {
    what: 'the run root /run/isoprobe is a file',
    args: ['run', '--out', 'DIR/out'],
    mounts: `${TMPFS_RUN} && touch /run/isoprobe`,
    code: 2,
    message: /^isoprobe: the run directory \/run\/isoprobe cannot be used: \/run\/isoprobe is not a directory$/,
  },
  {
    what: 'the run root /run/isoprobe is on a read-only mount',
    args: ['run', '--out', 'DIR/out'],
    mounts: `${TMPFS_RUN} && mkdir /run/isoprobe && mount -t tmpfs -o ro,size=1m isoprobe-test /run/isoprobe`,
    code: 2,
    message: /^isoprobe: the run directory \/run\/isoprobe cannot be used: \/run\/isoprobe is on a read-only file system$/,
  },
  {
    what: 'the run root to be made in a read-only /run',
    args: ['run', '--out', 'DIR/out'],
    mounts: 'mount -t tmpfs -o ro,size=1m,mode=755 isoprobe-test /run',
    code: 2,
    message: /^isoprobe: the run directory \/run\/isoprobe cannot be used: \/run is on a read-only file system$/,
  },
  {
    what: '--out on a read-only mount (to be made there)',
    args: ['run', '--out', 'DIR/ro/reports'],
    files: { ro: (f) => fs.mkdirSync(f) },
    mounts: `${TMPFS_RUN} && mount -t tmpfs -o ro,size=1m isoprobe-test DIR/ro`,
    code: 2,
    message: /^isoprobe: cannot write the reports to --out ".*\/ro\/reports": .*\/ro is on a read-only file system$/,
  },
  {
    what: '--out a read-only mount',
    args: ['run', '--out', 'DIR/ro'],
    files: { ro: (f) => fs.mkdirSync(f) },
    mounts: `${TMPFS_RUN} && mount -t tmpfs -o ro,size=1m isoprobe-test DIR/ro`,
    code: 2,
    message: /^isoprobe: cannot write the reports to --out ".*\/ro": .*\/ro is on a read-only file system$/,
  },
  {
    what: 'k8s --out on a read-only mount (to be made there)',
    args: ['k8s', '--nodes', '2', '--runtime-class', 'runc', '--out', 'DIR/ro/fleet'],
    files: { ro: (f) => fs.mkdirSync(f) },
    mounts: `${TMPFS_RUN} && mount -t tmpfs -o ro,size=1m isoprobe-test DIR/ro`,
    code: 2,
    message: /^isoprobe: cannot write the fleet's files to --out ".*\/ro\/fleet": .*\/ro is on a read-only file system$/,
  },
  {
    what: 'an OCI runtime binary that is not executable',
    args: ['run', '--config', 'DIR/t.json', '--out', 'DIR/out'],
    files: { runc: nonExecutable, 't.json': (f) => fs.writeFileSync(f, ociConfig(path.join(path.dirname(f), 'runc'))) },
    code: 2,
    message: /^isoprobe: the OCI runtime of target "x" cannot be run: .*\/runc is not executable$/,
  },
  {
    what: 'an OCI runtime binary that is a directory',
    args: ['run', '--config', 'DIR/t.json', '--out', 'DIR/out'],
    files: { runc: (f) => fs.mkdirSync(f), 't.json': (f) => fs.writeFileSync(f, ociConfig(path.join(path.dirname(f), 'runc'))) },
    code: 2,
    message: /^isoprobe: the OCI runtime of target "x" cannot be run: .*\/runc is a directory$/,
  },
  {
    what: 'an OCI runtime binary that is not installed',
    args: ['run', '--config', 'DIR/t.json', '--out', 'DIR/out'],
    files: { 't.json': ociConfig('isoprobe-no-such-runtime') },
    code: 2,
    message: /^isoprobe: the OCI runtime "isoprobe-no-such-runtime" of target "x" is not installed \(not found in PATH\)$/,
  },
  {
    what: 'bwrap that is not executable (the only one in PATH)',
    args: ['run', '--runtime', 'bwrap', '--out', 'DIR/out'],
    files: {
      bin: (f) => {
        fs.mkdirSync(f);
        nonExecutable(path.join(f, 'bwrap'));
      },
    },
    env: { PATH: 'DIR/bin' },
    code: 2,
    message: /^isoprobe: bubblewrap cannot be run: .*\/bin\/bwrap is not executable \(needed by target "bwrap"\)$/,
  },
  {
    what: 'a command target whose wrapper is not found',
    args: ['run', '--config', 'DIR/t.json', '--out', 'DIR/out'],
    files: { 't.json': '{"targets": [{"name": "c", "runtime": "command", "argv": ["no-such-wrapper-x", "{probe}", "{args}"]}]}' },
    code: 2,
    message: /^isoprobe: target "c": wrapper "no-such-wrapper-x" not found in PATH$/,
  },
];

/**
 * Runs isoprobe in a mount namespace of its own after the row's mounts, listing that namespace's
 * /run before and after it (mount(8) itself may add /run/mount: the listing before includes it).
 */
function inMountNamespace(row: RootRow, listing: string) {
  return (argv: string[], dir: string): string[] => {
    const mounts = row.mounts!.replaceAll('DIR', dir);
    const script = `set -e; ${mounts}; ls -A /run > "${listing}.before"; set +e; "$@"; rc=$?; ls -A /run > "${listing}.after"; exit $rc`;
    return ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', ...argv];
  };
}

/** Owners (pids) of the Docker containers labelled as isoprobe's, or null without a daemon. */
function dockerOwners(): Set<string> | null {
  if (!findBinary('docker')) return null;
  const r = spawnSync('docker', ['ps', '-a', '--filter', 'label=isoprobe=1', '--format', '{{.Label "isoprobe.owner"}}'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? new Set(r.stdout.split('\n').filter(Boolean)) : null;
}

/** OCI runtime state of containers a process `pid` made (ids isoprobe-<pid>-...). */
function ociContainersOf(pid: number | undefined): string[] {
  return ['/run/runc', '/run/crun'].flatMap((root) => {
    try {
      return fs.readdirSync(root).filter((n) => n.startsWith(`isoprobe-${pid}-`));
    } catch {
      return [];
    }
  });
}

describe('bad input as root: one line, exit 2, nothing made', function () {
  this.timeout(240_000);
  let parent: string;
  let outcomes: Outcome[];
  const rootOutcomes: { outcome: Outcome; run?: { before: string; after: string } }[] = [];
  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-bad-input-root-'));
    outcomes = await runRows(USER_ROWS, parent);
    for (const [i, row] of ROOT_ROWS.entries()) {
      const listing = path.join(parent, `run-${i}`);
      const outcome = await runRow(row, parent, USER_ROWS.length + i, row.mounts ? { wrap: inMountNamespace(row, listing) } : {});
      const read = (f: string) => fs.readFileSync(f, 'utf8');
      rootOutcomes.push({ outcome, ...(row.mounts ? { run: { before: read(`${listing}.before`), after: read(`${listing}.after`) } } : {}) });
    }
  });
  after(() => parent && fs.rmSync(parent, { recursive: true, force: true }));

  USER_ROWS.forEach((row, i) => {
    it(`${row.what}: exit ${row.code}, ${row.message}`, () => {
      expectOneLineAndNothingMade(row, outcomes[i]!);
      expect(ociContainersOf(outcomes[i]!.pid)).to.deep.equal([]);
    });
  });

  ROOT_ROWS.forEach((row, i) => {
    it(`${row.what}: exit ${row.code}, ${row.message}`, () => {
      const { outcome, run } = rootOutcomes[i]!;
      expectOneLineAndNothingMade(row, outcome);
      expect(ociContainersOf(outcome.pid)).to.deep.equal([]);
      if (run) expect(run.after, "the namespace's /run after isoprobe").to.equal(run.before);
    });
  });

  it('no Docker container of any row', function () {
    const owners = dockerOwners();
    if (!owners) this.skip();
    const pids = [...outcomes, ...rootOutcomes.map((r) => r.outcome)].map((o) => String(o.pid));
    expect(pids.filter((p) => owners.has(p))).to.deep.equal([]);
  });
});
