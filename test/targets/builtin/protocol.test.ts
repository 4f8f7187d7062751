import { expect } from 'chai';
import { describeStepError, parseShimLine } from '../../../targets/builtin/protocol.js';

describe('shim protocol', () => {
  const cases: [string, unknown][] = [
    ['PID 4242', { kind: 'pid', pid: 4242 }],
    ['READY', { kind: 'ready' }],
    ['EXECED\n', { kind: 'execed' }],
    ['EXIT 0', { kind: 'exit', code: 0 }],
    ['SIGNAL 9', { kind: 'signal', signal: 9 }],
    ['ERR pivot-root:22', { kind: 'error', step: 'pivot-root', errno: 22 }],
  ];
  for (const [line, want] of cases) {
    it(`parses ${JSON.stringify(line)}`, () => expect(parseShimLine(line)).to.deep.equal(want));
  }
  for (const junk of ['', 'PID', 'PID -1', 'PID x', 'ERR nonsense', 'HELLO 1']) {
    it(`rejects ${JSON.stringify(junk)}`, () => expect(() => parseShimLine(junk)).to.throw(/unexpected message/));
  }
  it('names the errno of a failed step', () => {
    expect(describeStepError('timens-offsets', 13)).to.equal('container setup step "timens-offsets" failed: EACCES (13)');
  });
});
