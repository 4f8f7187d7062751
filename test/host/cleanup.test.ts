/**
 * The undo registry under a signal, in a child process (the registry's exit is the process's):
 * whatever is made around the moment of Ctrl-C is removed, and the exit code stays 130.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../host/paths.js';

const CHILD = path.join(REPO_ROOT, 'dist/test/fixtures/cleanup-child.js');

async function interrupted(scenario: string): Promise<{ code: number | null; signal: string | null; lines: string[]; stderr: string }> {
  const child = spawn(process.execPath, [CHILD, scenario], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => {
    stdout += c;
  });
  child.stderr!.on('data', (c) => {
    stderr += c;
  });
  const [code, signal] = await once(child, 'close');
  return { code, signal, lines: stdout.split('\n').filter(Boolean), stderr };
}

describe('the undo registry on SIGINT', () => {
  it('removes a resource registered while the drain runs another undo', async () => {
    const r = await interrupted('during-drain');
    expect({ code: r.code, signal: r.signal }, r.stderr).to.deep.equal({ code: 130, signal: null });
    expect(r.lines).to.have.members(['made A', 'made B', 'removed A', 'removed B']);
  });

  it('waits for an undo its owner started before the signal', async () => {
    const r = await interrupted('in-flight');
    expect({ code: r.code, signal: r.signal }, r.stderr).to.deep.equal({ code: 130, signal: null });
    expect(r.lines).to.deep.equal(['made C', 'removed C']);
  });

  it('removes at once a resource registered after the signal, and still exits 130', async () => {
    const r = await interrupted('after-signal');
    expect({ code: r.code, signal: r.signal }, r.stderr).to.deep.equal({ code: 130, signal: null });
    expect(r.lines).to.have.members(['made D', 'made E', 'removed D', 'removed E']);
  });

  it('a second SIGINT during the cleanup does not cut it short', async () => {
    const r = await interrupted('second-signal');
    expect({ code: r.code, signal: r.signal }, r.stderr).to.deep.equal({ code: 130, signal: null });
    expect(r.lines).to.deep.equal(['made F', 'removed F']);
    expect(r.stderr).to.include('cleanup is under way');
  });

  it('a third SIGINT abandons a hanging cleanup with 130, naming what is left', async () => {
    const r = await interrupted('third-signal');
    expect({ code: r.code, signal: r.signal }, r.stderr).to.deep.equal({ code: 130, signal: null });
    expect(r.lines).to.deep.equal(['made G']);
    expect(r.stderr).to.match(/cleanup abandoned, left: G \(run "isoprobe clean"\)/);
  });

  it('the run ending during the cleanup neither cuts it short nor changes the exit code', async () => {
    const r = await interrupted('run-ends');
    expect({ code: r.code, signal: r.signal }, r.stderr).to.deep.equal({ code: 130, signal: null });
    expect(r.lines).to.deep.equal(['made I', 'removed I']);
  });

  it('a drain with nothing to do does not stop a later one (no signal needed)', async () => {
    const r = await interrupted('empty-drain');
    expect(r.lines).to.deep.equal(['made H', 'removed H', 'drained']);
  });
});
