import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { cleanNspawn, nspawnsIn } from '../../../targets/nspawn/clean.js';
import { lockFiles, propagateDir } from '../../../targets/nspawn/state.js';

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

describe('systemd-nspawn clean of a machine journalled before its nspawn started', () => {
  it("removes that machine's state from its run directory, with no process to kill", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-nspawn-clean2-'));
    try {
      const state = path.join(dir, 'state');
      const runDir = path.join(dir, 'run-1-ab');
      fs.mkdirSync(path.join(runDir, 'm1'), { recursive: true });
      const files = lockFiles(path.join(runDir, 'm1'), state);
      fs.mkdirSync(path.dirname(files[0]!), { recursive: true });
      for (const f of files) fs.writeFileSync(f, '');
      fs.mkdirSync(propagateDir('m1', state), { recursive: true });
      const kept: unknown[] = [];
      const entry = { kind: 'nspawn' as const, pid: 0, start: '', runDir, machine: 'm1' };
      const [item] = await cleanNspawn({ entries: [entry, { ...entry }], keep: (e) => kept.push(e) }, state);
      expect(item).to.deep.equal({ kind: 'systemd-nspawn containers', found: [...files, propagateDir('m1', state)], remaining: [] });
      expect(kept).to.deep.equal([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
