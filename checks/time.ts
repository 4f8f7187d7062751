/** time area: the container's CLOCK_MONOTONIC/BOOTTIME are its own, and the clock is not settable. */
import { expect } from 'chai';
import { skip } from '../model/check.js';
import { parseStatus } from '../model/parse/status.js';
import { parseTimensOffsets } from '../model/parse/timens.js';
import { BUILTIN_PRIVILEGED, builtin, capAdds, share } from './controls.js';
import { check, ownNamespaceCheck, requireNamespaceSupport } from './define.js';

const NEG = [share('time')];
const OCI_TIME = 'OCI runtime spec: linux.namespaces "time", linux.timeOffsets';
const CAP_SYS_TIME = 25n;

export const timeChecks = [
  ownNamespaceCheck({ area: 'time', ns: 'time', profiles: ['strict'], references: [OCI_TIME, 'time_namespaces(7)'], negativeControls: NEG }),
  check(
    {
      id: 'time.offsets-applied',
      area: 'time',
      title: 'the configured CLOCK_MONOTONIC and CLOCK_BOOTTIME offsets are in effect',
      profiles: ['strict'],
      references: [OCI_TIME, 'time_namespaces(7) /proc/PID/timens_offsets'],
      needs: ['container', 'observed', 'reference'],
      settings: ['ns.time', 'timeOffsets'],
      negativeControls: NEG,
    },
    (ctx) => {
      requireNamespaceSupport(ctx, 'time');
      if (!ctx.capabilities.timeOffsets) skip('target-feature', `${ctx.target} cannot be configured with time namespace offsets`);
      const want = ctx.spec.timeOffsets;
      const host = ctx.observed.hostClocks;
      expect(host, 'the host clocks were not read').to.not.equal(null);
      const mono = offsetWindow(ctx.container.clocks.monotonic, host!.before.monotonic, host!.after.monotonic);
      const boot = offsetWindow(ctx.container.clocks.boottime, host!.before.boottime, host!.after.boottime);
      const file = ctx.container.files.timens_offsets;
      const offsets = file.errno === 0 ? parseTimensOffsets(file.text) : null;
      const evidence = `clock offsets inside−host: monotonic ${show(mono)}, boottime ${show(boot)}; timens_offsets ${offsets ? JSON.stringify(offsets) : `unreadable (errno ${file.errno})`}; configured monotonic ${want.monotonicSec} s, boottime ${want.boottimeSec} s`;
      for (const [w, offset] of [
        [mono, want.monotonicSec],
        [boot, want.boottimeSec],
      ] as const) {
        // A window holding both the configured offset and none cannot tell them apart: no verdict.
        if (within(0, w) && within(offset, w))
          throw new Error(`the host's clock window (${(w.max - w.min).toFixed(3)} s) is too wide to tell the offset from none: ${evidence}`);
      }
      expect(allowed(mono, want.monotonicSec), `monotonic offset: ${evidence}`).to.equal(`${want.monotonicSec} s`);
      expect(allowed(boot, want.boottimeSec), `boottime offset: ${evidence}`).to.equal(`${want.boottimeSec} s`);
      expect(offsets, `timens_offsets: ${evidence}`).to.deep.equal({ monotonic: want.monotonicSec, boottime: want.boottimeSec });
      return evidence;
    },
  ),
  check(
    {
      id: 'time.no-sys-time',
      area: 'time',
      title: 'CAP_SYS_TIME is neither effective nor in the bounding set (the clock cannot be set)',
      profiles: ['baseline', 'restricted', 'strict'],
      references: ['capabilities(7) CAP_SYS_TIME', 'CIS Docker 5.3 (Linux kernel capabilities restricted)'],
      needs: ['container'],
      settings: ['caps'],
      negativeControls: [builtin({ caps: 'all' }), BUILTIN_PRIVILEGED, ...capAdds('SYS_TIME')],
    },
    ({ container }) => {
      const status = parseStatus(container.files.status.text);
      const has = (mask: bigint) => ((mask >> CAP_SYS_TIME) & 1n ? 'yes' : 'no');
      const evidence = `CAP_SYS_TIME effective: ${has(status.capEff)}, bounding: ${has(status.capBnd)} (CapEff ${status.capEff.toString(16)}, CapBnd ${status.capBnd.toString(16)})`;
      expect(has(status.capEff), evidence).to.equal('no');
      expect(has(status.capBnd), evidence).to.equal('no');
      return evidence;
    },
  ),
];

/**
 * The offsets the container's clock reading allows: the host read the same clock just before the
 * probe was released and just after it exited, and the probe reads its own in between
 * (targets/common/lifecycle.ts), so inside − host lies in [inside − after, inside − before]. The
 * window is exact: its width is what the run took, not a tolerance. The probe prints nanoseconds,
 * and a double keeps them to well under a microsecond at these magnitudes.
 */
function offsetWindow(inside: number, before: number, after: number): { min: number; max: number } {
  return { min: inside - after, max: inside - before };
}

function within(x: number, w: { min: number; max: number }): boolean {
  return w.min <= x && x <= w.max;
}

/** What a failure shows as observed: the window of offsets the clocks allow, unless it holds the configured one. */
function allowed(w: { min: number; max: number }, offset: number): string {
  return within(offset, w) ? `${offset} s` : show(w);
}

function show(w: { min: number; max: number }): string {
  return `${w.min.toFixed(3)}…${w.max.toFixed(3)} s`;
}
