import { expect } from 'chai';
import { isNoexec } from '../../host/paths.js';

describe('run directory placement', () => {
  const info = [
    '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw',
    '25 22 0:22 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,mode=755',
    '26 25 0:23 / /run/user/0 rw,nosuid,nodev,relatime shared:6 - tmpfs tmpfs rw',
    '27 22 0:24 / /srv/my\\040dir rw,noexec - tmpfs tmpfs rw',
  ].join('\n');
  const cases: [string, string, boolean][] = [
    ['finds a noexec /run from the mount that holds it', '/run', true],
    ['uses the longest matching mount point', '/run/user/0', false],
    ['does not confuse /runner with /run', '/runner', false],
    ['falls back to the root mount', '/var/lib', false],
    ['decodes a mount point with a space (\\040)', '/srv/my dir/x', true],
    ['does not match the escaped spelling', '/srv/my\\040dir', false],
  ];
  for (const [name, dir, want] of cases) it(name, () => expect(isNoexec(dir, info)).to.equal(want));
  it('says exec for no mountinfo at all', () => expect(isNoexec('/run', '')).to.equal(false));
});
