/**
 * isoprobe inspect's judgement of one facts document with no host view
 * (test/fixtures/facts-inspect-unshare.json: `probe facts` run as root under
 * `unshare -p -f -u -i -m --mount-proc`, no --host-ns, as inspect runs it): what only the container
 * can tell is decided; what it cannot tell is a skip for `evidence`, never a verdict.
 */
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { evaluate } from '../../engine/evaluate.js';
import { INSIDE_ONLY, inspectFacts } from '../../engine/inspect.js';
import type { CheckContext } from '../../model/check.js';
import type { ProbeFacts } from '../../model/facts.js';
import type { CheckResult } from '../../model/results.js';

const require = createRequire(import.meta.url);
const FACTS = require('../../../test/fixtures/facts-inspect-unshare.json') as ProbeFacts;
const byId = (id: string) => CATALOGUE.find((c) => c.id === id)!;

describe('isoprobe inspect: one container, no host view', () => {
  let checks: CheckResult[];
  before(async () => {
    const r = await inspectFacts({ name: 'facts:f', facts: FACTS, info: {}, catalogue: CATALOGUE, profile: 'strict', version: 't', environment: {} });
    checks = r.targets[0]!.checks;
  });
  const status = (id: string) => checks.find((c) => c.id === id)!;

  it('decides only checks that read the container alone', () => {
    const decided = checks.filter((c) => c.status === 'pass' || c.status === 'fail').map((c) => c.id);
    expect(decided.length).to.be.above(15);
    for (const id of decided) expect(byId(id).needs, id).to.deep.equal(['container']);
    expect(checks.filter((c) => c.status === 'error')).to.deep.equal([]);
  });

  it("decides what unshare did and did not give: its own pid and uts namespaces, the host's user and cgroup ones", () => {
    expect(status('inside.pid-ns-not-initial').status).to.equal('pass');
    expect(status('inside.uts-ns-not-initial').status).to.equal('pass');
    expect(status('inside.user-ns-not-initial').status).to.equal('fail');
    expect(status('inside.cgroup-ns-not-initial').status).to.equal('fail');
    // Root with every capability and no seccomp: what a container must not be.
    expect(status('security.no-host-caps').status).to.equal('fail');
    expect(status('security.seccomp-filter').status).to.equal('fail');
  });

  it('a write test the probe could not prove safe without host namespaces is a skip for evidence, not a failure', () => {
    for (const id of ['cgroup.cgroupfs-readonly', 'security.devices-limited']) {
      expect(status(id), id).to.include({ status: 'skip', requirement: 'evidence' });
      expect(status(id).reason, id).to.match(/^the probe did not .*proven not to be the host's, and isoprobe inspect/);
    }
  });

  it("conformance checks skip for evidence: what the container's creator asked for is unknown, not unasked", () => {
    const conformance = checks.filter((c) => c.id.startsWith('conformance.'));
    expect(conformance.length).to.be.above(5);
    for (const c of conformance) expect(c, c.id).to.include({ status: 'skip', requirement: 'evidence' });
    expect(conformance.some((c) => /not known: isoprobe inspect/.test(c.reason ?? ''))).to.equal(true);
  });

  it('every skip for host-side evidence names what the target provides', () => {
    const hostSide = checks.filter((c) => byId(c.id).needs.some((k) => k !== 'container'));
    expect(hostSide.length).to.be.above(40);
    for (const c of hostSide) expect(c, c.id).to.include({ status: 'skip', requirement: 'evidence' });
  });

  it('from the host, the same unguarded write is a broken harness and fails', () => {
    const ctx = (insideOnly?: string) =>
      ({
        target: 't',
        container: FACTS,
        capabilities: { timeOffsets: false, lsmProfile: { applied: true }, ...(insideOnly ? { insideOnly } : {}) },
      }) as unknown as CheckContext;
    expect(FACTS.cgroupfs?.refused).to.equal('host-ns-unknown');
    expect(evaluate(byId('cgroup.cgroupfs-readonly'), ctx()).status).to.equal('fail');
    expect(evaluate(byId('security.devices-limited'), ctx()).status).to.equal('fail');
    expect(evaluate(byId('cgroup.cgroupfs-readonly'), ctx(INSIDE_ONLY))).to.include({ status: 'skip', requirement: 'evidence' });
  });

  it("under a sandbox's own kernel (gVisor), the inside namespace checks skip: its inodes are not Linux's numbering", async () => {
    const ownKernel = "gVisor (docker runs the container with runtime runsc): the facts are of gVisor's kernel";
    const r = await inspectFacts({ name: 'g', facts: FACTS, info: {}, ownKernel, catalogue: CATALOGUE, profile: 'strict', version: 't', environment: {} });
    const inside = r.targets[0]!.checks.filter((c) => c.area === 'inside');
    expect(inside.length).to.equal(6);
    for (const c of inside) {
      expect(c, c.id).to.include({ status: 'skip', requirement: 'evidence' });
      expect(c.reason, c.id).to.include("that kernel's own numbering");
    }
  });
});
