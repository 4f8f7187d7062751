import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { scanLeftovers } from '../../host/leftovers.js';
import { IPC_CREAT, IPC_EXCL, shmget, shmRemove } from '../../host/libc.js';

function tree(files: Record<string, string>, dirs: string[] = []): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'leftovers-'));
  for (const d of dirs) fs.mkdirSync(path.join(root, d), { recursive: true });
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), text);
  }
  return root;
}

const SHM_HEADER =
  '       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n';
const MSG_HEADER = '       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n';

describe('leftover scan on a fixture tree', () => {
  let root: string;
  before(() => {
    root = tree(
      {
        'proc/self/mountinfo': [
          '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
          '90 22 0:50 / /tmp/isoprobe-mnt rw shared:40 - tmpfs isoprobe-abc123 rw',
          '91 22 0:51 / /run/isoprobe/run-x/rootfs rw - tmpfs tmpfs rw',
          '92 22 0:4 net:[4026532300] /run/netns/isoprobe-net1 rw shared:41 - nsfs nsfs rw',
          '93 22 0:52 / /tmp/my\\040isoprobe rw - tmpfs tmpfs rw',
          '94 22 0:53 / /tmp/nsfs-named rw - tmpfs isoprobe-nsfs rw',
        ].join('\n'),
        'proc/4242/cmdline': 'isoprobe-sentinel-abc123\x001800\x00',
        'proc/4243/cmdline': '/work/targets/builtin/build/isoprobe-shim\x00--hostname\x00x\x00',
        'proc/4244/cmdline': 'sleep\x00600\x00',
        'proc/4245/cmdline': '',
        [`proc/${process.pid}/cmdline`]: 'node\x00isoprobe-shim-like-self\x00',
        'proc/sysvipc/shm': `${SHM_HEADER}  353047092      32768   600                  4096 1 0 0 0 0 0 0 0 0 0 4096 0\n  305419896      32769   600                  4096 1 0 0 0 0 0 0 0 0 0 4096 0\n`,
        'proc/sysvipc/msg': `${MSG_HEADER}  353047093          3   600 0 0 0 0 0 0 0 0 0 0 0\n`,
        'run/netns/isoprobe-net1': '',
        'run/netns/other': '',
        'dev/mqueue/isoprobe-abc123': '',
        'dev/mqueue/someone-else': '',
        'tmp/isoprobe-marker-abc123': '',
        'tmp/unrelated': '',
        'dev/shm/isoprobe-marker-abc123': '',
      },
      [
        'sys/fs/cgroup/memory/isoprobe/builtin-1/sub',
        'sys/fs/cgroup/unified/isoprobe/builtin-1',
        'sys/fs/cgroup/pids/system.slice/docker',
        'sys/fs/cgroup/cpu/a/b/c/isoprobe-too-deep',
      ],
    );
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds each kind by name and nothing else', () => {
    const at = (p: string) => path.join(root, p);
    expect(scanLeftovers(root)).to.deep.equal({
      mounts: [
        '90 22 0:50 / /tmp/isoprobe-mnt rw shared:40 - tmpfs isoprobe-abc123 rw',
        '91 22 0:51 / /run/isoprobe/run-x/rootfs rw - tmpfs tmpfs rw',
        '93 22 0:52 / /tmp/my\\040isoprobe rw - tmpfs tmpfs rw',
        '94 22 0:53 / /tmp/nsfs-named rw - tmpfs isoprobe-nsfs rw',
      ],
      cgroups: [
        at('sys/fs/cgroup/memory/isoprobe/builtin-1/sub'),
        at('sys/fs/cgroup/memory/isoprobe/builtin-1'),
        at('sys/fs/cgroup/unified/isoprobe/builtin-1'),
        at('sys/fs/cgroup/memory/isoprobe'),
        at('sys/fs/cgroup/unified/isoprobe'),
      ],
      netns: ['isoprobe-net1'],
      processes: ['4242 isoprobe-sentinel-abc123 1800', '4243 /work/targets/builtin/build/isoprobe-shim --hostname x'],
      ipc: [
        'shm key=0x150b1234 id=32768',
        'msg key=0x150b1235 id=3',
        'mq /isoprobe-abc123',
        'file /tmp/isoprobe-marker-abc123',
        'file /dev/shm/isoprobe-marker-abc123',
      ],
    });
  });

  it('finds nothing on an empty tree', () => {
    const empty = tree({});
    try {
      expect(scanLeftovers(empty)).to.deep.equal({ mounts: [], cgroups: [], netns: [], processes: [], ipc: [] });
    } finally {
      fs.rmSync(empty, { recursive: true });
    }
  });
});

describe('leftover scan on this host', () => {
  it('lists a SysV segment with the isoprobe key prefix (a detector only: it removes nothing)', () => {
    let key = 0;
    let id = -1;
    for (let i = 0; i < 16 && !key; i++) {
      const k = (0x150b0000 | Math.floor(Math.random() * 0xffff)) >>> 0;
      try {
        id = shmget(k, 4096, IPC_CREAT | IPC_EXCL | 0o600);
        key = k;
      } catch {
        /* taken, try another */
      }
    }
    try {
      const ours = (e: string) => e.startsWith(`shm key=0x${key.toString(16)} `);
      expect(scanLeftovers().ipc.filter(ours)).to.have.length(1);
    } finally {
      shmRemove(id);
    }
  });
});
