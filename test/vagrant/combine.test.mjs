// vagrant/lib/combine.mjs: machines' results become <machine>/<target> columns of one run; a machine
// without results is a target that could not run. Needs dist/ (npm install builds it).
//   node --test test/vagrant/
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const combine = path.join(repo, 'vagrant/lib/combine.mjs');

function results(status) {
  return {
    schema: 1,
    tool: { name: 'isoprobe', version: '0.1.0' },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1000,
    profile: 'baseline',
    environment: { kernel: '6.1.0' },
    catalogue: [
      {
        id: 'pid.own-ns',
        area: 'pid',
        title: 'own pid namespace',
        profiles: ['baseline', 'restricted', 'strict'],
        references: [],
        negativeControl: 'share pid',
      },
    ],
    targets: [{ name: 'builtin', runtime: 'builtin', info: {}, checks: [{ id: 'pid.own-ns', status, required: true, durationMs: 5 }] }],
  };
}

function run(machines, files, stages) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-combine-'));
  for (const [m, content] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, m), { recursive: true });
    for (const [f, v] of Object.entries(content)) fs.writeFileSync(path.join(dir, m, f), typeof v === 'string' ? v : JSON.stringify(v));
  }
  const env = { ...process.env };
  delete env.GATE_STAGES;
  if (stages) {
    env.GATE_STAGES = path.join(dir, 'stages');
    fs.writeFileSync(env.GATE_STAGES, stages);
  }
  const r = spawnSync(process.execPath, [combine, dir, ...machines], { encoding: 'utf8', env });
  const out = fs.existsSync(path.join(dir, 'results.json')) ? JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) : null;
  const md = fs.existsSync(path.join(dir, 'matrix.md')) ? fs.readFileSync(path.join(dir, 'matrix.md'), 'utf8') : '';
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: r.status, stderr: r.stderr, out, md };
}

test('two machines that passed: one run, <machine>/<target> columns, exit 0', () => {
  const r = run(['debian12', 'debian12-cgroup1'], { debian12: { 'results.json': results('pass') }, 'debian12-cgroup1': { 'results.json': results('pass') } });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.out.targets.map((t) => t.name),
    ['debian12/builtin', 'debian12-cgroup1/builtin'],
  );
  assert.equal(r.out.environment['debian12-cgroup1.kernel'], '6.1.0');
  assert.match(r.md, /\| check \| debian12\/builtin \| debian12-cgroup1\/builtin \|/);
});

test('a required check failing on one machine fails the gate', () => {
  const r = run(['debian12', 'debian12-cgroup1'], { debian12: { 'results.json': results('pass') }, 'debian12-cgroup1': { 'results.json': results('fail') } });
  assert.equal(r.code, 1);
});

test('a machine with no results is a target that could not run, with the reason', () => {
  const r = run(['debian12', 'debian12-cgroup1'], {
    debian12: { 'results.json': results('pass') },
    'debian12-cgroup1': { 'vagrant-up-exit-code': '1\n', 'exit-code': '2\n', 'isoprobe.log': 'isoprobe: unknown runtime "docker"\n' },
  });
  assert.equal(r.code, 1);
  const broken = r.out.targets.find((t) => t.name === 'debian12-cgroup1/(machine)');
  assert.match(broken.error, /vagrant up exit 1, isoprobe exit 2: isoprobe: unknown runtime "docker"/);
});

test('no machine at all ran: still a valid results.json, exit 1', () => {
  const r = run(['debian12'], {});
  assert.equal(r.code, 1);
  assert.equal(r.out.targets.length, 1);
});

test('a control target stays a control in the combined run: its failure does not fail the gate', () => {
  const withControl = results('pass');
  withControl.targets.push({
    name: 'docker-privileged',
    runtime: 'docker',
    control: true,
    info: {},
    checks: [{ id: 'pid.own-ns', status: 'fail', required: true, durationMs: 5 }],
  });
  const r = run(['debian12'], { debian12: { 'results.json': withControl } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.out.targets[1].control, true);
  assert.match(r.md, /debian12\/docker-privileged \(control\)/);
});

test("stage times: the gate's and each guest's, with boot as vagrant up less the guest's steps", () => {
  const r = run(
    ['debian12'],
    { debian12: { 'results.json': results('pass'), 'guest-stages.txt': 'guest-stage provision-setup 5\nguest-stage suite 100\n' } },
    'gate-stage box 300\ngate-stage debian12:up+suite 400\ngate-stage debian12:collect 7\n',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.out.environment['gate.stage.box'], '300s');
  assert.equal(r.out.environment['gate.stage.debian12:boot+rsync'], '295s');
  assert.match(
    r.md,
    /\| debian12:up\+suite \| 400 \|\n\| ↳ debian12:boot\+rsync \(up before the provisioner\) \| 295 \|\n\| ↳ debian12:provision-setup \| 5 \|\n\| ↳ debian12:suite \| 100 \|\n\| debian12:collect \| 7 \|/,
  );
});
