import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { findProbePid } from '../../../targets/firejail/sandbox.js';

describe('firejail sandbox', () => {
  let root: string;
  const proc = (pid: number, ppid: number, argv: string[]) => {
    fs.mkdirSync(path.join(root, String(pid)), { recursive: true });
    fs.writeFileSync(path.join(root, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
    fs.writeFileSync(path.join(root, String(pid), 'stat'), `${pid} (x y) S ${ppid} 0 0`);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-fj-tree-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("finds the probe under firejail's two processes by argv[0], not firejail's own argv naming it", () => {
    const probe = '/run/isoprobe/run-1/fj-probe/probe';
    const fj = ['firejail', '--quiet', '--', probe, 'facts'];
    proc(100, 1, fj);
    proc(101, 100, fj);
    expect(findProbePid(100, probe, root)).to.equal(null);
    proc(107, 101, [probe, 'facts', '--wait-stdin']);
    proc(108, 1, [probe, 'facts']);
    expect(findProbePid(100, probe, root)).to.equal(107);
  });
});
