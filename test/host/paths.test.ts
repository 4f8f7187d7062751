import { expect } from 'chai';
import { isNoexec } from '../../host/paths.js';

describe('run directory placement', () => {
  const info = [
    '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw',
    '25 22 0:22 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,mode=755',
    '26 25 0:23 / /run/user/0 rw,nosuid,nodev,relatime shared:6 - tmpfs tmpfs rw',
  ].join('\n');
  it('finds a noexec /run from the mount that holds it', () => expect(isNoexec('/run', info)).to.equal(true));
  it('uses the longest matching mount point', () => expect(isNoexec('/run/user/0', info)).to.equal(false));
  it('does not confuse /runner with /run', () => expect(isNoexec('/runner', info)).to.equal(false));
  it('falls back to the root mount', () => expect(isNoexec('/var/lib', info)).to.equal(false));
});
