import { expect } from 'chai';
import { mergePatch } from '../../model/merge-patch.js';

describe('JSON merge patch (RFC 7386)', () => {
  // RFC 7386, Appendix A: every example, in order.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) {
    it(`${JSON.stringify(target)} + ${JSON.stringify(patch)} → ${JSON.stringify(want)}`, () => {
      expect(mergePatch(target, patch)).to.deep.equal(want);
    });
  }

  it('modifies neither input', () => {
    const target = { linux: { namespaces: [{ type: 'pid' }], cgroupsPath: '/x' } };
    const patch = { linux: { namespaces: [{ type: 'net' }], cgroupsPath: null } };
    const before = structuredClone({ target, patch });
    const out = mergePatch(target, patch) as { linux: { namespaces: unknown[] } };
    out.linux.namespaces.push({ type: 'ipc' });
    expect({ target, patch }).to.deep.equal(before);
  });
});
