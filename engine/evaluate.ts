/**
 * One check against one context: a chai assertion that failed is a 'fail' with expected and
 * observed, a SkipCheck a 'skip' with its requirement, anything else an 'error' (a broken check).
 */
import { AssertionError } from 'chai';
import { toJsonValue } from '../model/json-value.js';
import { SkipCheck, type Check, type CheckContext, type Verdict } from '../model/check.js';

/** Evaluates one check. Pure apart from the check's own code; never throws. */
export function evaluate(check: Check, ctx: CheckContext): Verdict {
  let evidence = '';
  try {
    evidence = check.run(ctx);
    return { status: 'pass', evidence };
  } catch (e) {
    if (e instanceof SkipCheck) return { status: 'skip', reason: e.reason, requirement: e.requirement };
    if (e instanceof AssertionError) {
      const err = e as Error & { expected?: unknown; actual?: unknown; evidence?: string };
      // chai records the compared value as "expected" for negated assertions too.
      const negated = / to not /.test(err.message);
      return {
        status: 'fail',
        expected: err.expected === undefined ? chaiExpectation(err.message) : (bound(err.message, err.expected) ?? toJsonValue(err.expected)),
        ...(negated && err.expected !== undefined ? { negated: true } : {}),
        ...(err.actual === undefined ? {} : { observed: toJsonValue(err.actual) }),
        evidence: `${err.message}${err.evidence ? `\n${err.evidence}` : ''}`,
      };
    }
    return { status: 'error', reason: `check crashed: ${(e as Error).stack ?? String(e)}` };
  }
}

/**
 * Some chai assertions (closeTo, within, above) record no expected value: their own words hold it,
 * e.g. "expected 0.06 to be close to 86400 +/- 0.5" gives "close to 86400 +/- 0.5".
 */
function chaiExpectation(message: string): string {
  const words = /expected .+? to (?:be )?(.+)$/s.exec(message.split(': ').pop() ?? '');
  return words ? words[1] : '(not recorded)';
}

/**
 * An order comparison (above, below, at least, at most) records its bound as "expected": shown bare,
 * a failed `above(1)` of 1 reads "expected 1, observed 1". The bound keeps its relation instead.
 */
function bound(message: string, expected: unknown): string | undefined {
  const relation = / to (?:be |have a (?:length|size) )?(above|below|at least|at most) /.exec(message.split(': ').pop() ?? '');
  return relation ? `${relation[1]} ${JSON.stringify(toJsonValue(expected))}` : undefined;
}
