import { expect } from 'chai';
import { decodeExitStatus as exitStatus } from '../../../host/process.js';

describe('bwrap exit statuses', () => {
  it('reads 128+N as the command killed by signal N, anything else as its exit code', () => {
    expect(exitStatus(137, null)).to.deep.equal({ exitCode: null, signal: 'SIGKILL' });
    expect(exitStatus(0, null)).to.deep.equal({ exitCode: 0, signal: null });
    expect(exitStatus(1, null)).to.deep.equal({ exitCode: 1, signal: null });
    expect(exitStatus(null, 'SIGKILL')).to.deep.equal({ exitCode: null, signal: 'SIGKILL' });
  });
});
