import { expect } from 'chai';
import { ParseError } from '../../../model/parse/lines.js';
import { parseTimensOffsets } from '../../../model/parse/timens.js';

describe('parseTimensOffsets', () => {
  const cases: [string, string, { monotonic: number; boottime: number }][] = [
    ["no offsets (the kernel's padded format)", 'monotonic           0         0\nboottime            0         0\n', { monotonic: 0, boottime: 0 }],
    [
      'unshare -T --monotonic 604800 --boottime 777600',
      'monotonic      604800         0\nboottime       777600         0\n',
      { monotonic: 604800, boottime: 777600 },
    ],
    ['nanoseconds', 'monotonic 1 500000000\nboottime 0 250000000\n', { monotonic: 1.5, boottime: 0.25 }],
    ['a negative offset (nanoseconds stay positive)', 'monotonic -2 500000000\nboottime -5 0\n', { monotonic: -1.5, boottime: -5 }],
    ['numeric clock ids, as written', '1 10 0\n7 20 0\n', { monotonic: 10, boottime: 20 }],
  ];
  for (const [name, text, want] of cases) it(name, () => expect(parseTimensOffsets(text)).to.deep.equal(want));

  const bad: [string, string, RegExp][] = [
    ['an unknown clock', 'realtime 1 0\nboottime 0 0\n', /^timens_offsets line 1: /],
    ['a missing clock', 'monotonic 1 0\n', /expected a monotonic and a boottime line/],
    ['a non-number', 'monotonic x 0\nboottime 0 0\n', /^timens_offsets line 1: /],
    ['an empty file', '', /expected a monotonic and a boottime line/],
  ];
  for (const [name, text, message] of bad) it(`throws on ${name}`, () => expect(() => parseTimensOffsets(text)).to.throw(ParseError, message));
});
