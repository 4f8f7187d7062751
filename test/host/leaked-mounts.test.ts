import { expect } from 'chai';
import { leakedMountPoints } from '../../host/leaked-mounts.js';
import { parseMountinfo } from '../../model/parse/mountinfo.js';

describe('probe mounts that leaked to the host', () => {
  const mounts = parseMountinfo(
    [
      '22 1 8:1 / / rw shared:1 - ext4 /dev/vda1 rw',
      '90 22 0:50 / /tmp/isoprobe-leak rw shared:40 - tmpfs isoprobe-n1-builtin rw',
      '91 22 0:51 / /tmp/my\\040dir rw shared:41 - tmpfs isoprobe-n1-runc rw',
      '92 22 0:52 / /tmp/other-run rw - tmpfs isoprobe-n2-builtin rw',
      '93 22 0:53 / /tmp/named-isoprobe-n1 rw - tmpfs tmpfs rw',
      '94 22 0:54 / /tmp/escaped-source rw - tmpfs isoprobe-n1\\040x rw',
    ].join('\n'),
  );
  const cases: [string, string, string[]][] = [
    ["finds this run's mounts by source, with mount points decoded", 'isoprobe-n1', ['/tmp/isoprobe-leak', '/tmp/my dir', '/tmp/escaped-source']],
    ["one target's only", 'isoprobe-n1-runc', ['/tmp/my dir']],
    ["not another run's, nor one that only names the nonce in its mount point", 'isoprobe-n3', []],
  ];
  for (const [name, source, want] of cases) it(name, () => expect(leakedMountPoints(mounts, source)).to.deep.equal(want));
});
