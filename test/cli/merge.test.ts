/** `isoprobe merge` as the Vagrant gate and a user run it: real results files in, every report out. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../host/paths.js';
import { summaryBlock } from '../../reports/summary.js';
import type { RunResults } from '../../model/results.js';
import { smallResults } from '../fixtures/results-small.js';
import { validateResults } from '../support/results-schema.js';

const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');
const merge = (args: string[]) => spawnSync(process.execPath, [CLI, 'merge', ...args], { encoding: 'utf8' });
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('isoprobe merge', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-merge-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe("a gate's machine folders, one of them without results", () => {
    let gate: string;
    let r: ReturnType<typeof merge>;
    const machines = ['debian12', 'debian12-cgroup1', 'debian12-dead'];
    before(() => {
      // The layout and inputs test/fixtures/merge/README.md says combine-c6d1115.json was made from.
      gate = path.join(dir, 'vagrant');
      for (const m of machines) fs.mkdirSync(path.join(gate, m), { recursive: true });
      fs.copyFileSync(path.join(FIXTURES, 'results-before.json'), path.join(gate, 'debian12/results.json'));
      fs.copyFileSync(path.join(FIXTURES, 'merge/results-share-pid.json'), path.join(gate, 'debian12-cgroup1/results.json'));
      fs.writeFileSync(path.join(gate, 'debian12-dead/vagrant-up-exit-code'), '1\n');
      fs.writeFileSync(path.join(gate, 'debian12-dead/vagrant-up.log'), 'provision[3] apt failed\n');
      r = merge(['--out', gate, ...machines.map((m) => path.join(gate, m, 'results.json'))]);
    });

    it('exits 1, says the mixed profiles on stderr and prints the summary as run does', () => {
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stderr).to.equal(
        "isoprobe: merge: the inputs ran different profiles (debian12=strict, debian12-cgroup1=baseline); the merged run is marked strict (the first's), and each check keeps whether its own profile required it\n",
      );
      expect(r.stdout).to.match(/^isoprobe 0\.1\.0 — profile strict — 5 targets in /);
      expect(r.stdout).to.include('\ndebian12/builtin (builtin)\n').and.include('\ndebian12-cgroup1/builtin-share-pid (builtin, ');
      expect(r.stdout).to.include(`\ndebian12-dead/(machine) (unknown): could not run: ${gate}/debian12-dead/results.json: cannot read results: ENOENT\n`);
      expect(r.stdout).to.include('\nVerdict: FAIL — 7 required checks failed, 1 target could not run\n');
      expect(r.stdout).to.match(new RegExp(`\\nreports written to ${gate}/ \\(junit\\.xml, results\\.json, matrix\\.html, matrix\\.md\\)\\n$`));
      for (const f of ['junit.xml', 'matrix.html', 'matrix.md']) expect(fs.existsSync(path.join(gate, f)), f).to.equal(true);
    });

    it('writes a results.json the schema accepts, with the summary of what it holds', () => {
      const { summary, ...rest } = readJson(path.join(gate, 'results.json'));
      expect(validateResults({ summary, ...rest })).to.deep.equal([]);
      expect(summary).to.deep.equal(summaryBlock(rest));
      expect(summary).to.include({ verdict: 'fail', exitCode: 1 });
    });

    it('equals what vagrant/lib/combine.mjs wrote (test/fixtures/merge/combine-c6d1115.json), apart from the deliberate changes', () => {
      const merged = readJson(path.join(gate, 'results.json'));
      const old = readJson(path.join(FIXTURES, 'merge/combine-c6d1115.json')) as RunResults;
      // Made when written, as run makes it; combine.mjs wrote none.
      delete merged.summary;
      // A machine without results leaves the run short of what it was asked, as a target that could not run does in run.
      expect(merged.partial).to.equal(true);
      expect(merged.partialReason).to.equal(`debian12-dead/(machine) could not run: ${gate}/debian12-dead/results.json: cannot read results: ENOENT`);
      delete merged.partial;
      delete merged.partialReason;
      // Mixed profiles are in the environment, not only on stderr.
      expect(merged.environment.mixedProfiles).to.equal('debian12=strict, debian12-cgroup1=baseline');
      delete merged.environment.mixedProfiles;
      // The reason is the file's (the gate's own why goes under matrix.md, vagrant/lib/gate-notes.mjs); nothing was read to say what ran there.
      const dead = merged.targets[merged.targets.length - 1];
      const oldDead = old.targets[old.targets.length - 1]!;
      expect(dead).to.include({
        name: 'debian12-dead/(machine)',
        runtime: 'unknown',
        error: `${gate}/debian12-dead/results.json: cannot read results: ENOENT`,
      });
      expect(oldDead).to.include({
        runtime: 'vagrant',
        error: 'no results.json from debian12-dead (vagrant up exit 1, isoprobe exit ?: provision[3] apt failed)',
      });
      Object.assign(dead, { runtime: oldDead.runtime, error: oldDead.error });
      expect(merged).to.deep.equal(old);
    });
  });

  it('names inputs with --as, writes the formats asked for and exits 0 when every input passed', () => {
    const a = smallResults();
    a.targets = a.targets.slice(0, 1);
    const file = path.join(dir, 'pass.json');
    fs.writeFileSync(file, JSON.stringify(a));
    const out = path.join(dir, 'out-pass');
    const r = merge(['--as', `node-a=${file}`, '--as', `node-b=${file}`, '--format', 'json,tap,csv,sarif', '--out', out]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.equal('');
    expect(r.stdout).to.include('\nVerdict: PASS — every check required by the profile passed\n');
    expect(fs.readdirSync(out).sort()).to.deep.equal(['results.csv', 'results.json', 'results.sarif', 'results.tap']);
    const merged = readJson(path.join(out, 'results.json'));
    expect(merged.targets.map((t: { name: string }) => t.name)).to.deep.equal(['node-a/builtin', 'node-b/builtin']);
    expect(merged.targets[1].info).to.deep.equal({ shim: '0.1.0', machine: 'node-b' });
    expect(merged.summary).to.include({ verdict: 'pass', exitCode: 0 });
  });

  it('turns a file that is not results into a target that could not run, with why', () => {
    const bad = path.join(dir, 'node-x.json');
    fs.writeFileSync(bad, '{"schema": 1, "targets": []}');
    const out = path.join(dir, 'out-bad');
    const r = merge(['--format', 'json', '--out', out, bad]);
    expect(r.status, r.stderr).to.equal(1);
    const merged = readJson(path.join(out, 'results.json'));
    expect(merged.targets).to.have.length(1);
    expect(merged.targets[0]).to.include({ name: 'node-x/(machine)' });
    expect(merged.targets[0].error).to.match(/node-x\.json: invalid results at tool: /);
    expect(validateResults(merged)).to.deep.equal([]);
  });

  describe('usage and environment errors: one line, exit 2, nothing written', () => {
    const cases: [string, string[], RegExp][] = [
      ['no file', [], /^isoprobe: merge needs at least one results file/],
      ['bad --as', ['--as', 'x'], /^isoprobe: --as "x" is not NAME=FILE; see "isoprobe --help"$/],
      ['an unknown option', ['--bogus', 'a.json'], /^isoprobe: unknown option "--bogus"/],
      [
        'two inputs of one name',
        ['DIR/a/results.json', 'DIR/b/a/results.json'],
        /^isoprobe: two inputs are named "a" \(.*\/a\/results\.json and .*\/b\/a\/results\.json\)/,
      ],
      [
        'an --out that cannot be made',
        ['--out', 'DIR/file/x', 'DIR/a.json'],
        /^isoprobe: cannot write the reports to --out ".*\/file\/x": .*file is not a directory$/,
      ],
    ];
    for (const [what, args, message] of cases) {
      it(`for ${what}`, () => {
        fs.writeFileSync(path.join(dir, 'file'), '');
        const before = fs.readdirSync(dir).sort();
        const r = merge(args.map((a) => a.replace('DIR', dir)));
        expect(r.status, r.stderr).to.equal(2);
        expect(r.stderr.trimEnd().split('\n')).to.have.length(1);
        expect(r.stderr.trimEnd()).to.match(message);
        expect(r.stdout).to.equal('');
        expect(fs.readdirSync(dir).sort()).to.deep.equal(before);
      });
    }
  });
});
