import fs from 'node:fs';
import { BUSYBOX_BINARY, PROBE_BINARY } from '../../host/paths.js';
import type { ProbeFiles } from '../../model/target.js';

/** The binaries `npm run build` made, as every driver delivers them (busybox is optional for the probe). */
export function projectProbeFiles(): ProbeFiles {
  return { probe: PROBE_BINARY, busybox: fs.existsSync(BUSYBOX_BINARY) ? BUSYBOX_BINARY : undefined };
}
