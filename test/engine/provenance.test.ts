/**
 * Every check result says who asked for each setting its verdict depends on, whatever the
 * verdict: passes, skips, errors, and the errors of a target that could not run.
 */
import { expect } from 'chai';
import { check } from '../../checks/define.js';
import { runChecks, type TargetUnderTest } from '../../engine/check-runner.js';
import type { Check } from '../../model/check.js';
import type { ProbeFacts } from '../../model/facts.js';
import type { Request } from '../../model/request.js';
import { DEFAULT_SPEC } from '../../model/spec.js';

const meta = { area: 'cgroup' as const, title: 't', profiles: ['strict' as const], references: [], negativeControls: [] };
const limits = check({ ...meta, id: 'cgroup.a', needs: ['container'], settings: ['limits.pids', 'limits.memory'] }, () => 'ok');
const skipped = check({ ...meta, id: 'cgroup.b', needs: ['observed'], settings: ['noNewPrivs'] }, () => 'never run');
const none = check({ ...meta, id: 'cgroup.c', needs: ['container'], settings: [] }, () => 'ok');
const undeclared = check({ ...meta, id: 'cgroup.d', needs: ['container'] }, () => 'ok');
const CHECKS = [limits, skipped, none, undeclared] as Check[];

const request: Request = { 'limits.pids': { value: 64, source: 'user config' }, noNewPrivs: { value: true, source: 'isoprobe' } };
const basics = {
  target: 'fake',
  profile: 'strict' as const,
  spec: { ...DEFAULT_SPEC, argv: [] },
  request,
  capabilities: { timeOffsets: false, lsmProfile: { applied: true as const } },
};
const running: TargetUnderTest = {
  name: 'fake',
  runtime: 'fake',
  info: {},
  request,
  ctx: { ...basics, provides: ['container'], container: { pid: 1 } as ProbeFacts },
};

describe('engine: provenance of each check result', () => {
  it("gives passes and skips each setting's source, absent ones as the runtime's default", async () => {
    const [t] = await runChecks([running], CHECKS, { profile: 'strict' });
    expect(t!.checks.map(({ id, status, provenance }) => ({ id, status, provenance }))).to.deep.equal([
      { id: 'cgroup.a', status: 'pass', provenance: { 'limits.pids': 'user config', 'limits.memory': 'runtime default' } },
      { id: 'cgroup.b', status: 'skip', provenance: { noNewPrivs: 'isoprobe' } },
      { id: 'cgroup.c', status: 'pass', provenance: {} },
      // Not declared: unknown, which is not the same as depending on nothing.
      { id: 'cgroup.d', status: 'pass', provenance: undefined },
    ]);
  });

  it('gives the errors of a target that could not run the provenance of its request', async () => {
    const broken: TargetUnderTest = { name: 'fake', runtime: 'fake', info: {}, request, error: 'daemon gone', ctx: null };
    const [t] = await runChecks([broken], CHECKS, { profile: 'strict' });
    expect(t!.checks.map((c) => c.status)).to.deep.equal(['error', 'error', 'error', 'error']);
    expect(t!.checks[0]!.provenance).to.deep.equal({ 'limits.pids': 'user config', 'limits.memory': 'runtime default' });
    expect(t!.request).to.deep.equal(request);
  });
});
