import { expect } from 'chai';
import { describeHostPaths, hostPathsInMounts } from '../../model/host-paths.js';
import { parseMountinfo } from '../../model/parse/mountinfo.js';

const DOCKER = [
  '600 550 0:52 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/ABC:/var/lib/docker/overlay2/l/DEF,upperdir=/var/lib/docker/overlay2/x/diff,workdir=/var/lib/docker/overlay2/x/work',
  '601 600 0:55 / /proc rw,nosuid - proc proc rw',
  '602 600 0:5 /null /proc/kcore rw,nosuid - devtmpfs udev rw',
  '603 600 254:1 /var/lib/docker/containers/abc/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw',
  '604 600 0:29 /docker/abc /sys/fs/cgroup/pids ro,nosuid - cgroup cgroup rw,pids',
  '605 600 0:29 /../.. /sys/fs/cgroup/cpu ro,nosuid - cgroup cgroup rw,cpu',
  '606 600 0:60 / /dev/shm rw - tmpfs shm rw',
  '608 600 0:62 /null /proc/keys rw,nosuid - tmpfs tmpfs rw',
  '607 600 0:61 / /mnt/fuse rw - fuse.sshfs /home/u/remote rw',
].join('\n');

describe('host paths in mountinfo (information)', () => {
  it('names roots, sources and path options that are host paths; ignores kernel objects and hidden cgroup roots', () => {
    expect(hostPathsInMounts(parseMountinfo(DOCKER))).to.deep.equal([
      '/: lowerdir /var/lib/docker/overlay2/l/ABC:/var/lib/docker/overlay2/l/DEF',
      '/: upperdir /var/lib/docker/overlay2/x/diff',
      '/: workdir /var/lib/docker/overlay2/x/work',
      '/etc/hostname: root /var/lib/docker/containers/abc/hostname',
      '/sys/fs/cgroup/pids: host cgroup /docker/abc',
      '/mnt/fuse: source /home/u/remote',
    ]);
  });
  it('says none, or why it could not read them', () => {
    expect(describeHostPaths('601 600 0:55 / /proc rw - proc proc rw')).to.equal('none');
    expect(describeHostPaths('garbage')).to.match(/^not read: /);
    expect(describeHostPaths(DOCKER)).to.match(/^6: \/: lowerdir /);
  });
});
