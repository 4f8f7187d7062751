import { expect } from 'chai';
import { ParseError } from '../../../model/parse/lines.js';
import { nsIno, parseNsLink } from '../../../model/parse/nslink.js';

describe('parseNsLink', () => {
  const cases: [string, { type: string; ino: number }][] = [
    ['pid:[4026531836]', { type: 'pid', ino: 4026531836 }],
    ['cgroup:[4026532183]', { type: 'cgroup', ino: 4026532183 }],
    ['time:[4026531834]', { type: 'time', ino: 4026531834 }],
    ['pid_for_children:[4026532182]', { type: 'pid_for_children', ino: 4026532182 }],
  ];
  for (const [link, want] of cases) it(link, () => expect(parseNsLink(link)).to.deep.equal(want));

  for (const bad of ['', 'pid:4026531836', 'pid:[]', 'pid:[12a]', '/proc/1/ns/pid', 'anon_inode:[eventfd]x']) {
    it(`throws on ${JSON.stringify(bad)}`, () => expect(() => parseNsLink(bad)).to.throw(ParseError, /not a namespace link/));
  }
  it('nsIno: null for an unobservable namespace', () => {
    expect([nsIno('net:[4026531833]'), nsIno(null), nsIno(undefined)]).to.deep.equal([4026531833, null, null]);
  });
});
