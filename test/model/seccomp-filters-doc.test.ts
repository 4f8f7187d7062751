import { expect } from 'chai';
import { parseSeccompFilters } from '../../model/parse/seccomp-filters.js';

describe('probe seccomp-filters document', () => {
  it('reads the stacked filters, first the one the kernel runs first', () => {
    const doc = '{"schema":1,"kind":"seccomp-filters","pid":7,"filters":[[[32,0,0,4],[6,0,0,2147418112]],[[6,0,0,2147418112]]],"error":null}';
    expect(parseSeccompFilters(doc)).to.deep.equal({
      pid: 7,
      filters: [
        [
          [32, 0, 0, 4],
          [6, 0, 0, 0x7fff0000],
        ],
        [[6, 0, 0, 0x7fff0000]],
      ],
    });
  });

  it('keeps a failed step with its errno and the filters read before it', () => {
    const doc = '{"schema":1,"kind":"seccomp-filters","pid":7,"filters":[],"error":{"step":"seize","index":-1,"errno":1}}';
    expect(parseSeccompFilters(doc)).to.deep.equal({ pid: 7, filters: [], error: { step: 'seize', index: -1, errno: 1 } });
  });

  it('refuses what is not the document, in one line naming the field', () => {
    expect(() => parseSeccompFilters('')).to.throw('probe seccomp-filters printed no JSON document');
    expect(() => parseSeccompFilters('{"schema":1,"kind":"seccomp-filters","pid":7,"filters":[[[70000,0,0,0]]],"error":null}')).to.throw(
      /malformed document: filters\.0\.0\.0:/,
    );
    expect(() => parseSeccompFilters('{"schema":1,"kind":"seccomp-filters","pid":7,"filters":[[]],"error":null}')).to.throw(/filters\.0:/);
  });
});
