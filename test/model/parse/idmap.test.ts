import { expect } from 'chai';
import { isIdentityMap, mapsToHost, parseIdMap } from '../../../model/parse/idmap.js';
import { ParseError } from '../../../model/parse/lines.js';

describe('parseIdMap', () => {
  const cases: [string, string, ReturnType<typeof parseIdMap>][] = [
    ['the initial namespace', '         0          0 4294967295\n', [{ inside: 0, outside: 0, count: 4294967295 }]],
    ['unshare -r', '         0          0          1\n', [{ inside: 0, outside: 0, count: 1 }]],
    ['a subordinate range', '0 100000 65536\n', [{ inside: 0, outside: 100000, count: 65536 }]],
    [
      'several ranges',
      '0 1000 1\n1 100000 65535\n',
      [
        { inside: 0, outside: 1000, count: 1 },
        { inside: 1, outside: 100000, count: 65535 },
      ],
    ],
    ['an unwritten map', '', []],
  ];
  for (const [name, text, want] of cases) it(name, () => expect(parseIdMap(text)).to.deep.equal(want));

  const bad: [string, string][] = [
    ['two fields', '0 1000\n'],
    ['four fields', '0 1 2 3\n'],
    ['a negative', '0 -1 1\n'],
    ['text', 'a b c\n'],
  ];
  for (const [name, text] of bad) it(`throws on ${name}`, () => expect(() => parseIdMap(text, 'uid_map')).to.throw(ParseError, /^uid_map line 1: /));
});

describe('mapsToHost', () => {
  const map = parseIdMap('0 1000 1\n1 100000 65535\n');
  const cases: [number, number | null][] = [
    [0, 1000],
    [1, 100000],
    [65535, 165534],
    [65536, null],
    [-1, null],
  ];
  for (const [id, host] of cases) it(`${id} → ${host}`, () => expect(mapsToHost(map, id)).to.equal(host));
  it('nothing maps through an empty map', () => expect(mapsToHost([], 0)).to.equal(null));
});

describe('isIdentityMap', () => {
  it('only the full identity map', () => {
    expect(isIdentityMap(parseIdMap('0 0 4294967295'))).to.equal(true);
    expect(isIdentityMap(parseIdMap('0 0 1'))).to.equal(false);
  });
});
