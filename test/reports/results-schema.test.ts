/**
 * schemas/results.schema.json, the published JSON Schema of results.json: generated from the
 * results model (scripts/gen-results-schema.mjs) and current, and what the reports write validates
 * against it with ajv, summary block included; a malformed file does not.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { RunResults } from '../../model/results.js';
import { summaryBlock } from '../../reports/summary.js';
import { provenanceResults, smallResults } from '../fixtures/results-small.js';
import { validateResults } from '../support/results-schema.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const written = (r: RunResults) => JSON.parse(JSON.stringify({ ...r, summary: summaryBlock(r) }));

describe('results JSON Schema', () => {
  it('is the one generated from the results model', () => {
    const r = spawnSync(process.execPath, [`${REPO}/scripts/gen-results-schema.mjs`, '--check'], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
  });

  it('validates what the reports write, a broken target and its summary included', () => {
    expect(validateResults(written(smallResults()))).to.deep.equal([]);
    expect(validateResults(written(provenanceResults()))).to.deep.equal([]);
    const broken = smallResults();
    broken.targets[1]!.error = 'crun refused the container';
    broken.targets[1]!.checks = [];
    broken.partial = true;
    broken.partialReason = 'crun could not run';
    const w = written(broken);
    expect(validateResults(w)).to.deep.equal([]);
    expect(w.summary).to.include({ verdict: 'fail', exitCode: 1 });
    expect(w.summary.targets[1]).to.include({ name: 'builtin-share-pid', ran: false });
  });

  it('rejects a malformed file: a status outside the list, a missing field', () => {
    const bad = written(smallResults());
    bad.targets[0].checks[0].status = 'passed';
    delete bad.profile;
    const errors = validateResults(bad);
    expect(errors.some((e) => e.startsWith('/targets/0/checks/0/status'))).to.equal(true);
    expect(errors.some((e) => e.includes("must have required property 'profile'"))).to.equal(true);
  });

  it('summary: totals per target and area, and the verdict the exit code says', () => {
    const s = summaryBlock(smallResults());
    expect(s.totals.checks).to.equal(s.targets.reduce((n, t) => n + t.totals.checks, 0));
    expect(s.totals.checks).to.equal(s.totals.pass + s.totals.fail + s.totals.skip + s.totals.error);
    for (const t of s.targets) expect(Object.values(t.areas).reduce((n, a) => n + a.checks, 0)).to.equal(t.totals.checks);
    expect(s.verdict).to.equal(s.exitCode === 0 ? 'pass' : 'fail');
  });
});
