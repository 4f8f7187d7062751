import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { heldLockKeys, lockFiles, propagateDir, removeStaleState } from '../../../targets/nspawn/state.js';

describe("systemd-nspawn's state of a container", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-nspawn-state-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the files held locked from /proc/locks (hex major:minor, decimal inode)', () => {
    const text = '1: FLOCK  ADVISORY  WRITE 812 fe:00:2146626 0 EOF\n2: POSIX  ADVISORY  READ 99 00:1a:77 0 EOF\n';
    expect([...heldLockKeys(text)]).to.deep.equal(['254:0:2146626', '0:26:77']);
  });

  it('names the inode lock, the lock beside the root and the propagate directory as systemd 252 does', () => {
    const root = path.join(dir, 'runs', 'm1');
    fs.mkdirSync(root, { recursive: true });
    const st = fs.statSync(root);
    expect(lockFiles(root, path.join(dir, 'state'))).to.deep.equal([
      path.join(dir, 'state/locks', `inode-${st.dev}:${st.ino}`),
      path.join(dir, 'runs/.#m1.lck'),
    ]);
    expect(propagateDir('m1', '/run/systemd/nspawn')).to.equal('/run/systemd/nspawn/propagate/m1');
  });

  it('removes what a killed nspawn left for that machine, and nothing of another', () => {
    const state = path.join(dir, 'state');
    const root = path.join(dir, 'runs', 'm1');
    fs.mkdirSync(root, { recursive: true });
    const [global, local] = lockFiles(root, state);
    fs.mkdirSync(path.dirname(global!), { recursive: true });
    for (const f of [global!, local!]) fs.writeFileSync(f, '');
    fs.mkdirSync(propagateDir('m1', state), { recursive: true });
    fs.mkdirSync(propagateDir('m2', state), { recursive: true });
    const r = removeStaleState(root, 'm1', state);
    expect(r).to.deep.equal({ found: [global, local, propagateDir('m1', state)], remaining: [] });
    expect([global!, local!, propagateDir('m1', state)].filter((p) => fs.existsSync(p))).to.deep.equal([]);
    expect(fs.existsSync(propagateDir('m2', state))).to.equal(true);
    expect(removeStaleState(root, 'm1', state)).to.deep.equal({ found: [], remaining: [] });
  });
});
