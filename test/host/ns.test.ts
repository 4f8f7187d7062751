import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { NAMESPACES } from '../../model/spec.js';
import { capEffective, hostNamespaces, nsInode, nsOwnership, openPidfd, pidfdKill } from '../../host/ns.js';

const selfIno = (ns: string) => nsInode(`/proc/self/ns/${ns}`);
const isInitialUserNs = () => fs.readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ') === '0 0 4294967295';

/** Starts `unshare <flags> sleep 30` and waits until it has left our user namespace. */
async function unshared(flags: string[]): Promise<ChildProcess> {
  const child = spawn('unshare', [...flags, 'sleep', '30'], { stdio: 'ignore' });
  await once(child, 'spawn');
  for (let i = 0; i < 200; i++) {
    try {
      if (nsInode(`/proc/${child.pid}/ns/user`) !== selfIno('user')) return child;
    } catch {
      /* not there yet */
    }
    await sleep(10);
  }
  child.kill('SIGKILL');
  throw new Error('unshare never left our user namespace');
}

async function reap(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

describe('namespace observers', () => {
  it('lists our own namespaces, link and inode agreeing', () => {
    const ns = hostNamespaces();
    expect(Object.keys(ns).sort()).to.deep.equal([...NAMESPACES].sort());
    for (const name of NAMESPACES) {
      expect(ns[name].link).to.match(new RegExp(`^${name}:\\[\\d+\\]$`));
      expect(ns[name].link).to.equal(`${name}:[${ns[name].ino}]`);
    }
  });

  it('finds that our net namespace is owned by our user namespace', () => {
    const o = nsOwnership('self', 'net');
    expect(o.link).to.equal(fs.readlinkSync('/proc/self/ns/net'));
    expect(o.ownerUserNsIno).to.equal(selfIno('user'));
    expect(o.parentIno, 'net namespaces have no parent').to.equal(null);
  });

  it('gives nulls, not an exception, above the initial namespaces', function () {
    if (!isInitialUserNs()) this.skip();
    expect(nsOwnership('self', 'user')).to.include({ ownerUserNsIno: null, parentIno: null });
  });

  it('gives nulls, not an exception, for a process that is gone', async () => {
    const child = spawn('true');
    await once(child, 'exit');
    expect(nsOwnership(child.pid!, 'net')).to.deep.equal({ link: null, ownerUserNsIno: null, parentIno: null });
  });

  describe('a child made with unshare -U -n -p -f', () => {
    let child: ChildProcess;
    before(async () => {
      child = await unshared(['-U', '-n', '-p', '-f']);
    });
    after(() => reap(child));

    it('has a net namespace owned by its new user namespace, whose parent is ours', () => {
      const childUser = nsInode(`/proc/${child.pid}/ns/user`);
      const net = nsOwnership(child.pid!, 'net');
      expect(net.ownerUserNsIno).to.equal(childUser).and.not.equal(selfIno('user'));
      expect(nsOwnership(child.pid!, 'user').parentIno).to.equal(selfIno('user'));
      expect(nsOwnership(child.pid!, 'uts').ownerUserNsIno, 'uts was not unshared').to.equal(selfIno('user'));
    });

    it('has a pid namespace whose parent is ours (seen on the forked sleep)', () => {
      const sleeper = Number(fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]);
      const pid = nsOwnership(sleeper, 'pid');
      expect(pid.link).to.not.equal(fs.readlinkSync('/proc/self/ns/pid'));
      expect(pid.parentIno).to.equal(selfIno('pid'));
      expect(pid.ownerUserNsIno).to.equal(nsInode(`/proc/${child.pid}/ns/user`));
    });
  });

  it('reads the effective capabilities of another process', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(child, 'spawn');
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      expect(capEffective(child.pid!)).to.equal(BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(status)![1]}`));
      expect(capEffective('self')).to.equal(capEffective(process.pid));
    } finally {
      await reap(child);
    }
  });

  it('kills through a pidfd with a signal name', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const fd = openPidfd(child.pid!);
    try {
      const exited = once(child, 'exit');
      pidfdKill(fd, 'SIGTERM');
      expect((await exited)[1]).to.equal('SIGTERM');
    } finally {
      fs.closeSync(fd);
    }
  });
});
