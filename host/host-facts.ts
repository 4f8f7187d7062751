/**
 * Facts every target reads the same way on the host, whoever made the container: the host's clocks
 * at the moment the probe reads its own, and the owners of the files the probe made in /scratch.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HostSideFacts } from '../model/spec.js';
import { SCRATCH_DIR } from '../model/target.js';

/** CLOCK_MONOTONIC from hrtime; CLOCK_BOOTTIME as /proc/uptime shows it (10 ms resolution). */
export function readHostClocks(): HostSideFacts['hostClocks'] {
  const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return { monotonic: Number(process.hrtime.bigint()) / 1e9, boottime: uptime, realtime: Date.now() / 1000 };
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
