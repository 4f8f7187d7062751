/**
 * Declared evidence: a check gets only what it declared, and a target that cannot provide it makes
 * the check a skip with the requirement `evidence`, never a pass.
 */
import { expect } from 'chai';
import { check } from '../../checks/define.js';
import { runChecks, type TargetUnderTest } from '../../engine/check-runner.js';
import { contextFor } from '../../engine/evidence.js';
import type { Check, CheckContext } from '../../model/check.js';
import type { ProbeFacts } from '../../model/facts.js';
import { DEFAULT_SPEC, type HostSideFacts } from '../../model/spec.js';

const meta = { area: 'pid' as const, title: 't', profiles: ['strict' as const], references: [], negativeControls: [] };
const readsContainer = check({ ...meta, id: 'pid.a', needs: ['container'] }, ({ container }) => `pid ${container.pid}`);
const readsObserved = check({ ...meta, id: 'pid.b', needs: ['container', 'observed'] }, ({ observed }) => `uid_map ${observed.uidMap}`);
const basics = {
  target: 'fake',
  profile: 'strict' as const,
  spec: { ...DEFAULT_SPEC, argv: [] },
  capabilities: { timeOffsets: false, lsmProfile: { applied: true as const } },
};
const container = { pid: 1 } as ProbeFacts;

/** A target that can give only the probe's own facts (an in-container mode). */
const fake: TargetUnderTest = { name: 'fake', runtime: 'fake', info: {}, ctx: { ...basics, provides: ['container'], container } };

describe('declared evidence', () => {
  it('a target without the evidence a check needs skips it with requirement "evidence", naming what is missing', async () => {
    const [t] = await runChecks([fake], [readsContainer, readsObserved] as Check[], { profile: 'strict' });
    expect(t.checks.map(({ id, status, requirement }) => ({ id, status, requirement }))).to.deep.equal([
      { id: 'pid.a', status: 'pass', requirement: undefined },
      { id: 'pid.b', status: 'skip', requirement: 'evidence' },
    ]);
    expect(t.checks[1].reason).to.equal('fake cannot provide the observed evidence this check reads (it provides container)');
  });

  it('a check is given the basics and its declared evidence only', () => {
    const observed = { uidMap: '0 1000 1' } as HostSideFacts;
    const c = contextFor(readsContainer as Check, { ...basics, provides: ['container', 'observed'], container, observed });
    expect('ctx' in c && Object.keys(c.ctx).sort()).to.deep.equal(['capabilities', 'container', 'profile', 'spec', 'target']);
  });

  it('evidence a target says it provides but did not give is a broken harness (error), not a skip', () => {
    const c = contextFor(readsObserved as Check, { ...basics, provides: ['container', 'observed'], container });
    expect('verdict' in c && c.verdict.status).to.equal('error');
  });

  it('the type checker narrows the context to the declared evidence', () => {
    const ctx = {} as CheckContext<'container' | 'sentinels'>;
    // @ts-expect-error observed was not declared
    void ctx.observed;
    // @ts-expect-error a check reading undeclared evidence does not compile
    check({ ...meta, id: 'pid.c', needs: ['container'] }, ({ observed }) => String(observed));
    expect(Object.keys(ctx)).to.deep.equal([]);
  });
});
