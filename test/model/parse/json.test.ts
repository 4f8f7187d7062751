import { expect } from 'chai';
import { JsonInputError, parseJsonStrictly } from '../../../model/parse/json.js';

const LIMITS = { maxDepth: 32 };
const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

function refusal(text: string): JsonInputError {
  try {
    parseJsonStrictly(text, LIMITS);
  } catch (e) {
    expect(e).to.be.instanceOf(JsonInputError);
    return e as JsonInputError;
  }
  return expect.fail(`expected ${JSON.stringify(text.slice(0, 60))} to be refused`);
}

describe('model/parse/json: JSON a person wrote, nothing silently changed', () => {
  const accepted: [string, string, unknown][] = [
    ['an ordinary document', '{"a": [1, 2.5, -3e2, true, null, "x"], "b": {}}', { a: [1, 2.5, -300, true, null, 'x'], b: {} }],
    ['a UTF-8 byte-order mark', '\uFEFF{"a": 1}', { a: 1 }],
    ['the largest exact integers', '[9007199254740991, -9007199254740991]', [9007199254740991, -9007199254740991]],
    ['fractions, tiny ones too', '[0.1, -2.5, 1e-400, 9007199254740991.0]', [0.1, -2.5, 0, 9007199254740991]],
    ['the same key in different objects', '{"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 1}, {"k": 2}]}', { a: { k: 1 }, b: { k: 2 }, c: [{ k: 1 }, { k: 2 }] }],
    ['keys and strings holding brackets, quotes and escapes', '{"{[\\"": "]}\\\\", "x": "a,b:c"}', { '{["': ']}\\', x: 'a,b:c' }],
    ['nesting up to the bound', nested(32), JSON.parse(nested(32))],
  ];
  for (const [what, text, want] of accepted) it(`accepts ${what}`, () => expect(parseJsonStrictly(text, LIMITS)).to.deep.equal(want));

  const refused: [string, string, string][] = [
    ['a key given twice', '{"targets": [{"name": "a", "x": 1, "name": "b"}]}', 'targets.0.name: the key "name" is given twice in the same object'],
    ['a key given twice through an escape', '{"ab": 1, "a\\u0062": 2}', 'ab: the key "ab" is given twice in the same object'],
    [
      'an integer beyond 2^53 - 1',
      '{"a": [0, {"m": 9007199254740993}]}',
      'a.1.m: the number 9007199254740993 is beyond 2^53 - 1, the largest integer a JSON number keeps exactly',
    ],
    ['2^53 itself (2^53 + 1 reads as it)', '[9007199254740992]', '0: the number 9007199254740992 is beyond 2^53 - 1'],
    ['a negative one', '{"a": -18446744073709551615}', 'a: the number -18446744073709551615 is beyond'],
    ['one written with an exponent', '{"a": 1e20}', 'a: the number 1e20 is beyond'],
    ['one written with a fraction', '{"a": 9007199254740993.0}', 'a: the number 9007199254740993.0 is beyond'],
    ['a number out of range', '{"a": 1e400}', 'a: the number 1e400 is out of range'],
    ['a number at the top level', '12345678901234567890', '(root): the number 12345678901234567890 is beyond'],
    ['nesting beyond the bound', `{"a": ${nested(40)}}`, `a${'.0'.repeat(31)}: nested deeper than 32 levels`],
  ];
  for (const [what, text, message] of refused) {
    it(`refuses ${what}, naming the field`, () => {
      const e = refusal(text);
      expect(e.message).to.include(message);
      expect(e.syntax).to.equal(false);
    });
  }

  it("keeps JSON.parse's message for a syntax error, marked as such", () => {
    const e = refusal('{"a": x}');
    expect(e.syntax).to.equal(true);
    expect(e.message).to.match(/^Unexpected token/);
  });

  it('walks a million levels without recursion (refused at the bound, not a stack overflow)', () => {
    expect(refusal(nested(1_000_000)).message).to.match(/: nested deeper than 32 levels$/);
  });
});
