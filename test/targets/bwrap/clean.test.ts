import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { sandboxesIn } from '../../../targets/bwrap/clean.js';

describe('bwrap sandboxes of killed runs', () => {
  let root: string;
  const proc = (pid: number, argv: string[]) => {
    fs.mkdirSync(path.join(root, String(pid)), { recursive: true });
    fs.writeFileSync(path.join(root, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-bwrap-clean-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("takes bwrap processes whose command line names a dead run's journalled directory, and nothing else", () => {
    const sandbox = (run: string) => [
      '/usr/bin/bwrap',
      '--unshare-all',
      '--ro-bind',
      `/run/isoprobe/${run}/bwrap-rootfs`,
      '/',
      '--',
      '/isoprobe/probe',
      'facts',
    ];
    proc(10, sandbox('run-200-aaaa'));
    proc(11, sandbox('run-300-bbbb'));
    proc(12, ['/isoprobe/probe', 'facts', '/run/isoprobe/run-200-aaaa/x']);
    proc(13, ['bwrap', '--ro-bind', '/', '/', '--', 'sh']);
    proc(14, sandbox('run-200-aaaabc'));
    proc(15, []);
    expect(sandboxesIn(['/run/isoprobe/run-200-aaaa'], root)).to.deep.equal([`10 ${sandbox('run-200-aaaa').join(' ')}`]);
    expect(sandboxesIn([], root)).to.deep.equal([]);
  });
});
