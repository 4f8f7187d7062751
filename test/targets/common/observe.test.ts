import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { CgroupLayout } from '../../../host/cgroup.js';
import { statScratch } from '../../../host/host-facts.js';
import { cgroupDirs, holdProbe, readCgroupLimits } from '../../../targets/common/observe.js';

const V1: CgroupLayout = {
  version: 'v1',
  mode: 'hybrid',
  controllers: { pids: '/sys/fs/cgroup/pids', memory: '/sys/fs/cgroup/memory', cpu: '/sys/fs/cgroup/cpu' },
};
const V2: CgroupLayout = { version: 'v2', mode: 'v2', mountpoint: '/sys/fs/cgroup' };

// /proc/<pid>/cgroup of a Docker 20.10 container on this project's hybrid VM, and of a runc one on v2.
const DOCKER_V1 = `12:misc:/
9:name=systemd:/docker/abc
8:pids:/docker/abc
4:memory:/docker/abc
1:cpu:/docker/abc
2:cpuacct:/docker/abc
0::/
`;
const RUNC_V2 = '0::/isoprobe-7-1-runc\n';

describe("host-side observation of a runtime's container", () => {
  it("finds the container's v1 pids/memory/cpu cgroups from /proc/<pid>/cgroup", () => {
    expect(cgroupDirs(DOCKER_V1, V1)).to.deep.equal({
      pids: '/sys/fs/cgroup/pids/docker/abc',
      memory: '/sys/fs/cgroup/memory/docker/abc',
      cpu: '/sys/fs/cgroup/cpu/docker/abc',
    });
  });

  it('finds its one v2 cgroup', () => {
    expect(cgroupDirs(RUNC_V2, V2)).to.deep.equal({ unified: '/sys/fs/cgroup/isoprobe-7-1-runc' });
    expect(cgroupDirs('', V2)).to.deep.equal({});
    expect(cgroupDirs(DOCKER_V1, { version: 'none', mode: 'none' })).to.deep.equal({});
  });

  describe('on fixture trees', () => {
    let root: string;
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-observe-'));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it('reads the v1 limit files the checks compare, under the names the built-in runtime reports', () => {
      write('pids/x/pids.max', '64\n');
      write('memory/x/memory.limit_in_bytes', '67108864\n');
      write('cpu/x/cpu.cfs_period_us', '100000\n');
      write('cpu/x/cpu.cfs_quota_us', '50000\n');
      const dirs = { pids: `${root}/pids/x`, memory: `${root}/memory/x`, cpu: `${root}/cpu/x` };
      expect(readCgroupLimits(dirs, V1)).to.deep.equal({
        'pids.max': '64',
        'memory.limit_in_bytes': '67108864',
        'cpu.cfs_period_us': '100000',
        'cpu.cfs_quota_us': '50000',
      });
    });

    it('reads the v2 ones, leaving out files that are not there', () => {
      write('c/pids.max', 'max\n');
      write('c/cpu.max', '50000 100000\n');
      expect(readCgroupLimits({ unified: `${root}/c` }, V2)).to.deep.equal({ 'pids.max': 'max', 'cpu.max': '50000 100000' });
    });

    it('reports who owns the files in a scratch directory, as /scratch paths', () => {
      write('s/owned-1', '');
      expect(statScratch(`${root}/s`)).to.deep.equal([{ path: '/scratch/owned-1', uid: process.getuid!(), gid: process.getgid!() }]);
      expect(statScratch(`${root}/absent`)).to.deep.equal([]);
    });
  });

  it('holds the facts and enforcement probes on stdin, once; nothing else', () => {
    expect(holdProbe(['/isoprobe/probe', 'facts', '--tcp', 'x'])).to.deep.equal(['/isoprobe/probe', 'facts', '--wait-stdin', '--tcp', 'x']);
    expect(holdProbe(['/isoprobe/probe', 'facts', '--wait-stdin'])).to.deep.equal(['/isoprobe/probe', 'facts', '--wait-stdin']);
    expect(holdProbe(['/isoprobe/probe', 'forkbomb', '--max', '8'])).to.deep.equal(['/isoprobe/probe', 'forkbomb', '--wait-stdin', '--max', '8']);
    expect(holdProbe(['/isoprobe/probe', 'cpuburn'])).to.deep.equal(['/isoprobe/probe', 'cpuburn', '--wait-stdin']);
    expect(holdProbe(['/isoprobe/probe', 'true'])).to.deep.equal(['/isoprobe/probe', 'true']);
    expect(holdProbe(['/bin/sh', 'facts'])).to.deep.equal(['/bin/sh', 'facts']);
  });
});
