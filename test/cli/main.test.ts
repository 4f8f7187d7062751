/** The command line as a user meets it: one clear line and exit 2 for every kind of bad input. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../host/paths.js';

const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');
const run = (args: string[], opts: { uid?: number; cwd?: string } = {}) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', ...opts });

describe('isoprobe command line', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-cli-'));
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"targets": [{"name": "x", "runtime": "builtin", "share": ["pidd"]}]}');
    fs.writeFileSync(path.join(dir, 'junk.json'), '{"targets": [');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: [string, string[], RegExp, { uid?: number; cwd?: string }?][] = [
    ['an unknown runtime', ['run', '--runtime', 'no-such-kind'], /^isoprobe: unknown runtime "no-such-kind" \(known: /],
    ['an unknown profile', ['run', '--profile', 'foo'], /^isoprobe: unknown profile "foo"/],
    ['an unknown command', ['frob'], /^isoprobe: unknown command "frob"/],
    ['a malformed config', ['run', '--config', 'DIR/bad.json'], /^isoprobe: invalid target config .*bad\.json: targets\.0\.share\.0: /],
    ['a config that is not JSON', ['run', '--config', 'DIR/junk.json'], /^isoprobe: cannot read target config .*junk\.json: /],
    ['a missing config', ['run', '--config', 'DIR/none.json'], /^isoprobe: cannot read target config .*none\.json: ENOENT/],
    // In a directory anyone can write: the default --out (reports) is checked before root is.
    ['a user who is not root', ['run'], /^isoprobe: isoprobe run needs root/, { uid: 65534, cwd: os.tmpdir() }],
    ['--share together with --config', ['run', '--share', 'pid', '--config', 'DIR/bad.json'], /^isoprobe: --share and --config cannot be combined/],
  ];
  for (const [what, args, message, opts] of cases) {
    it(`exits 2 with one line for ${what}`, () => {
      const r = run(
        args.map((a) => a.replace('DIR', dir)),
        opts,
      );
      expect(r.status, r.stderr).to.equal(2);
      expect(r.stderr.split('\n')[0]).to.match(message);
      expect(r.stderr).to.not.match(/\n\s+at /); // no stack trace for a user error
    });
  }

  it("lists the catalogue with each check's negative control and settings", () => {
    const r = run(['list', '--profile', 'baseline']);
    expect(r.status).to.equal(0);
    expect(r.stdout)
      .to.match(/^pid\.own-ns\s/m)
      .and.to.match(/negative control: builtin share=pid/);
    expect(r.stdout).to.match(/^security\.dangerous-syscalls-refused .*\n.*\n\s+settings: seccomp, caps\n/m);
    expect(r.stdout).to.match(/^security\.lsm-confined .*\n.*\n\s+settings: none \(depends on no requested setting\)\n/m);
    expect(r.stdout).to.match(/checks required by baseline\n$/);
  });
});
