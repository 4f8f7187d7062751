import { expect } from 'chai';
import { MACHINE_TARGET, mergeName, mergeResults, sameName, type MergeInput } from '../../reports/merge.js';
import { exitCodeFor, summaryBlock } from '../../reports/summary.js';
import type { RunResults } from '../../model/results.js';
import { provenanceResults, smallResults } from '../fixtures/results-small.js';
import { validateResults } from '../support/results-schema.js';

const OPTS = { version: '9.9.9', now: '2030-01-01T00:00:00.000Z' };

/** smallResults with only its isolated target: a run that passed. */
function passing(): RunResults {
  const r = smallResults();
  r.targets = r.targets.slice(0, 1);
  return r;
}

const ok = (name: string, results: RunResults): MergeInput => ({ name, file: `${name}/results.json`, results });

describe('reports/merge', () => {
  describe('names', () => {
    it('names DIR/results.json by DIR, any other file by its name without .json', () => {
      expect(mergeName('reports/vagrant/debian12/results.json', '/work')).to.equal('debian12');
      expect(mergeName('/tmp/node-a.json', '/work')).to.equal('node-a');
      expect(mergeName('node-b', '/work')).to.equal('node-b');
      expect(mergeName('results.json', '/work/ci/job-3')).to.equal('job-3');
      expect(mergeName('./x/../y/results.json', '/work')).to.equal('y');
    });

    it('says which two files share a name, and how to tell them apart', () => {
      expect(
        sameName([
          { name: 'a', file: 'a/results.json' },
          { name: 'b', file: 'b.json' },
        ]),
      ).to.equal(undefined);
      expect(
        sameName([
          { name: 'a', file: 'x/a/results.json' },
          { name: 'b', file: 'b.json' },
          { name: 'a', file: 'a.json' },
        ]),
      ).to.equal('two inputs are named "a" (x/a/results.json and a.json): give one another name with --as NAME=FILE');
      expect(() => mergeResults([ok('a', passing()), ok('a', passing())], OPTS)).to.throw(/two inputs are named "a"/);
    });
  });

  it('names every target <name>/<target> and adds the name to its info; all else stays as its run wrote it', () => {
    const a = provenanceResults();
    const b = passing();
    const { results, warnings } = mergeResults([ok('node-a', a), ok('node-b', b)], OPTS);
    expect(warnings).to.deep.equal([]);
    expect(results.targets.map((t) => t.name)).to.deep.equal(['node-a/builtin', 'node-a/builtin-share-pid', 'node-b/builtin']);
    const [first, second] = a.targets;
    expect(results.targets[0]).to.deep.equal({ ...first, name: 'node-a/builtin', info: { ...first!.info, machine: 'node-a' } });
    expect(results.targets[1]).to.deep.equal({ ...second, name: 'node-a/builtin-share-pid', info: { ...second!.info, machine: 'node-a' } });
    expect(results.targets[2]!.checks).to.deep.equal(b.targets[0]!.checks);
  });

  it("prefixes each input's environment with its name", () => {
    const b = passing();
    b.environment = { kernel: '6.1.0', cgroup: 'v1' };
    const { results } = mergeResults([ok('a', smallResults()), ok('b', b)], OPTS);
    expect(results.environment).to.deep.equal({
      'a.kernel': '6.8.0-test',
      'a.cgroup': 'v2',
      'a.lsm': 'apparmor',
      'a.userns.unprivileged': '1',
      'b.kernel': '6.1.0',
      'b.cgroup': 'v1',
    });
  });

  it('takes the union of the catalogues by id, the first entry of an id winning', () => {
    const a = smallResults();
    const b = passing();
    b.catalogue = [
      { ...b.catalogue[1]!, title: 'an older title' },
      { id: 'uts.own-ns', area: 'uts', title: 'own uts', profiles: [], references: [], negativeControl: '' },
    ];
    const { results } = mergeResults([ok('a', a), ok('b', b)], OPTS);
    expect(results.catalogue).to.deep.equal([...a.catalogue, b.catalogue[1]]);
  });

  it('sums the durations, starts at the earliest start, keeps the first tool and profile', () => {
    const a = smallResults();
    const b = passing();
    a.startedAt = '2025-01-02T10:00:00.000Z';
    b.startedAt = '2025-01-02T09:00:00+00:00';
    b.tool.version = '0.0.9';
    const { results } = mergeResults([ok('a', a), ok('b', b)], OPTS);
    expect(results).to.include({ durationMs: 4321 * 2, startedAt: '2025-01-02T09:00:00+00:00', profile: 'baseline' });
    expect(results.tool).to.deep.equal({ name: 'isoprobe', version: '0.1.0' });
  });

  it('says mixed profiles on stderr and in the environment, marks the first, and leaves every required flag as run', () => {
    const b = passing();
    b.profile = 'strict';
    b.targets[0]!.checks[3]!.required = true;
    const { results, warnings } = mergeResults([ok('a', smallResults()), ok('b', b)], OPTS);
    expect(results.profile).to.equal('baseline');
    expect(results.environment.mixedProfiles).to.equal('a=baseline, b=strict');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^merge: the inputs ran different profiles \(a=baseline, b=strict\); the merged run is marked baseline \(the first's\)/);
    expect(results.targets[2]!.checks[3]!.required).to.equal(true);
  });

  describe('an input that could not be read', () => {
    const broken: MergeInput = { name: 'node-c', file: 'node-c/results.json', error: 'node-c/results.json: cannot read results: ENOENT' };

    it('is a target <name>/(machine) that could not run, with the reason, and makes the run partial', () => {
      const { results } = mergeResults([ok('a', passing()), broken], OPTS);
      expect(results.targets[1]).to.deep.equal({
        name: `node-c/${MACHINE_TARGET}`,
        runtime: 'unknown',
        error: 'node-c/results.json: cannot read results: ENOENT',
        info: { machine: 'node-c' },
        checks: [],
      });
      expect(results.partial).to.equal(true);
      expect(results.partialReason).to.equal('node-c/(machine) could not run: node-c/results.json: cannot read results: ENOENT');
      expect(exitCodeFor(results)).to.equal(1);
    });

    it('counts every check of the catalogue as not run for that target in the summary', () => {
      const { results } = mergeResults([ok('a', passing()), broken], OPTS);
      const s = summaryBlock(results);
      expect(s).to.include({ verdict: 'fail', exitCode: 1 });
      expect(s.targets[1]).to.deep.include({ name: 'node-c/(machine)', ran: false, control: false });
      expect(s.targets[1]!.totals).to.deep.equal({ checks: 5, pass: 0, fail: 0, skip: 0, error: 0, notRun: 5, requiredNotPassing: 0 });
      expect(s.totals).to.deep.equal({ checks: 10, pass: 3, fail: 1, skip: 1, error: 0, notRun: 5, requiredNotPassing: 0 });
    });

    it('alone still makes a valid run: the merging version, started now, baseline', () => {
      const { results } = mergeResults([broken], OPTS);
      expect(results).to.include({ startedAt: OPTS.now, durationMs: 0, profile: 'baseline' });
      expect(results.tool.version).to.equal('9.9.9');
      expect(validateResults({ ...results, summary: summaryBlock(results) })).to.deep.equal([]);
      expect(exitCodeFor(results)).to.equal(1);
    });
  });

  it("keeps an input's own partial results partial, with its reason", () => {
    const b = passing();
    b.partial = true;
    b.partialReason = 'docker could not run: daemon gone';
    const { results } = mergeResults([ok('a', passing()), ok('b', b)], OPTS);
    expect(results).to.include({ partial: true, partialReason: 'b: docker could not run: daemon gone' });
    expect(exitCodeFor(results)).to.equal(1);
  });

  it('decides the verdict as run does: passing inputs pass, a control target stays a control', () => {
    const withControl = smallResults();
    withControl.targets[1]!.control = true;
    const { results } = mergeResults([ok('a', passing()), ok('b', withControl)], OPTS);
    expect(exitCodeFor(results)).to.equal(0);
    expect(results.targets[2]!.control).to.equal(true);
    expect(exitCodeFor(mergeResults([ok('a', passing()), ok('b', smallResults())], OPTS).results)).to.equal(1);
  });

  it("drops the inputs' own summaries: the merged run's is made when it is written", () => {
    const a = passing();
    a.summary = summaryBlock(a);
    const { results } = mergeResults([ok('a', a), ok('b', smallResults())], OPTS);
    expect(results).to.not.have.property('summary');
    expect(validateResults({ ...results, summary: summaryBlock(results) })).to.deep.equal([]);
  });
});
