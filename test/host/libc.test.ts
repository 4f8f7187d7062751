import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { expect } from 'chai';
import {
  capget,
  IPC_CREAT,
  IPC_EXCL,
  mqClose,
  mqOpen,
  mqUnlink,
  msgget,
  msgRemove,
  nsIoctl,
  nsOwnerUid,
  NS_GET_NSTYPE,
  NS_GET_OWNER_UID,
  NS_GET_PARENT,
  NS_GET_USERNS,
  O_CREAT,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  pidfdOpen,
  pidfdSendSignal,
  semget,
  semRemove,
  shmget,
  shmRemove,
  SysError,
} from '../../host/libc.js';

/** A key outside isoprobe's 0x150b prefix, so a crash here is not mistaken for a run's leftover. */
const testKey = () => (0x7e570000 | Math.floor(Math.random() * 0xffff)) >>> 0;

function sysErrorOf(run: () => unknown): SysError {
  try {
    run();
  } catch (e) {
    expect(e).to.be.instanceOf(SysError);
    return e as SysError;
  }
  throw new Error('expected a SysError');
}

describe('libc bindings', () => {
  it('defines the nsfs ioctls as _IO(0xb7, n)', () => {
    expect([NS_GET_USERNS, NS_GET_PARENT, NS_GET_NSTYPE, NS_GET_OWNER_UID]).to.deep.equal([0xb701, 0xb702, 0xb703, 0xb704]);
  });

  it('throws a SysError carrying the call, errno and its name', () => {
    const e = sysErrorOf(() => nsIoctl(-1, NS_GET_NSTYPE));
    expect(e).to.include({ errno: 9, code: 'EBADF' });
    expect(e.call).to.match(/^ioctl/);
    expect(e.message).to.contain('EBADF (9)');
  });

  it('answers NS_GET_NSTYPE and NS_GET_OWNER_UID on /proc/self/ns', () => {
    const net = fs.openSync('/proc/self/ns/net', 'r');
    const user = fs.openSync('/proc/self/ns/user', 'r');
    try {
      expect(nsIoctl(net, NS_GET_NSTYPE)).to.equal(0x40000000); // CLONE_NEWNET
      expect(nsOwnerUid(user)).to.equal(0);
      expect(sysErrorOf(() => nsOwnerUid(net)).code, 'OWNER_UID applies to user namespaces only').to.equal('EINVAL');
    } finally {
      fs.closeSync(net);
      fs.closeSync(user);
    }
  });

  it('reads capabilities with capget v3 (agrees with /proc/self/status)', () => {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const capEff = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(status)![1]}`);
    const capPrm = BigInt(`0x${/CapPrm:\s*([0-9a-f]+)/.exec(status)![1]}`);
    const sets = capget(0);
    expect(sets.effective).to.equal(capEff);
    expect(sets.permitted).to.equal(capPrm);
  });

  it('creates, finds and removes SysV shm, msg and sem objects', () => {
    const kinds = [
      { make: (k: number, f: number) => shmget(k, 4096, f), remove: shmRemove },
      { make: (k: number, f: number) => msgget(k, f), remove: msgRemove },
      { make: (k: number, f: number) => semget(k, 1, f), remove: semRemove },
    ];
    for (const { make, remove } of kinds) {
      const key = testKey();
      const id = make(key, IPC_CREAT | IPC_EXCL | 0o600);
      try {
        expect(make(key, 0)).to.equal(id);
        expect(sysErrorOf(() => make(key, IPC_CREAT | IPC_EXCL | 0o600)).code).to.equal('EEXIST');
      } finally {
        remove(id);
      }
      expect(sysErrorOf(() => make(key, 0)).code).to.equal('ENOENT');
    }
  });

  it('creates, opens and unlinks a POSIX message queue', () => {
    const name = `/isoprobe-libc-test-${process.pid}`;
    mqClose(mqOpen(name, O_CREAT | O_EXCL | O_RDWR, 0o600));
    try {
      mqClose(mqOpen(name, O_RDONLY));
    } finally {
      mqUnlink(name);
    }
    expect(sysErrorOf(() => mqOpen(name, O_RDONLY)).code).to.equal('ENOENT');
  });

  it('signals through a pidfd, and gets ESRCH once the process is reaped', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const fd = pidfdOpen(child.pid!);
    try {
      const exited = once(child, 'exit');
      pidfdSendSignal(fd, 9);
      const [, signal] = await exited;
      expect(signal).to.equal('SIGKILL');
      expect(sysErrorOf(() => pidfdSendSignal(fd, 0)).code).to.equal('ESRCH');
    } finally {
      fs.closeSync(fd);
    }
  });
});
