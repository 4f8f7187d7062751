/**
 * The harness's own view of the host, taken once before any container runs: the reference the
 * checks compare container facts with. A plain data object (serialisable into results), so the
 * checks stay pure functions of it.
 */
import fs from 'node:fs';
import os from 'node:os';
import { forChildrenNamespaces, hostNamespaces, type NsId } from '../runtime/host/ns.js';
import { readHostLsm, type HostLsm } from './lsm.js';
import type { Namespace } from './spec.js';

export type { NsId };

export interface HostView {
  /** /proc/self/ns/*: link text and inode; both null where the kernel lacks the type. */
  ns: Record<Namespace, NsId>;
  /** What our children would get (differs from `ns` only after unshare of pid/time). */
  nsForChildren: { pid: NsId; time: NsId };
  hostname: string;
  uid: number;
  gid: number;
  /** /proc/sys/kernel/random/boot_id: ties results to one boot (inodes are per boot). */
  bootId: string | null;
  /** stat("/"): the probe compares its own root with it. */
  root: { dev: number; ino: number };
  /** /proc/self/mountinfo, raw (parsed by core/parse/mountinfo.ts where needed). */
  mountinfo: string;
  /** The labelling LSM the host enables (AppArmor, SELinux), if any. */
  lsm: HostLsm;
}

export function captureHostView(): HostView {
  const root = fs.statSync('/');
  return {
    ns: hostNamespaces(),
    nsForChildren: forChildrenNamespaces(),
    hostname: os.hostname(),
    uid: process.getuid?.() ?? -1,
    gid: process.getgid?.() ?? -1,
    bootId: readTrimmed('/proc/sys/kernel/random/boot_id'),
    root: { dev: root.dev, ino: root.ino },
    mountinfo: fs.readFileSync('/proc/self/mountinfo', 'utf8'),
    lsm: readHostLsm(),
  };
}

function readTrimmed(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}
