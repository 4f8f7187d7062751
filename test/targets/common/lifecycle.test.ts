import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { CgroupLayout } from '../../../host/cgroup.js';
import { runLifecycle, type Exit, type Held } from '../../../targets/common/lifecycle.js';

const NONE: CgroupLayout = { version: 'none', mode: 'none' };
const EXIT: Exit = { exitCode: 0, signal: null, stdout: 'out', stderr: '' };

/** A held container that records the order of the calls. */
function fake(over: Partial<Held> = {}) {
  const calls: string[] = [];
  const held: Held = {
    pid: 0,
    scratch: null,
    release: () => {
      calls.push('release');
    },
    wait: async () => {
      calls.push('wait');
      return EXIT;
    },
    remove: async () => {
      calls.push('remove');
    },
    ...over,
  };
  return { held, calls };
}

describe('the shared container lifecycle', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-lifecycle-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('releases, waits, reads after exit, then removes; the outcome carries the exit and the host reads', async () => {
    fs.writeFileSync(path.join(dir, 'owned'), '');
    const f = fake({ scratch: dir });
    const out = await runLifecycle(async () => f.held, { cgroups: NONE });
    expect(f.calls).to.deep.equal(['release', 'wait', 'remove']);
    expect(out).to.deep.include({ hostPid: 0, exitCode: 0, signal: null, stdout: 'out' });
    expect(out.hostFacts.hostClocks).to.not.equal(null);
    expect(out.hostFacts.createdFiles.map((c) => c.path)).to.deep.equal(['/scratch/owned']);
    expect(out.hostFacts.cgroup.events).to.deep.equal({});
  });

  it('removes the container when waiting fails, and passes the error on', async () => {
    const f = fake({
      wait: async () => {
        throw new Error('did not finish');
      },
    });
    const err = await runLifecycle(async () => f.held, { cgroups: NONE }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).to.equal('did not finish');
    expect(f.calls).to.deep.equal(['release', 'remove']);
  });

  it("takes a placed cgroup's paths as they are, and observes nothing when told not to", async () => {
    const f = fake({ pid: 1, placement: { version: 'v2', paths: ['/nonexistent-isoprobe-cg'], readLimits: () => ({ 'pids.max': '64' }) } });
    const out = await runLifecycle(async () => f.held, { cgroups: NONE, observe: false });
    expect(out.hostFacts.cgroup).to.deep.equal({ version: 'v2', paths: ['/nonexistent-isoprobe-cg'], limits: {} });
    expect(out.hostFacts.hostClocks).to.equal(null);
  });
});
