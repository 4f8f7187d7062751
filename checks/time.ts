/** time area: the container's CLOCK_MONOTONIC/BOOTTIME are its own, and the clock is not settable. */
import { expect } from 'chai';
import { skip } from '../model/check.js';
import { parseStatus } from '../model/parse/status.js';
import { parseTimensOffsets } from '../model/parse/timens.js';
import { BUILTIN_PRIVILEGED, builtin, capAdd, share } from './controls.js';
import { check, ownNamespaceCheck, requireNamespaceSupport } from './define.js';

const NEG = [share('time')];
const OCI_TIME = 'OCI runtime spec: linux.namespaces "time", linux.timeOffsets';
/** Host clocks are read just after the probe exits; the probe's run is far shorter than this. */
const TOLERANCE_SEC = 5;
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
      negativeControls: NEG,
    },
    (ctx) => {
      requireNamespaceSupport(ctx, 'time');
      if (!ctx.capabilities.timeOffsets) skip('target-feature', `${ctx.target} cannot be configured with time namespace offsets`);
      const want = ctx.spec.timeOffsets;
      const hostClocks = ctx.observed.hostClocks;
      expect(hostClocks, 'the host clocks were not read').to.not.equal(null);
      const mono = ctx.container.clocks.monotonic - hostClocks!.monotonic;
      const boot = ctx.container.clocks.boottime - hostClocks!.boottime;
      const file = ctx.container.files.timens_offsets;
      const offsets = file.errno === 0 ? parseTimensOffsets(file.text) : null;
      const evidence = `clock deltas inside−host: monotonic ${mono.toFixed(2)} s, boottime ${boot.toFixed(2)} s; timens_offsets ${offsets ? JSON.stringify(offsets) : `unreadable (errno ${file.errno})`}; configured monotonic ${want.monotonicSec} s, boottime ${want.boottimeSec} s (±${TOLERANCE_SEC} s)`;
      expect(mono, `monotonic offset: ${evidence}`).to.be.closeTo(want.monotonicSec, TOLERANCE_SEC);
      expect(boot, `boottime offset: ${evidence}`).to.be.closeTo(want.boottimeSec, TOLERANCE_SEC);
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
      negativeControls: [builtin({ caps: 'all' }), BUILTIN_PRIVILEGED, capAdd('SYS_TIME')],
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
