import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { removeState } from '../../../targets/firejail/clean.js';
import { parseList, stateFilesOf } from '../../../targets/firejail/state.js';

describe('firejail run state', () => {
  let root: string;
  let procRoot: string;
  const file = (rel: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), 'x\n');
  };
  const proc = (pid: number, argv: string[]) => {
    fs.mkdirSync(path.join(procRoot, String(pid)), { recursive: true });
    fs.writeFileSync(path.join(procRoot, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-fj-state-'));
    procRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-fj-proc-'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(procRoot, { recursive: true, force: true });
  });

  it("lists a sandbox's files by its firejail pid, in firejail's directories only", () => {
    for (const f of ['sandbox/4242', 'profile/4242', 'network/4242-netmap', 'bandwidth/4242-bandwidth', 'sandbox/42420', 'profile/1424', 'mnt/4242']) file(f);
    expect(stateFilesOf(4242, root).map((f) => path.relative(root, f))).to.deep.equal([
      'sandbox/4242',
      'profile/4242',
      'bandwidth/4242-bandwidth',
      'network/4242-netmap',
    ]);
    expect(stateFilesOf(7, root)).to.deep.equal([]);
    expect(stateFilesOf(7, path.join(root, 'none'))).to.deep.equal([]);
  });

  it("removes the state of a gone firejail, and keeps that of a pid that is a firejail again (another sandbox's)", () => {
    for (const f of ['sandbox/2000000001', 'profile/2000000001', 'sandbox/2000000002']) file(f);
    proc(2000000002, ['firejail', '--quiet', '--', 'sh']);
    const r = removeState([{ pid: 2000000001 }, { pid: 2000000002 }], root, procRoot);
    expect(r.remaining).to.deep.equal([]);
    expect(r.found.map((f) => path.relative(root, f))).to.deep.equal(['sandbox/2000000001', 'profile/2000000001']);
    expect(fs.readdirSync(path.join(root, 'sandbox'))).to.deep.equal(['2000000002']);
    expect(fs.readdirSync(path.join(root, 'profile'))).to.deep.equal([]);
  });

  it('removes the state of a firejail that is exiting: same pid and start time, its argv already gone', () => {
    for (const f of ['sandbox/2000000003', 'profile/2000000003']) file(f);
    proc(2000000003, []);
    fs.writeFileSync(path.join(procRoot, '2000000003', 'cmdline'), '');
    fs.writeFileSync(path.join(procRoot, '2000000003', 'stat'), '2000000003 (firejail) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 77 0 0');
    const r = removeState([{ pid: 2000000003 }], root, procRoot);
    expect(r.found.map((f) => path.relative(root, f))).to.deep.equal(['sandbox/2000000003', 'profile/2000000003']);
    expect(fs.readdirSync(path.join(root, 'sandbox'))).to.deep.equal([]);
  });

  it('parses firejail --list', () => {
    const text = '19140:root::firejail --quiet --hostname=fjh -- /run/isoprobe/x/probe facts \n20034: (zombie)\n\n';
    expect(parseList(text)).to.deep.equal([{ pid: 19140, user: 'root', name: '', command: 'firejail --quiet --hostname=fjh -- /run/isoprobe/x/probe facts' }]);
  });
});
