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
import { validateResults } from '../support/results-schema.js';
import { CLI } from './cli-run.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const XSD = path.resolve(REPO, '../shared/schemas/junit-10.xsd');

describe('reports of a run with a target that could not run', function () {
  this.timeout(180_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-reports-'));
  let code: number | null = null;
  let stderr = '';
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  before(() => {
    // A target whose OCI runtime refuses every container, as crun does on a hybrid cgroup host.
    const refusing = path.join(dir, 'refusing-runtime');
    fs.writeFileSync(refusing, '#!/bin/sh\necho "refusing-runtime: this runtime refuses every container" >&2\nexit 1\n', { mode: 0o755 });
    const config = path.join(dir, 'targets.json');
    fs.writeFileSync(config, JSON.stringify({ targets: [{ name: 'broken', runtime: 'oci', binary: refusing }] }));
    const r = spawnSync(
      process.execPath,
      [CLI, 'run', '--runtime', 'builtin,runc', '--config', config, '--profile', 'baseline', '--out', path.join(dir, 'out')],
      {
        encoding: 'utf8',
        timeout: 170_000,
      },
    );
    code = r.status;
    stderr = r.stderr;
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

  it('writes JUnit that validates, with the broken target once: one <error>, its checks skipped', function () {
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
    expect(xml).to.match(/<skipped message="not run: target broken could not run/);
  });
});
