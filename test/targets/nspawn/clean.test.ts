import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { nspawnsIn } from '../../../targets/nspawn/clean.js';

describe('systemd-nspawn containers of killed runs', () => {
  let root: string;
  const proc = (pid: number, argv: string[]) => {
    fs.mkdirSync(path.join(root, String(pid)), { recursive: true });
    fs.writeFileSync(path.join(root, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-nspawn-clean-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("takes systemd-nspawn processes whose command line names a dead run's directory, and nothing else", () => {
    const container = (run: string) => ['/usr/bin/systemd-nspawn', '-q', '-D', `/run/isoprobe/${run}/isoprobe-${run}-1`, '--', '/isoprobe/probe', 'facts'];
    proc(10, container('run-200-aaaa'));
    proc(11, container('run-300-bbbb'));
    proc(12, ['/isoprobe/probe', 'facts', '/run/isoprobe/run-200-aaaa/x']);
    proc(13, ['/bin/sh', '-c', 'x', 'sh', '/run/isoprobe/run-200-aaaa']);
    expect(nspawnsIn(['/run/isoprobe/run-200-aaaa'], root)).to.deep.equal([`10 ${container('run-200-aaaa').join(' ')}`]);
  });
});
