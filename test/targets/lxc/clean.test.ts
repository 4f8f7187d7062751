import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { procStartTime } from '../../../host/proc.js';
import type { Resource } from '../../../model/journal.js';
import { cgroupResources, containerCgroups } from '../../../targets/lxc/cgroup.js';
import { cleanLxc, CLEAN_KIND, lxcExecutesIn } from '../../../targets/lxc/clean.js';

describe('LXC clean', () => {
  it('kills a recorded lxc-execute (its process group) and any naming the dead lxcpath; keeps nothing when all are gone', async () => {
    // A stand-in named lxc-execute (a copy of dash blocked in its builtin read): the reaper matches the binary's name and
    // the lxcpath in argv. A builtin, not `sleep`: a forked child carries the same name and argv until it execs, and a
    // scan in that window found two.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxc-clean-'));
    const bin = path.join(dir, 'lxc-execute');
    fs.copyFileSync('/bin/dash', bin);
    const lxcpath = path.join(dir, 'lxc');
    const child = spawn(bin, ['-c', 'read line', 'lxc-execute', '-P', lxcpath], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = once(child, 'exit');
    try {
      for (let i = 0; i < 100 && lxcExecutesIn([lxcpath]).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(lxcExecutesIn([lxcpath])).to.have.length(1);
      const kept: Resource[] = [];
      const entry: Resource = { kind: 'lxc', lxcpath, name: 'c', pid: child.pid!, start: procStartTime(child.pid!)! };
      const [item] = await cleanLxc({ entries: [entry], keep: (e) => kept.push(e) });
      await exited;
      expect(item!.kind).to.equal(CLEAN_KIND);
      expect(item!.found).to.deep.equal([`${child.pid} lxc-execute`]);
      expect(item!.remaining).to.deep.equal([]);
      expect(kept).to.deep.equal([]);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      child.stdin?.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("journals the shared parent, the container's cgroup and LXC's three, pivot's lxc.pivot last (removed first)", () => {
    const [d] = containerCgroups(['/sys/fs/cgroup/pids'], 'c-1');
    expect(d).to.equal('/sys/fs/cgroup/pids/isoprobe/c-1');
    expect(cgroupResources([d!]).map((r) => (r.kind === 'cgroup' ? `${r.path}${r.shared ? ' (shared)' : ''}` : r.kind))).to.deep.equal([
      '/sys/fs/cgroup/pids/isoprobe (shared)',
      d,
      `${d}/payload`,
      `${d}/monitor`,
      `${d}/pivot`,
      `${d}/pivot/lxc.pivot`,
    ]);
  });
});
