import os from 'node:os';
import { expect } from 'chai';
import { errnoCode, ERRNO_NAMES } from '../../model/errno.js';

describe('errno names (model/errno.ts)', () => {
  it("names every number Node knows on this machine, as Node does (aliases: the kernel's own name)", function () {
    if (os.platform() !== 'linux' || os.arch() !== 'x64') this.skip();
    const alias: Record<string, string> = { EWOULDBLOCK: 'EAGAIN', ENOTSUP: 'EOPNOTSUPP' };
    for (const [name, num] of Object.entries(os.constants.errno)) expect(ERRNO_NAMES[num], name).to.equal(alias[name] ?? name);
    expect(Object.keys(ERRNO_NAMES)).to.have.length(new Set(Object.values(os.constants.errno)).size);
  });
  it('an unknown number is E#<n>', () => {
    expect([errnoCode(2), errnoCode(11), errnoCode(4095)]).to.deep.equal(['ENOENT', 'EAGAIN', 'E#4095']);
  });
});
