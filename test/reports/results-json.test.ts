import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../host/paths.js';
import type { RunResults } from '../../model/results.js';
import { diffResults } from '../../reports/diff.js';
import { readResults, ResultsError, writeResults } from '../../reports/results-json.js';
import { provenanceResults, smallResults } from '../fixtures/results-small.js';

/**
 * A results file written before the model became one zod schema (a strict run of builtin, docker
 * and runc, trimmed to four checks): files people keep as baselines must still read.
 */
const BEFORE = join(REPO_ROOT, 'test/fixtures/results-before.json');

describe('reports/results-json', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'isoprobe-results-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function expectResultsError(fn: () => unknown, pattern: RegExp) {
    try {
      fn();
    } catch (e) {
      expect(e).to.be.instanceOf(ResultsError);
      expect((e as ResultsError).code).to.equal('ERESULTS');
      expect((e as Error).message).to.match(pattern);
      expect((e as Error).message).to.not.include('\n');
      return;
    }
    expect.fail('expected a ResultsError');
  }

  it('reads a results file of an earlier version whole: no field lost, none added', () => {
    const r = readResults(BEFORE);
    expect(r).to.deep.equal(JSON.parse(readFileSync(BEFORE, 'utf8')));
    expect(r.targets.map((t) => t.name)).to.deep.equal(['builtin', 'docker', 'runc']);
    expect(r.targets.flatMap((t) => t.checks.map((c) => c.status))).to.include.members(['pass', 'fail', 'skip']);
    expect(diffResults(r, readResults(BEFORE))).to.deep.equal({ regressions: [], improvements: [], added: [], removed: [], provenance: [] });
  });

  it('writes that file back byte for byte', () => {
    const path = join(dir, 'again.json');
    writeResults(path, JSON.parse(readFileSync(BEFORE, 'utf8')) as RunResults);
    expect(readFileSync(path, 'utf8')).to.equal(readFileSync(BEFORE, 'utf8'));
  });

  it('round-trips a run without losing a field (target error included)', () => {
    const r = smallResults();
    r.targets[1]!.error = 'daemon unreachable';
    r.targets[0]!.information = { 'host paths in mountinfo': 'none' };
    const path = join(dir, 'sub', 'results.json');
    writeResults(path, r);
    expect(readResults(path)).to.deep.equal(r);
    expect(readFileSync(path, 'utf8')).to.match(/\n$/);
  });

  it('round-trips provenance, the catalogue settings and each target request', () => {
    const path = join(dir, 'prov.json');
    writeResults(path, provenanceResults());
    const back = readResults(path);
    expect(back).to.deep.equal(provenanceResults());
    expect(back.targets[1]!.request!['ns.pid']).to.deep.equal({ value: 'host', source: 'user config' });
    expect(back.targets[1]!.checks[1]!.provenance).to.deep.equal({ 'ns.pid': 'user config' });
  });

  it('diffs a file of an earlier version against a run with provenance: only the verdicts count', () => {
    const now = JSON.parse(readFileSync(BEFORE, 'utf8')) as RunResults;
    for (const m of now.catalogue) m.settings = ['ns.pid'];
    for (const t of now.targets) {
      t.request = { 'ns.pid': { value: 'new', source: 'isoprobe' } };
      for (const c of t.checks) c.provenance = { 'ns.pid': 'isoprobe' };
    }
    const path = join(dir, 'now.json');
    writeResults(path, now);
    expect(diffResults(readResults(BEFORE), readResults(path))).to.deep.equal({ regressions: [], improvements: [], added: [], removed: [], provenance: [] });
  });

  it('rejects a provenance that is not one of the sources', () => {
    const r = provenanceResults() as unknown as { targets: { checks: { provenance: Record<string, string> }[] }[] };
    r.targets[0]!.checks[0]!.provenance['ns.pid'] = 'asked';
    const path = join(dir, 'badprov.json');
    writeFileSync(path, JSON.stringify(r));
    expectResultsError(() => readResults(path), /invalid results at targets\[0\]\.checks\[0\]\.provenance\.ns\.pid: /);
  });

  it('names the file and the bad field on malformed input', () => {
    const r = smallResults() as unknown as { targets: { checks: { status: string }[] }[] };
    r.targets[1]!.checks[0]!.status = 'passed';
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify(r));
    expectResultsError(() => readResults(path), new RegExp(`^${path}: invalid results at targets\\[1\\]\\.checks\\[0\\]\\.status: `));
  });

  it('rejects another schema version, invalid JSON and a missing file', () => {
    const path = join(dir, 'v2.json');
    writeFileSync(path, JSON.stringify({ ...smallResults(), schema: 2 }));
    expectResultsError(() => readResults(path), /v2\.json: invalid results at schema: /);
    writeFileSync(path, '{"schema": 1,');
    expectResultsError(() => readResults(path), /v2\.json: not valid JSON: /);
    expectResultsError(() => readResults(join(dir, 'nope.json')), /nope\.json: cannot read results: ENOENT/);
  });

  it('refuses to write malformed results', () => {
    const r = { ...smallResults(), profile: 'lax' } as unknown as RunResults;
    expectResultsError(() => writeResults(join(dir, 'x.json'), r), /x\.json: invalid results at profile: /);
  });
});
