import { expect } from 'chai';
import { ParseError } from '../../../model/parse/lines.js';
import { parseMountinfo, unescapeMountPath } from '../../../model/parse/mountinfo.js';

/** Lines recorded on the development VM (kernel 6.18, Debian 12), plus escaped paths. */
const SAMPLE = `${[
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '42 27 254:0 /var/lib/docker /var/lib/docker rw,relatime shared:1 - ext4 /dev/vda rw,discard,resv_strict',
  '301 300 0:52 / /tmp/my\\040dir ro,nosuid master:7 propagate_from:3 - tmpfs isoprobe-n\\0401 rw,size=4k',
  '310 301 0:5 /null /proc/kcore rw,nosuid - devtmpfs udev rw,mode=755',
].join('\n')}\n`;

describe('parseMountinfo', () => {
  const m = parseMountinfo(SAMPLE);

  it('parses every line', () => expect(m).to.have.length(4));
  it('splits the fields of a plain line', () => {
    expect(m[0]).to.deep.equal({
      mountId: 22,
      parentId: 27,
      major: 0,
      minor: 21,
      root: '/',
      mountPoint: '/proc',
      options: ['rw', 'relatime'],
      optionalFields: [],
      fsType: 'proc',
      source: 'proc',
      superOptions: ['rw'],
    });
  });
  const cases: [string, number, Partial<(typeof m)[0]>][] = [
    ['a shared mount', 1, { optionalFields: ['shared:1'], major: 254, minor: 0, root: '/var/lib/docker', superOptions: ['rw', 'discard', 'resv_strict'] }],
    [
      'several optional fields and octal escapes',
      2,
      { optionalFields: ['master:7', 'propagate_from:3'], mountPoint: '/tmp/my dir', source: 'isoprobe-n 1', options: ['ro', 'nosuid'] },
    ],
    ['a bind mount of a file (root is the source path)', 3, { root: '/null', mountPoint: '/proc/kcore', fsType: 'devtmpfs', source: 'udev' }],
  ];
  for (const [name, i, want] of cases) it(name, () => expect(m[i]).to.deep.include(want));

  it('ignores blank lines and a missing final newline', () => {
    expect(parseMountinfo('\n22 27 0:21 / /proc rw - proc proc rw')).to.have.length(1);
    expect(parseMountinfo('')).to.deep.equal([]);
  });

  const bad: [string, string][] = [
    ['no separator', '22 27 0:21 / /proc rw proc proc rw'],
    ['a cut line', '22 27 0:21 / /proc rw - proc'],
    ['a non-numeric id', 'x 27 0:21 / /proc rw - proc proc rw'],
    ['a bad device', '22 27 021 / /proc rw - proc proc rw'],
  ];
  for (const [name, line] of bad) {
    it(`throws ParseError naming the line on ${name}`, () => {
      expect(() => parseMountinfo(`22 27 0:21 / /proc rw - proc proc rw\n${line}\n`)).to.throw(ParseError, /^mountinfo line 2: /);
    });
  }

  it('unescapes the four kernel escapes', () => {
    expect(unescapeMountPath('a\\040b\\011c\\012d\\134e')).to.equal('a b\tc\nd\\e');
  });
});
