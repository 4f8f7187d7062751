/**
 * A removed container's cgroup that still holds a process (a `runc init` its killed daemon never
 * started): clean kills what runs in that container's cgroup and removes it, and touches no
 * other cgroup beside it. Real cgroups, so root only.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { cgroupMounts } from '../../../../host/cgroup.js';
import { cleanDocker, type CleanClient } from '../../../../targets/common/engine-api/clean.js';
import { RUN_LABEL } from '../../../../targets/common/engine-api/labels.js';

// Not named "isoprobe…": the leftover scan (host/leftovers.ts) would take it for a killed run's.
const PARENT = `/ipclean-test-${process.pid}`;
const ID = `${'c0ffee'.repeat(10)}c0ffee12`;

/** The pids hierarchy on v1 (any process may join it), the v2 root otherwise. */
function hierarchy(): string {
  const mounts = cgroupMounts(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  const m = mounts.find((x) => x.fsType === 'cgroup' && x.superOptions.includes('pids')) ?? mounts.find((x) => x.fsType === 'cgroup2');
  if (!m) throw new Error('no cgroup hierarchy mounted');
  return m.mountPoint;
}

function client(): CleanClient {
  return {
    ping: async () => 'OK',
    getContainer: () => ({
      inspect: async () => ({ Id: ID, Config: { Labels: { [RUN_LABEL]: 'r1' } }, HostConfig: { CgroupParent: PARENT } }),
      remove: async () => {},
    }),
    listImages: async () => [],
    getImage: () => ({ remove: async () => {} }),
  } as unknown as CleanClient;
}

describe('docker clean: a removed container cgroup that still holds a process', function () {
  this.timeout(30_000);
  const root = hierarchy();
  const ours = path.join(root, PARENT, ID);
  const beside = path.join(root, PARENT, 'someone-else');
  let held: ReturnType<typeof spawn> | undefined;
  after(() => {
    held?.kill('SIGKILL');
    for (const d of [ours, beside, path.join(root, PARENT)]) {
      try {
        fs.rmdirSync(d);
      } catch {
        /* not made, or already removed */
      }
    }
  });

  it('kills what runs in it, removes it, and leaves the cgroup beside it', async () => {
    fs.mkdirSync(ours, { recursive: true });
    fs.mkdirSync(beside, { recursive: true });
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    held = child;
    fs.writeFileSync(path.join(ours, 'cgroup.procs'), String(child.pid));
    const exited = new Promise<string | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    const items = await cleanDocker(client(), {
      socketPath: '/nonexistent.sock',
      imagesInUse: () => null,
      entries: [{ kind: 'docker', name: 'isoprobe-x', run: 'r1' }],
      shared: false,
      keep: () => {},
    });
    expect(items[0]!.found).to.deep.equal(['isoprobe-x']);
    expect(items[0]!.remaining).to.deep.equal([]);
    expect(await exited).to.equal('SIGKILL');
    expect(fs.existsSync(ours)).to.equal(false);
    expect(fs.existsSync(beside)).to.equal(true);
  });
});
