import { expect } from 'chai';
import { staleIds } from '../../../runtime/oci/reap.js';

describe('reaping OCI containers of killed runs', () => {
  it('takes only isoprobe ids whose owning run is dead', () => {
    const alive = new Set([100]);
    const ids = ['isoprobe-100-1-runc', 'isoprobe-200-3-runc-hostpid', 'isoprobe-x-1-runc', 'someone-else', `isoprobe-${process.pid}-1-runc`];
    expect(staleIds(ids, (pid) => alive.has(pid))).to.deep.equal(['isoprobe-200-3-runc-hostpid']);
  });
});
