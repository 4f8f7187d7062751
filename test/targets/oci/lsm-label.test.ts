import { expect } from 'chai';
import { asksForLsmLabel } from '../../../targets/oci/oci.js';

describe('OCI target: an LSM label only where the specPatch names one', () => {
  for (const [what, patch, asked] of [
    ['no patch', undefined, false],
    ['a patch without a label', { hostname: 'x' }, false],
    ['process.apparmorProfile', { process: { apparmorProfile: 'docker-default' } }, true],
    ['process.selinuxLabel', { process: { selinuxLabel: 'system_u:system_r:container_t:s0' } }, true],
    ['a label removed (null)', { process: { apparmorProfile: null } }, false],
  ] as const) {
    it(`${what}: ${asked ? 'applied' : 'none'}`, () => expect(asksForLsmLabel(patch as Record<string, unknown> | undefined)).to.equal(asked));
  }
});
