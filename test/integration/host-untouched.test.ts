/**
 * A full run leaves the host as it found it (issue 4): the probes set a hostname, try mounts, fork
 * bombs and memory hogs, create IPC objects and files, and must do all of it inside. Runs the
 * built-in runtime with every weakening (a shared uts or mount namespace is where a careless probe
 * would change the host), and runc and Docker where they are installed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runSuite } from '../../engine/run.js';
import { DRIVERS, type TargetConfig } from '../../targets/registry.js';
import { CATALOGUE } from '../../checks/catalogue.js';
import { dockerClient } from '../../targets/docker/daemon.js';
import { mqClose, mqOpen, mqUnlink, shmget, shmRemove } from '../../host/libc.js';
import { hostState, type HostState } from '../support/host-state.js';
import { ISOLATED, VARIANTS } from './negative-controls.js';

const has = (bin: string): boolean => {
  try {
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** dockerd makes <controller>/docker for its first container and keeps it for its lifetime: the daemon's, not the run's. */
const withoutDockerParent = (s: HostState): HostState => ({ ...s, cgroupDirs: s.cgroupDirs.filter((d) => !/^\/sys\/fs\/cgroup\/(?:[^/]+\/)?docker$/.test(d)) });

describe('a full run leaves the host as it found it', function () {
  this.timeout(300_000);
  let start: HostState;
  let end: HostState;
  const targets: TargetConfig[] = [ISOLATED, ...VARIANTS.map((v) => v.target)];

  before(async () => {
    if (has('runc')) targets.push({ name: 'runc', runtime: 'oci', binary: 'runc', share: [], rootChange: 'pivot_root', caps: 'default', limits: 'default' });
    if (
      await dockerClient()
        .ping()
        .then(
          () => true,
          () => false,
        )
    ) {
      const docker = { runtime: 'docker' as const, share: [], rootChange: 'pivot_root' as const, caps: 'default' as const, limits: 'default' as const };
      targets.push(
        { ...docker, name: 'docker' },
        { ...docker, name: 'docker-utsmode-host-allcaps', hostConfig: { UTSMode: 'host', CapAdd: ['ALL'], CapDrop: ['SYS_RESOURCE'] } },
      );
    }
    start = hostState();
    const results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets, profile: 'strict' });
    end = hostState();
    for (const t of results.targets) expect(t.error, `${t.name}: ${t.error}`).to.equal(undefined);
  });

  it('keeps the hostname and the clock', () => {
    expect(end.hostname).to.equal(start.hostname);
    expect(end.bootEpochSec, 'wall clock minus uptime (s)').to.be.closeTo(start.bootEpochSec, 1);
  });

  it('keeps the mounts, cgroups, /tmp entries and IPC objects', () => {
    const comparable = (s: HostState) => {
      const { cgroupDirs, mountPoints, tmpEntries, sysvIpc, posixMq } = withoutDockerParent(s);
      return { cgroupDirs, mountPoints, tmpEntries, sysvIpc, posixMq };
    };
    expect(comparable(end)).to.deep.equal(comparable(start));
    const c = comparable(end);
    process.stdout.write(
      `      same before and after ${targets.length} targets: hostname ${end.hostname}, ${c.mountPoints.length} mounts, ` +
        `${c.cgroupDirs.length} cgroup dirs, ${c.tmpEntries.length} /tmp entries, ${c.sysvIpc.length} SysV objects, ${c.posixMq.length} POSIX queues\n`,
    );
  });
});

/** The comparison above could pass by seeing nothing: show that it sees a change of each kind. */
describe('the host snapshot', () => {
  it('notices a new mount, cgroup, /tmp entry, SysV segment and POSIX queue', () => {
    const start = hostState();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-selftest-'));
    const cgroup = fs.existsSync('/sys/fs/cgroup/pids') ? '/sys/fs/cgroup/pids/isoprobe-selftest' : '/sys/fs/cgroup/isoprobe-selftest';
    const mq = `/isoprobe-selftest-${process.pid}`;
    let shm = -1;
    let mqd = -1;
    try {
      execFileSync('mount', ['-t', 'tmpfs', 'isoprobe-selftest', dir]);
      fs.mkdirSync(cgroup);
      shm = shmget(0 /* IPC_PRIVATE */, 4096, 0o1000 /* IPC_CREAT */ | 0o600);
      mqd = mqOpen(mq, 0o100 /* O_CREAT */ | 0o2 /* O_RDWR */);
      const now = hostState();
      expect(now.mountPoints.filter((m) => !start.mountPoints.includes(m))).to.deep.equal([dir]);
      expect(now.cgroupDirs.filter((d) => !start.cgroupDirs.includes(d))).to.deep.equal([cgroup]);
      expect(now.tmpEntries.filter((e) => !start.tmpEntries.includes(e))).to.deep.equal([path.basename(dir)]);
      expect(now.sysvIpc.filter((e) => !start.sysvIpc.includes(e))).to.deep.equal([`shm key=0 id=${shm}`]);
      expect(now.posixMq.filter((e) => !start.posixMq.includes(e))).to.deep.equal([mq.slice(1)]);
    } finally {
      if (mqd >= 0) {
        mqClose(mqd);
        mqUnlink(mq);
      }
      if (shm >= 0) shmRemove(shm);
      if (fs.existsSync(cgroup)) fs.rmdirSync(cgroup);
      try {
        execFileSync('umount', [dir]);
      } catch {
        /* not mounted */
      }
      fs.rmdirSync(dir);
    }
  });
});
