import { expect } from 'chai';
import { diffResults, diffText } from '../../reports/diff.js';
import { provenanceResults, smallResults } from '../fixtures/results-small.js';

describe('reports/diff', () => {
  it('finds no change between a run and itself', () => {
    const d = diffResults(smallResults(), smallResults());
    expect(d).to.deep.equal({ regressions: [], improvements: [], added: [], removed: [], provenance: [] });
    expect(diffText(d)).to.equal('0 regressions, 0 improvements, 0 added, 0 removed\n');
  });

  it('a pass that now fails or errors is a regression (matched by target name and check id)', () => {
    const old = smallResults();
    const now = smallResults();
    now.targets[0]!.checks[0] = { ...now.targets[0]!.checks[0]!, status: 'fail', expected: 'none', observed: 'pid 1' };
    now.targets[0]!.checks[2] = { ...now.targets[0]!.checks[2]!, status: 'error', reason: 'timeout' };
    const d = diffResults(old, now);
    expect(d.regressions.map((r) => [r.target, r.id, r.before, r.after, r.detail])).to.deep.equal([
      ['builtin', 'pid.host-invisible', 'pass', 'fail', 'expected none, observed pid 1'],
      ['builtin', 'net.loopback-unreachable', 'pass', 'error', 'timeout'],
    ]);
    expect(d.improvements).to.deep.equal([]);
  });

  it('the reverse is an improvement; a pass that now skips is neither', () => {
    const old = smallResults();
    const now = smallResults();
    now.targets[1]!.checks[1] = { ...now.targets[1]!.checks[1]!, status: 'pass' };
    now.targets[0]!.checks[1] = { ...now.targets[0]!.checks[1]!, status: 'skip', reason: 'x' };
    const d2 = diffResults(old, now);
    expect(d2.improvements.map((i) => [i.target, i.id, i.before, i.after])).to.deep.equal([['builtin-share-pid', 'pid.own-namespace', 'fail', 'pass']]);
    expect(d2.regressions).to.have.length(0);
  });

  it('a target that could not run regresses every check that passed', () => {
    const now = smallResults();
    now.targets[0]!.error = 'daemon gone';
    const d = diffResults(smallResults(), now);
    expect(d.regressions.map((r) => r.id)).to.deep.equal(['pid.host-invisible', 'pid.own-namespace', 'net.loopback-unreachable']);
    expect(d.regressions[0]!.detail).to.equal('target builtin could not run: daemon gone');
  });

  it('lists added and removed checks and targets', () => {
    const now = smallResults();
    now.targets[0]!.name = 'builtin-renamed';
    const d = diffResults(smallResults(), now);
    expect(d.added).to.have.length(5);
    expect(d.removed).to.have.length(5);
    expect(d.added[0]).to.include({ target: 'builtin-renamed', id: 'pid.host-invisible', after: 'pass' });
    expect(d.removed[0]).to.include({ target: 'builtin', before: 'pass' });
    expect(d.removed[0]!.after).to.equal(undefined);
  });

  it('renders one line per change', () => {
    const now = smallResults();
    now.targets[0]!.checks[1] = { ...now.targets[0]!.checks[1]!, status: 'fail', expected: 'new', observed: 'inherited' };
    expect(diffText(diffResults(smallResults(), now))).to.equal(
      '1 regression, 0 improvements, 0 added, 0 removed\n' +
        '  REGRESSED  builtin  [pid.own-namespace] runs in its own pid namespace  (pass → fail): expected new, observed inherited\n',
    );
  });

  describe('provenance', () => {
    /** builtin's pid namespace now left to the runtime instead of asked for by isoprobe. */
    function unasked(): ReturnType<typeof provenanceResults> {
      const now = provenanceResults();
      delete now.targets[0]!.request!['ns.pid'];
      for (const c of now.targets[0]!.checks) if (c.provenance?.['ns.pid']) c.provenance['ns.pid'] = 'runtime default';
      return now;
    }

    it('a pass whose settings now come from elsewhere is a provenance change, not a regression', () => {
      const d = diffResults(provenanceResults(), unasked());
      expect(d.regressions).to.deep.equal([]);
      expect(d.provenance.map((p) => [p.target, p.id, p.before, p.after, p.detail])).to.deep.equal([
        ['builtin', 'pid.host-invisible', 'pass', 'pass', 'ns.pid: isoprobe → runtime default'],
        ['builtin', 'pid.own-namespace', 'pass', 'pass', 'ns.pid: isoprobe → runtime default'],
      ]);
      expect(diffText(d)).to.equal(
        '0 regressions, 0 improvements, 0 added, 0 removed, 2 provenance changes\n' +
          '  PROVENANCE builtin  [pid.host-invisible] host processes are not visible  (pass (isoprobe) → pass (isoprobe + runtime default)): ns.pid: isoprobe → runtime default\n' +
          '  PROVENANCE builtin  [pid.own-namespace] runs in its own pid namespace  (pass (isoprobe) → pass (runtime default)): ns.pid: isoprobe → runtime default\n',
      );
    });

    it('a regression whose settings moved says so in its move', () => {
      const now = unasked();
      now.targets[0]!.checks[1] = { ...now.targets[0]!.checks[1]!, status: 'fail', expected: 'new', observed: 'inherited' };
      const d = diffResults(provenanceResults(), now);
      expect(d.regressions.map((r) => r.id)).to.deep.equal(['pid.own-namespace']);
      expect(d.provenance.map((r) => r.id)).to.deep.equal(['pid.host-invisible']);
      expect(diffText(d)).to.include(
        'REGRESSED  builtin  [pid.own-namespace] runs in its own pid namespace  (pass (isoprobe) → fail (runtime default)): expected new, observed inherited',
      );
    });

    it('compares only settings both runs name: a baseline without provenance shows no change', () => {
      expect(diffResults(smallResults(), provenanceResults())).to.deep.equal(diffResults(smallResults(), smallResults()));
      const more = provenanceResults();
      more.targets[0]!.checks[0]!.provenance = { ...more.targets[0]!.checks[0]!.provenance, user: 'runtime default' };
      expect(diffResults(provenanceResults(), more).provenance).to.deep.equal([]);
    });
  });
});
