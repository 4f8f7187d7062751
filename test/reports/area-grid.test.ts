import { expect } from 'chai';
import { areaCellClass, areaCellText, areaGrid } from '../../reports/area-grid.js';
import { matrixHtml, matrixMarkdown } from '../../reports/matrix.js';
import { smallResults } from '../fixtures/results-small.js';

describe('reports/area-grid', () => {
  it('tallies each area per target: passed of decided, failures and errors by glyph', () => {
    const r = smallResults();
    const g = areaGrid(r);
    expect(g.areas[0]).to.equal('pid');
    const [isolated, weakened] = g.targets;
    const pidIsolated = g.cell('pid', isolated!)!;
    const pidWeak = g.cell('pid', weakened!)!;
    const pidChecks = (i: number) => r.targets[i]!.checks.filter((c) => c.id.startsWith('pid.'));
    expect(pidIsolated.counts.pass).to.equal(pidChecks(0).filter((c) => c.status === 'pass').length);
    expect(pidWeak.counts.fail)
      .to.equal(pidChecks(1).filter((c) => c.status === 'fail').length)
      .and.be.greaterThan(0);
    expect(areaCellText(pidWeak)).to.match(/^\d+\/\d+ ✗\d+/);
    expect(areaCellClass(pidWeak)).to.equal('weak');
    expect(areaCellClass(pidIsolated)).to.equal('clean');
  });

  it('says a target that could not run once per cell, never as a verdict', () => {
    const r = smallResults();
    r.targets[1]!.error = 'builtin-share-pid: the shim refused';
    const g = areaGrid(r);
    const c = g.cell('pid', g.targets[1]!);
    expect(areaCellText(c)).to.equal('could not run');
    expect(areaCellClass(c)).to.equal('none');
  });

  it('shows an area with only skips as no verdict, and an absent area as a dash', () => {
    expect(areaCellText({ counts: { pass: 0, fail: 0, skip: 3, error: 0 }, blocking: 0, broken: false })).to.equal('no verdict (3 skipped)');
    expect(areaCellClass({ counts: { pass: 0, fail: 0, skip: 3, error: 0 }, blocking: 0, broken: false })).to.equal('none');
    expect(areaCellText(undefined)).to.equal('—');
    expect(areaCellClass({ counts: { pass: 2, fail: 1, skip: 0, error: 0 }, blocking: 0, broken: false })).to.equal('mixed');
  });

  it('comes first in both matrix formats, before the check rows', () => {
    const r = smallResults();
    const md = matrixMarkdown(r);
    expect(md.indexOf('| area | builtin | builtin-share-pid |')).to.be.greaterThan(-1).and.lessThan(md.indexOf('| check |'));
    expect(md).to.match(/\| pid \| \d+\/\d+ \| \*\*\d+\/\d+ ✗\d+[^|]*\*\* \|/);
    const html = matrixHtml(r);
    expect(html.indexOf('<table class="areas">')).to.be.greaterThan(-1).and.lessThan(html.indexOf('<th scope="col">check</th>'));
    expect(html).to.include('<th scope="row">pid</th>');
    expect(html).to.match(/<td class="area-weak">\d+\/\d+ ✗\d+/);
  });
});
