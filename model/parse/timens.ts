/**
 * /proc/<pid>/timens_offsets: "<clock> <secs> <nanosecs>" per line (time_namespaces(7)). The
 * kernel prints clock names; numeric ids (1 monotonic, 7 boottime) are what may be written, so
 * both are accepted.
 */
import { lines, malformed, ParseError } from './lines.js';

export interface TimensOffsets {
  /** Seconds, fractional when nanoseconds are set; may be negative. */
  monotonic: number;
  boottime: number;
}

const CLOCKS: Record<string, keyof TimensOffsets> = { monotonic: 'monotonic', boottime: 'boottime', '1': 'monotonic', '7': 'boottime' };

export function parseTimensOffsets(text: string): TimensOffsets {
  const out: Partial<TimensOffsets> = {};
  for (const { n, line } of lines(text)) {
    const [clock, secs, nsecs, extra] = line.trim().split(/\s+/);
    const key = CLOCKS[clock ?? ''];
    if (!key || extra !== undefined || !/^-?\d+$/.test(secs ?? '') || !/^\d+$/.test(nsecs ?? '')) {
      throw malformed('timens_offsets', n, line, 'expected "<monotonic|boottime> <secs> <nanosecs>"');
    }
    out[key] = Number(secs) + Number(nsecs) / 1e9;
  }
  if (out.monotonic === undefined || out.boottime === undefined) {
    throw new ParseError(`timens_offsets: expected a monotonic and a boottime line, got ${JSON.stringify(text)}`);
  }
  return { monotonic: out.monotonic, boottime: out.boottime };
}
