/** Colour only on a terminal, never with NO_COLOR, TERM=dumb or --no-color; painted after the text is made safe. */
import { expect } from 'chai';
import { ansi, colourWanted, paintSummaryLine, plain } from '../../reports/colour.js';
import { summaryText } from '../../reports/summary.js';
import { smallResults } from '../fixtures/results-small.js';

describe('reports/colour', () => {
  it('is wanted on a TTY only, and never with NO_COLOR set, TERM=dumb or --no-color', () => {
    const tty = { isTTY: true };
    expect(colourWanted(tty, { TERM: 'xterm' }, false)).to.equal(true);
    expect(colourWanted({ isTTY: false }, { TERM: 'xterm' }, false)).to.equal(false);
    expect(colourWanted({}, {}, false)).to.equal(false);
    expect(colourWanted(tty, { NO_COLOR: '1' }, false)).to.equal(false);
    // no-color.org: set to an empty string is not set.
    expect(colourWanted(tty, { NO_COLOR: '' }, false)).to.equal(true);
    expect(colourWanted(tty, { TERM: 'dumb' }, false)).to.equal(false);
    expect(colourWanted(tty, {}, true)).to.equal(false);
  });

  it('paints the verdict and the FAIL/ERROR heads, and nothing in plain text', () => {
    expect(paintSummaryLine('Verdict: FAIL — 2 required checks failed', ansi)).to.equal('\x1b[1;31mVerdict: FAIL — 2 required checks failed\x1b[0m');
    expect(paintSummaryLine('  FAIL  builtin  [pid.own-ns] x', ansi)).to.equal('  \x1b[1;31mFAIL\x1b[0m  builtin  [pid.own-ns] x');
    expect(paintSummaryLine('  ERROR crun: could not run', ansi)).to.equal('  \x1b[1;33mERROR\x1b[0m crun: could not run');
    const text = summaryText(smallResults(), plain);
    expect(text).to.not.include('\x1b');
    const painted = summaryText(smallResults(), ansi);
    expect(painted.replace(/\x1b\[[\d;]*m/g, '')).to.equal(text);
  });

  it('evidence cannot bring an escape of its own: it is made visible before painting', () => {
    const r = smallResults();
    r.targets[1]!.checks[0]!.observed = 'evil \x1b[2J';
    expect(summaryText(r, ansi)).to.include('evil \\x1b[2J');
  });
});
