import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { selectChecks } from '../../model/check.js';

describe('model/check selectChecks: what --grep selects', () => {
  const ids = (pattern?: string) => selectChecks(CATALOGUE, pattern).map((c) => c.id);

  it('every check without a pattern', () => expect(ids()).to.deep.equal(CATALOGUE.map((c) => c.id)));

  it('matches ids, anchored ones too', () => {
    expect(ids('^pid\\.')).to.have.length.above(2);
    expect(ids('^pid\\.').every((id) => id.startsWith('pid.'))).to.equal(true);
    expect(ids('^pid\\.own-ns$')).to.deep.equal(['pid.own-ns']);
  });

  it('matches titles', () => {
    const c = CATALOGUE[0]!;
    expect(ids(c.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).to.include(c.id);
  });

  it("not a target's name, an area's suite or the bracketed id of mocha's full title", () => {
    expect(ids('builtin pid')).to.deep.equal([]);
    expect(ids('^\\[pid\\.')).to.deep.equal([]);
    expect(ids('no-such-check')).to.deep.equal([]);
  });
});
