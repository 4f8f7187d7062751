import { expect } from 'chai';
import { skip, type Check, type CheckContext } from '../../model/check.js';
import { evaluate } from '../../engine/evaluate.js';

const meta = { id: 'x.y', area: 'pid' as const, title: 't', profiles: [], references: [], needs: [], negativeControls: [], negativeControl: '' };
const ctx = {} as CheckContext;
const mk = (run: () => string): Check => ({ ...meta, run });

describe('check evaluation', () => {
  it('a returning check passes with its evidence', () => {
    expect(
      evaluate(
        mk(() => 'seen'),
        ctx,
      ),
    ).to.deep.equal({ status: 'pass', evidence: 'seen' });
  });
  it('a failed chai assertion is a fail with expected and observed', () => {
    const v = evaluate(
      mk(() => {
        expect(7, 'the pid').to.equal(1);
        return '';
      }),
      ctx,
    );
    expect(v).to.include({ status: 'fail', expected: 1, observed: 7 });
    expect(v.evidence).to.match(/^the pid: expected 7 to equal 1/);
  });
  it('a failed negated assertion says "not" in its expectation', () => {
    const v = evaluate(
      mk(() => {
        expect('pid:[1]').to.not.equal('pid:[1]');
        return '';
      }),
      ctx,
    );
    expect(v).to.include({ status: 'fail', expected: 'pid:[1]', negated: true, observed: 'pid:[1]' });
  });
  it("an assertion that records no expected value (closeTo) gives chai's own words for it", () => {
    const v = evaluate(
      mk(() => {
        expect(-0.06, 'monotonic offset: deltas 1: 2').to.be.closeTo(86400, 0.5);
        return '';
      }),
      ctx,
    );
    expect(v).to.include({ status: 'fail', expected: 'close to 86400 +/- 0.5', observed: -0.06 });
    expect(v).to.not.have.property('negated');
  });
  it('an order comparison keeps its relation: a failed above(1) of 1 is not "expected 1, observed 1"', () => {
    const v = evaluate(
      mk(() => {
        expect(1, 'pid levels').to.be.greaterThan(1);
        return '';
      }),
      ctx,
    );
    expect(v).to.include({ status: 'fail', expected: 'above 1', observed: 1 });
    const w = evaluate(
      mk(() => {
        expect([1, 2]).to.have.length.at.most(1);
        return '';
      }),
      ctx,
    );
    expect(w).to.include({ status: 'fail', expected: 'at most 1', observed: 2 });
  });
  it('keeps compared values as JSON values: a list stays a list, a Set becomes one, undefined is left out', () => {
    const v = evaluate(
      mk(() => {
        expect(new Set(['keyctl', 'bpf'])).to.deep.equal(new Set());
        return '';
      }),
      ctx,
    );
    expect(v.observed).to.deep.equal(['keyctl', 'bpf']);
    expect(v.expected).to.deep.equal([]);
    const w = evaluate(
      mk(() => {
        expect(undefined).to.equal(3);
        return '';
      }),
      ctx,
    );
    expect(w).to.include({ expected: 3 }).and.not.have.property('observed');
  });
  it('skip() is a skip with its reason', () => {
    expect(
      evaluate(
        mk(() => skip('timens', 'no time namespaces')),
        ctx,
      ),
    ).to.deep.equal({ status: 'skip', reason: 'no time namespaces', requirement: 'timens' });
  });
  it('any other exception is an error of the harness, not a verdict', () => {
    const v = evaluate(
      mk(() => {
        throw new TypeError('boom');
      }),
      ctx,
    );
    expect(v.status).to.equal('error');
    expect(v.reason).to.match(/check crashed: TypeError: boom/);
  });
});
