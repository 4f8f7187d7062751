/**
 * schemas/results.schema.json, the published JSON Schema of results.json: generated from the
 * results model (scripts/gen-results-schema.mjs) and current, and what the reports write validates
 * against it with ajv, summary block included; a malformed file does not.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { RunResults } from '../../model/results.js';
import { matrixHtml, matrixMarkdown } from '../../reports/matrix.js';
import { summaryBlock, summaryText } from '../../reports/summary.js';
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
    // Its checks were never decided: counted as not run, not as one error each.
    const t = w.summary.targets[1].totals;
    expect(t).to.include({ pass: 0, fail: 0, skip: 0, error: 0, requiredNotPassing: 0 });
    expect(t.notRun).to.equal(t.checks).and.to.be.above(0);
    expect(w.summary.totals.error).to.equal(w.summary.targets[0].totals.error);
  });

  it('the terminal and the matrix say a broken target once, its checks not run, not as errors', () => {
    const broken = smallResults();
    broken.targets[1]!.error = 'crun refused the container';
    broken.targets[1]!.checks = [];
    const n = broken.catalogue.length;
    const decided = broken.targets[0]!.checks.length;
    expect(summaryText(broken)).to.include(`Totals: ${decided} checks — `).and.include(`; ${n} not run (1 target could not run)`);
    const md = matrixMarkdown(broken);
    expect(md).to.include(`could not run (${n} checks not decided)`);
    expect(md.match(/ \| not run \|/g)?.length).to.equal(n);
    expect(md).to.not.include('**error**');
    const html = matrixHtml(broken);
    expect(html).to.include(`${n} checks not decided`).and.not.include(`${n} error`);
    // Its cells say "not run" and carry no evidence; the differences toggle compares the targets that ran.
    expect(html.match(/<td class="none">not run<\/td>/g)?.length).to.equal(n);
    expect(html).to.not.include('<span class="v">⚠ error');
    expect(html.match(/<tr data-same>/g)?.length).to.equal(n);
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
    expect(s.totals.checks).to.equal(s.totals.pass + s.totals.fail + s.totals.skip + s.totals.error + (s.totals.notRun ?? 0));
    for (const t of s.targets) expect(Object.values(t.areas).reduce((n, a) => n + a.checks, 0)).to.equal(t.totals.checks);
    expect(s.verdict).to.equal(s.exitCode === 0 ? 'pass' : 'fail');
  });
});
