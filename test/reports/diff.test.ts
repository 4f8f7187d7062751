import { expect } from 'chai';
import { diffResults, diffText } from '../../reports/diff.js';
import { smallResults } from '../fixtures/results-small.js';

describe('reports/diff', () => {
  it('finds no change between a run and itself', () => {
    const d = diffResults(smallResults(), smallResults());
    expect(d).to.deep.equal({ regressions: [], improvements: [], added: [], removed: [] });
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
});
