import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { staleSandboxes } from '../../../targets/bwrap/clean.js';

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

  it('takes bwrap processes whose rootfs is in the run directory of a dead run, and nothing else', () => {
    const sandbox = (run: number) => [
      '/usr/bin/bwrap',
      '--unshare-all',
      '--ro-bind',
      `/run/isoprobe/run-${run}-AbC/bwrap-rootfs`,
      '/',
      '--',
      '/isoprobe/probe',
      'facts',
    ];
    proc(10, sandbox(200));
    proc(11, sandbox(300));
    proc(12, ['/isoprobe/probe', 'facts', '/run/isoprobe/run-200-AbC/x']);
    proc(13, ['bwrap', '--ro-bind', '/', '/', '--', 'sh']);
    proc(14, []);
    const alive = (pid: number) => pid === 300;
    expect(staleSandboxes(root, '/run/isoprobe', alive)).to.deep.equal([`10 ${sandbox(200).join(' ')}`]);
  });
});
