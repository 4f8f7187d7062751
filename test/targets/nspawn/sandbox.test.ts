import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { findProbePid } from '../../../targets/nspawn/sandbox.js';

describe('systemd-nspawn: the probe seen from the host', () => {
  let root: string;
  const proc = (pid: number, ppid: number, argv: string[]) => {
    fs.mkdirSync(path.join(root, String(pid)), { recursive: true });
    fs.writeFileSync(path.join(root, String(pid), 'cmdline'), argv.length ? `${argv.join('\0')}\0` : '');
    fs.writeFileSync(path.join(root, String(pid), 'stat'), `${pid} (${path.basename(argv[0] ?? 'x')}) S ${ppid} ${pid} ${pid} 0`);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-nspawn-proc-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("is nspawn's child that has exec'd the probe (PID 1 of the container); none while nspawn is still setting up", () => {
    proc(100, 1, ['/usr/bin/systemd-nspawn', '-q', '-D', '/r', '--', '/isoprobe/probe', 'facts']);
    proc(101, 100, ['/usr/bin/systemd-nspawn', '-q', '-D', '/r', '--', '/isoprobe/probe', 'facts']);
    expect(findProbePid(100, root)).to.equal(null);
    proc(102, 100, ['/isoprobe/probe', 'facts', '--wait-stdin']);
    proc(200, 1, ['/isoprobe/probe', 'facts', '--wait-stdin']);
    expect(findProbePid(100, root)).to.equal(102);
  });
});
