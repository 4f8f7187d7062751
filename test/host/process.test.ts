import { expect } from 'chai';
import { decodeExitStatus, exitCodeForSignal, pidAlive, signalName } from '../../host/process.js';

describe('host/process: how a process ended', () => {
  const names: [number, string][] = [
    [9, 'SIGKILL'],
    [15, 'SIGTERM'],
    [2, 'SIGINT'],
    [200, 'signal 200'],
  ];
  for (const [num, want] of names) it(`signal ${num} is ${want}`, () => expect(signalName(num)).to.equal(want));

  const statuses: [string, number | null, NodeJS.Signals | null, { exitCode: number | null; signal: string | null }][] = [
    ['a plain exit', 0, null, { exitCode: 0, signal: null }],
    ['a failing exit', 3, null, { exitCode: 3, signal: null }],
    ['128 itself is an exit code', 128, null, { exitCode: 128, signal: null }],
    ['137 is SIGKILL', 137, null, { exitCode: null, signal: 'SIGKILL' }],
    ['143 is SIGTERM', 143, null, { exitCode: null, signal: 'SIGTERM' }],
    ['128 + an unknown number stays an exit code', 255, null, { exitCode: 255, signal: null }],
    ['a signal seen by the caller wins', null, 'SIGKILL', { exitCode: null, signal: 'SIGKILL' }],
  ];
  for (const [name, code, sig, want] of statuses) it(name, () => expect(decodeExitStatus(code, sig)).to.deep.equal(want));

  it('encodes the convention the other way (the exit code after Ctrl-C is 130)', () => {
    expect([exitCodeForSignal('SIGINT'), exitCodeForSignal('SIGHUP'), exitCodeForSignal('SIGTERM')]).to.deep.equal([130, 129, 143]);
    expect(decodeExitStatus(exitCodeForSignal('SIGTERM'))).to.deep.equal({ exitCode: null, signal: 'SIGTERM' });
  });

  it('pidAlive: this process lives, a pid past pid_max does not', () => {
    expect(pidAlive(process.pid)).to.equal(true);
    expect(pidAlive(2 ** 22 + 1)).to.equal(false);
  });
});
