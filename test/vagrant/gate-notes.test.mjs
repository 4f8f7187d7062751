// vagrant/lib/gate-notes.mjs: what only the gate knows, under the matrix.md `isoprobe merge` wrote
// (the merge itself is tested in test/reports/merge.test.ts and test/cli/merge.test.ts).
//   node --test test/vagrant/
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const notes = path.join(repo, 'vagrant/lib/gate-notes.mjs');
const MATRIX = '# matrix\n';

function run(machines, files, stages, { matrix = true } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-gate-notes-'));
  if (matrix) fs.writeFileSync(path.join(dir, 'matrix.md'), MATRIX);
  for (const [m, content] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, m), { recursive: true });
    for (const [f, v] of Object.entries(content)) fs.writeFileSync(path.join(dir, m, f), v);
  }
  const env = { ...process.env };
  delete env.GATE_STAGES;
  if (stages) {
    env.GATE_STAGES = path.join(dir, 'stages');
    fs.writeFileSync(env.GATE_STAGES, stages);
  }
  const r = spawnSync(process.execPath, [notes, dir, ...machines], { encoding: 'utf8', env });
  const md = fs.existsSync(path.join(dir, 'matrix.md')) ? fs.readFileSync(path.join(dir, 'matrix.md'), 'utf8') : null;
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: r.status, stderr: r.stderr, md };
}

test('every machine left results and no stages were timed: matrix.md untouched', () => {
  const r = run(['debian12'], { debian12: { 'results.json': '{}' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.md, MATRIX);
});

test('a machine with no results: why, from its exit codes and the last provisioning line', () => {
  const r = run(['debian12', 'debian12-cgroup1'], {
    debian12: { 'results.json': '{}' },
    'debian12-cgroup1': {
      'vagrant-up-exit-code': '1\n',
      'exit-code': '2\n',
      'isoprobe.log': 'provision[2] apt ok\nprovision[3] isoprobe: unknown | runtime "docker"\nlast\n',
    },
  });
  assert.equal(r.code, 0, r.stderr);
  const why = 'debian12-cgroup1: no results.json (vagrant up exit 1, isoprobe exit 2: provision[3] isoprobe: unknown | runtime "docker")';
  assert.equal(r.stderr, `gate: ${why}\n`);
  assert.equal(r.md, `${MATRIX}\n#### Machines without results\n\n- ${why.replace('|', '\\|')}\n`);
});

test("stage times: the gate's and each guest's, with boot as vagrant up less the guest's steps", () => {
  const r = run(
    ['debian12'],
    { debian12: { 'results.json': '{}', 'guest-stages.txt': 'guest-stage provision-setup 5\nguest-stage suite 100\n' } },
    'gate-stage box 300\ngate-stage debian12:up+suite 400\ngate-stage debian12:collect 7\nnot a stage line\n',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.md,
    `${MATRIX}\n#### Wall time per stage (s)\n\n| stage | s |\n|---|---:|\n| box | 300 |\n| debian12:up+suite | 400 |\n` +
      '| ↳ debian12:boot+rsync (up before the provisioner) | 295 |\n| ↳ debian12:provision-setup | 5 |\n| ↳ debian12:suite | 100 |\n| debian12:collect | 7 |\n',
  );
});

test('no matrix.md (the merge failed): nothing is written', () => {
  const r = run(['debian12'], {}, 'gate-stage box 300\n', { matrix: false });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.md, null);
});
