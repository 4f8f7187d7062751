/** cgroup.limits-set: any finite pids, memory and cpu limit passes, whoever set it; a failure names each one's source. */
import { expect } from 'chai';
import { cgroupChecks } from '../../checks/cgroup.js';
import { evaluate } from '../../engine/evaluate.js';
import type { CheckContext } from '../../model/check.js';
import { limitsInForce } from '../../model/parse/cgroup.js';
import type { Request } from '../../model/request.js';

const CHECK = cgroupChecks.find((c) => c.id === 'cgroup.limits-set')!;
const V1_NONE = { 'pids.max': 'max', 'memory.limit_in_bytes': '9223372036854771712', 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '-1' };
const V1_ISOPROBE = { 'pids.max': '64', 'memory.limit_in_bytes': '67108864', 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '50000' };

function verdict(limits: Record<string, string>, request: Request) {
  const ctx = {
    target: 't',
    request,
    capabilities: { timeOffsets: false, lsmProfile: { applied: true } },
    observed: { cgroup: { version: 'v1', paths: ['/sys/fs/cgroup/pids/docker/x'], limits } },
  } as unknown as CheckContext;
  return evaluate(CHECK, ctx);
}

describe('cgroup.limits-set', () => {
  it("Docker's default: fails, naming each limit and that nobody asked", () => {
    const v = verdict(V1_NONE, {});
    expect(v.status).to.equal('fail');
    expect(v.evidence).to.include(
      'limits not set: pids.max=max (runtime default: nobody asked); memory.limit_in_bytes=9223372036854771712 (runtime default: nobody asked); cpu.cfs_quota_us=-1 (runtime default: nobody asked)',
    );
  });
  it("isoprobe's own values pass, sourced to isoprobe", () => {
    const v = verdict(V1_ISOPROBE, { 'limits.pids': { value: 64, source: 'isoprobe' } });
    expect(v.status).to.equal('pass');
    expect(v.evidence).to.include('pids.max=64 (isoprobe: asked 64)');
  });
  it("a user's own values pass (PidsLimit 100, 256 MiB, 2 cpus), sourced to the config", () => {
    const v = verdict(
      { 'pids.max': '100', 'memory.limit_in_bytes': '268435456', 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '200000' },
      {
        'limits.pids': { value: 100, source: 'user config' },
        'limits.memory': { value: 268435456, source: 'user config' },
        'limits.cpu': { value: 2, source: 'user config' },
      },
    );
    expect(v.status).to.equal('pass');
    expect(v.evidence).to.include('cpu.cfs_quota_us=200000 (user config: asked 2)');
  });
  it("one limit missing fails naming only it; explicitly none is the user's", () => {
    const v = verdict({ ...V1_ISOPROBE, 'pids.max': 'max' }, { 'limits.pids': { value: 0, source: 'user config' } });
    expect(v.status).to.equal('fail');
    expect(v.evidence).to.match(/^limits not set: pids\.max=max \(user config: asked none\); cgroup v1/);
  });
  it('cgroup v2 names', () => {
    expect(verdict({ 'pids.max': '64', 'memory.max': '67108864', 'cpu.max': '50000 100000' }, {}).status).to.equal('pass');
    expect(verdict({ 'pids.max': '64', 'memory.max': 'max', 'cpu.max': 'max 100000' }, {}).evidence).to.include(
      'memory.max=max (runtime default: nobody asked); cpu.max=max 100000',
    );
  });
  it('limitsInForce: finite values, else null', () => {
    expect(limitsInForce(V1_NONE)).to.deep.equal({
      pids: { file: 'pids.max', text: 'max', value: null },
      memory: { file: 'memory.limit_in_bytes', text: '9223372036854771712', value: null },
      cpu: { file: 'cpu.cfs_quota_us', text: '-1', value: null },
    });
    expect(limitsInForce({})).to.deep.equal({
      pids: { file: 'pids.max', text: null, value: null },
      memory: { file: 'memory.limit_in_bytes', text: null, value: null },
      cpu: { file: 'cpu.cfs_quota_us', text: null, value: null },
    });
    expect(limitsInForce(V1_ISOPROBE).cpu.value).to.equal(0.5);
  });
});
