/**
 * The reports of a real run with a target that cannot run beside ones that do (issue 15): an OCI
 * runtime that refuses every container (as crun on a hybrid cgroup host) beside builtin and runc. results.json validates against the published schema, its summary says the exit
 * code the CLI returned, and the JUnit file validates and reports the broken target once.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Parser } from 'tap-parser';
import { validateResults } from '../support/results-schema.js';
import { CLI } from './cli-run.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const XSD = path.resolve(REPO, '../shared/schemas/junit-10.xsd');

describe('reports of a run with a target that could not run', function () {
  this.timeout(180_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-reports-'));
  let code: number | null = null;
  let stderr = '';
  let stdout = '';
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  before(() => {
    // A target whose OCI runtime refuses every container, as crun does on a hybrid cgroup host.
    const refusing = path.join(dir, 'refusing-runtime');
    fs.writeFileSync(refusing, '#!/bin/sh\necho "refusing-runtime: this runtime refuses every container" >&2\nexit 1\n', { mode: 0o755 });
    const config = path.join(dir, 'targets.json');
    fs.writeFileSync(config, JSON.stringify({ targets: [{ name: 'broken', runtime: 'oci', binary: refusing }] }));
    const args = [CLI, 'run', '--runtime', 'builtin,runc', '--config', config, '--profile', 'baseline', '--out', path.join(dir, 'out')];
    const r = spawnSync(process.execPath, [...args, '--format', 'junit,json,html,md,tap,csv,github', '--quiet'], {
      encoding: 'utf8',
      timeout: 170_000,
      env: { ...process.env, GITHUB_STEP_SUMMARY: path.join(dir, 'step-summary.md') },
    });
    code = r.status;
    stderr = r.stderr;
    stdout = r.stdout;
  });

  it('writes results.json that validates against schemas/results.schema.json, its summary saying the exit code', () => {
    const results = JSON.parse(fs.readFileSync(path.join(dir, 'out/results.json'), 'utf8'));
    expect(validateResults(results), stderr).to.deep.equal([]);
    expect(results.summary.exitCode).to.equal(code);
    const broken = results.summary.targets.find((t: { name: string }) => t.name === 'broken');
    expect(broken, JSON.stringify(results.summary.targets.map((t: { name: string }) => t.name))).to.include({ ran: false });
    const first = results.targets.find((t: { name: string }) => t.name === 'builtin').checks[0];
    expect(first).to.include({ id: 'pid.own-ns', area: 'pid' });
    expect(first.title).to.be.a('string').and.not.equal('');
  });

  it('writes JUnit that validates, with the broken target once: one suite, one case, one <error> naming the checks not run', function () {
    const xml = fs.readFileSync(path.join(dir, 'out/junit.xml'), 'utf8');
    if (!fs.existsSync(XSD)) this.skip();
    const v = spawnSync('xmllint', ['--noout', '--schema', XSD, path.join(dir, 'out/junit.xml')], { encoding: 'utf8' });
    expect(v.status, v.stderr).to.equal(0);
    const suite = xml.slice(xml.indexOf('<testsuite name="broken"'), xml.indexOf('<testsuite name="broken.'));
    expect(suite).to.match(/<testcase classname="isoprobe.broken" name="\[broken\] runs" time="[\d.]+">\s*<error message="target broken could not run: /);
    const errorsOfBroken =
      xml
        .split('<testsuite ')
        .filter((s) => s.startsWith('name="broken'))
        .join('')
        .match(/<error /g) ?? [];
    expect(errorsOfBroken).to.have.length(1);
    expect(xml).to.match(/<testsuite name="broken" [^>]* tests="1" failures="0" errors="1" skipped="0">/);
    expect(xml).to.match(/not run, so not reported as cases: \d+ checks \(pid\.own-ns, /);
  });

  it('writes TAP that tap-parser reads: a subtest per target that ran, the broken one a single not ok', async () => {
    const text = fs.readFileSync(path.join(dir, 'out/results.tap'), 'utf8');
    const summary = await new Promise<{ count: number; failures: { name: string }[] }>((resolve) => {
      const p = new Parser((r) => resolve(r as unknown as { count: number; failures: { name: string }[] }));
      p.end(text);
    });
    expect(summary.count).to.equal(3);
    expect(summary.failures.map((f) => f.name)).to.include('broken could not run');
    expect(text.match(/^not ok \d+ - broken/gm)).to.have.length(1);
  });

  it('--quiet prints the verdict line and the GitHub annotations only; the job summary gets the matrix', () => {
    const lines = stdout.trimEnd().split('\n');
    expect(lines.filter((l) => !l.startsWith('::'))).to.deep.equal([lines.at(-1)]);
    expect(lines.at(-1)).to.match(/^Verdict: FAIL/);
    expect(lines.some((l) => l.startsWith('::error title=broken could not run::'))).to.equal(true);
    expect(fs.readFileSync(path.join(dir, 'step-summary.md'), 'utf8')).to.match(/^### isoprobe — profile `baseline`/);
    const csv = fs.readFileSync(path.join(dir, 'out/results.csv'), 'utf8').split('\r\n');
    expect(csv[0]).to.match(/^"target","runtime",/);
  });

  it('says each target as its containers end, before the checks are judged: [n/total], its time or why it could not run', () => {
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'run',
        '--runtime',
        'builtin',
        '--config',
        path.join(dir, 'targets.json'),
        '--grep',
        '^pid\\.',
        '--format',
        'json',
        '--out',
        path.join(dir, 'live'),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    const lines = r.stderr.split('\n');
    const done = lines.filter((l) => /^\[\d\/2\] /.test(l));
    expect(done).to.have.length(2);
    expect(done.some((l) => /^\[\d\/2\] broken \(oci\) could not run after [\d.]+ s: /.test(l))).to.equal(true);
    expect(done.some((l) => /^\[\d\/2\] builtin \(builtin\) ran in [\d.]+ s$/.test(l))).to.equal(true);
    // Before the checks' own progress, which comes once every target ended.
    expect(lines.findIndex((l) => l.includes('pass  '))).to.be.greaterThan(lines.indexOf(done[1]!));
  });
});
