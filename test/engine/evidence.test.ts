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
import type { Sentinels } from '../../model/sentinels.js';
import { CATALOGUE } from '../../checks/catalogue.js';
import { DEFAULT_SPEC, type HostSideFacts } from '../../model/spec.js';

const meta = { area: 'pid' as const, title: 't', profiles: ['strict' as const], references: [], negativeControls: [] };
const readsContainer = check({ ...meta, id: 'pid.a', needs: ['container'] }, ({ container }) => `pid ${container.pid}`);
const readsObserved = check({ ...meta, id: 'pid.b', needs: ['container', 'observed'] }, ({ observed }) => `uid_map ${observed.uidMap}`);
const basics = {
  target: 'fake',
  profile: 'strict' as const,
  spec: { ...DEFAULT_SPEC, argv: [] },
  request: {},
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
    expect('ctx' in c && Object.keys(c.ctx).sort()).to.deep.equal(['capabilities', 'container', 'profile', 'request', 'spec', 'target']);
  });

  it('evidence a target says it provides but did not give is a broken harness (error), not a skip', () => {
    const c = contextFor(readsObserved as Check, { ...basics, provides: ['container', 'observed'], container });
    expect('verdict' in c && c.verdict.status).to.equal('error');
  });

  it('a vanished sentinel errors exactly the checks that name it; the others are judged', () => {
    const readsProcess = check({ ...meta, id: 'pid.d', needs: ['sentinels'], sentinels: ['process'] }, () => 'read the process');
    const readsMarker = check({ ...meta, id: 'pid.e', needs: ['sentinels'], sentinels: ['marker-root'] }, () => 'read the marker');
    const ev = {
      ...basics,
      provides: ['sentinels' as const],
      sentinels: {} as Sentinels,
      sentinelsVanished: { 'marker-root': 'gone after the probe: stat: ENOENT' },
    };
    expect(contextFor(readsProcess as Check, ev)).to.have.property('ctx');
    expect('verdict' in contextFor(readsMarker as Check, ev) && contextFor(readsMarker as Check, ev)).to.deep.equal({
      verdict: { status: 'error', reason: 'sentinel marker-root vanished during the run: gone after the probe: stat: ENOENT' },
    });
  });

  it('sentinels not verified after the probe, or a check naming none, are a broken harness (error)', () => {
    const readsProcess = check({ ...meta, id: 'pid.d', needs: ['sentinels'], sentinels: ['process'] }, () => 'read the process');
    const unverified = contextFor(readsProcess as Check, { ...basics, provides: ['sentinels'], sentinels: {} as Sentinels });
    expect('verdict' in unverified && unverified.verdict.reason).to.equal("fake's sentinels were not verified after its probe: a broken harness");
    const namesNone = { ...readsProcess, sentinels: [] } as unknown as Check;
    const c = contextFor(namesNone, { ...basics, provides: ['sentinels'], sentinels: {} as Sentinels, sentinelsVanished: {} });
    expect('verdict' in c && c.verdict.status).to.equal('error');
  });

  it('every catalogue check that reads the sentinels names which', () => {
    const unnamed = CATALOGUE.filter((c) => c.needs.includes('sentinels') && !(c.sentinels ?? []).length).map((c) => c.id);
    expect(unnamed).to.deep.equal([]);
    // @ts-expect-error a check reading the sentinels must name them
    check({ ...meta, id: 'pid.f', needs: ['sentinels'] }, () => '');
    // @ts-expect-error and a check that does not read them names none
    check({ ...meta, id: 'pid.g', needs: ['container'], sentinels: ['process'] }, () => '');
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
