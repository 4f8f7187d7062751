/**
 * The package as npm packs it (issue 15): the tarball holds what `npx isoprobe run` needs — the
 * compiled code without its tests, the static probe and shim, the CRI proto, the schema, the
 * scripts a target calls — and no install script, so installing it runs no compiler
 * (the clone's own `npm install` builds through `prepare`, which npm does not run for a tarball).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(fs.readFileSync(`${REPO}/package.json`, 'utf8'));

describe('the npm package', () => {
  it('has no install-time script of its own; prepare builds a clone', () => {
    for (const s of ['preinstall', 'install', 'postinstall']) expect(pkg.scripts, s).to.not.have.property(s);
    expect(pkg.scripts.prepare).to.match(/npm run build/);
  });

  it("decides every dependency's install script (none is needed: koffi ships prebuilt, the rest are optional)", () => {
    expect(pkg.allowScripts).to.deep.equal({ 'cpu-features': false, koffi: false, protobufjs: false, ssh2: false });
  });

  it('packs the runtime files and not the tests, maps or bench', function () {
    this.timeout(30_000);
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const files: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
    expect(files).to.include.members([
      'dist/cli/main.js',
      'probes/build/probe',
      'targets/builtin/build/isoprobe-shim',
      'targets/cri/cri.proto',
      'schemas/results.schema.json',
      'package.json',
    ]);
    expect(files.filter((f) => f.startsWith('dist/test/') || f.endsWith('.map') || f.startsWith('dist/bench/'))).to.deep.equal([]);
  });
});
