/**
 * time.offsets-applied judges the container's clocks against the window the host measured around
 * the probe's reading: the configured offset inside it passes, none fails, and a window wide
 * enough to hold both is no verdict (an error), whatever the load made of it.
 */
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { evaluate } from '../../engine/evaluate.js';
import type { CheckContext } from '../../model/check.js';
import { DEFAULT_SPEC } from '../../model/spec.js';

const WEEK = 7 * 86400;
const BOOT = 9 * 86400;
const offsetsApplied = CATALOGUE.find((c) => c.id === 'time.offsets-applied')!;

/** The host read 1000 s before the release and `after` seconds after the exit; the probe read at `inside` (host time) plus `shift`. */
function ctx(inside: number, after: number, shift: { mono: number; boot: number }, file = `monotonic ${WEEK} 0\nboottime ${BOOT} 0\n`): CheckContext {
  const clocks = (t: number) => ({ monotonic: t, boottime: t + 50, realtime: 0 });
  return {
    target: 't',
    profile: 'strict',
    spec: { ...DEFAULT_SPEC, argv: [] },
    capabilities: { timeOffsets: true, lsmProfile: { applied: true } },
    reference: { ns: { time: { link: 'time:[1]' } } },
    observed: { hostClocks: { before: clocks(1000), after: clocks(after) } },
    container: {
      clocks: { realtime: 0, monotonic: inside + shift.mono, boottime: inside + 50 + shift.boot },
      files: { timens_offsets: { errno: 0, text: file } },
    },
  } as unknown as CheckContext;
}

describe('time.offsets-applied', () => {
  it('passes when the offsets lie in the measured window, however wide load made it', () => {
    expect(evaluate(offsetsApplied, ctx(1000.5, 1001, { mono: WEEK, boot: BOOT })).status).to.equal('pass');
    // A probe read 14 s after its release, the host's second read 20 s after it: still exact.
    const v = evaluate(offsetsApplied, ctx(1014, 1020, { mono: WEEK, boot: BOOT }));
    expect(v.status, v.evidence).to.equal('pass');
  });

  it('fails without offsets (a shared time namespace), and on an offset outside the window', () => {
    const none = evaluate(offsetsApplied, ctx(1000.5, 1001, { mono: 0, boot: 0 }, 'monotonic 0 0\nboottime 0 0\n'));
    expect(none.status).to.equal('fail');
    expect(none).to.deep.include({ expected: `${WEEK} s`, observed: '-0.500…0.500 s' });
    expect(none.evidence).to.contain('monotonic -0.500…0.500 s');
    // One second more than the window allows, with timens_offsets claiming the configured ones.
    expect(evaluate(offsetsApplied, ctx(1000.5, 1001, { mono: WEEK + 1.5, boot: BOOT })).status).to.equal('fail');
  });

  it('gives no verdict when the window holds both the offset and none', () => {
    const v = evaluate(offsetsApplied, ctx(1000, 1000 + 2 * BOOT, { mono: WEEK, boot: BOOT }));
    expect(v.status).to.equal('error');
    expect(v.reason).to.contain('too wide to tell the offset from none');
  });
});
