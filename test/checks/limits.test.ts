/** The limit checks on a target that cannot be asked for cgroup limits (bwrap): a skip with its reason, never a verdict. */
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { SkipCheck, type CheckContext } from '../../model/check.js';

const LIMIT_CHECKS = ['cgroup.limits-set', 'cgroup.pids-enforced', 'cgroup.memory-enforced', 'cgroup.cpu-enforced'];

function outcome(id: string, ctx: CheckContext): unknown {
  try {
    return CATALOGUE.find((c) => c.id === id)!.run(ctx);
  } catch (e) {
    return e;
  }
}

describe('limit checks where the target cannot set cgroup limits', () => {
  const noLimits = {
    target: 'sandbox',
    capabilities: { timeOffsets: false, lsmProfile: { applied: false, why: 'none' }, cgroupLimits: { settable: false, why: 'it makes no cgroup' } },
  } as unknown as CheckContext;

  for (const id of LIMIT_CHECKS) {
    it(`${id} skips with target-feature and the target's reason`, () => {
      const e = outcome(id, noLimits);
      expect(e).to.be.instanceOf(SkipCheck);
      expect((e as SkipCheck).requirement).to.equal('target-feature');
      expect((e as SkipCheck).reason).to.equal('sandbox cannot be asked for cgroup limits: it makes no cgroup');
    });
  }

  it('the same checks do not skip for a target that sets limits (the capability absent)', () => {
    const ctx = {
      ...noLimits,
      capabilities: { timeOffsets: true, lsmProfile: { applied: true } },
      host: { cgroup: { version: 'v1', paths: [], limits: {} } },
      spec: { limits: {} },
    } as unknown as CheckContext;
    for (const id of LIMIT_CHECKS) expect(outcome(id, ctx), id).to.not.be.instanceOf(SkipCheck);
  });
});
