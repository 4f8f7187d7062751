/**
 * Facts every target reads the same way on the host, whoever made the container: the host's clocks
 * on both sides of the probe's own reading, and the owners of the files the probe made in /scratch.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HostClocks, HostSideFacts } from '../model/spec.js';
import { CLOCK, clockGettime } from './libc.js';
import { SCRATCH_DIR } from '../model/target.js';

/** The clocks the probe reads, with clock_gettime(2) as the probe does (/proc/uptime would round BOOTTIME to 10 ms). */
export function readHostClocks(): HostClocks {
  return { monotonic: clockGettime(CLOCK.monotonic), boottime: clockGettime(CLOCK.boottime), realtime: clockGettime(CLOCK.realtime) };
}

/**
 * Owners of the files in the host directory that is the container's /scratch. lstat: the
 * container made these names, and a symlink must not make the host report a host file's owner.
 */
export function statScratch(dir: string): HostSideFacts['createdFiles'] {
  try {
    return fs.readdirSync(dir).map((name) => {
      const st = fs.lstatSync(path.join(dir, name));
      return { path: `/${SCRATCH_DIR}/${name}`, uid: st.uid, gid: st.gid };
    });
  } catch {
    return [];
  }
}
