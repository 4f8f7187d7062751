/**
 * The harness's own view of the host, taken once before any container runs: the reference the
 * checks compare container facts with. A plain data object (serialisable into results), so the
 * checks stay pure functions of it.
 */
import type { HostLsm } from './lsm.js';
import type { Namespace } from './spec.js';

/** A namespace as /proc/self/ns shows it: link text and inode, both null where the kernel lacks the type. */
export interface NsId {
  link: string | null;
  ino: number | null;
}

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
  /** /proc/self/mountinfo, raw (parsed by model/parse/mountinfo.ts where needed). */
  mountinfo: string;
  /** The labelling LSM the host enables (AppArmor, SELinux), if any. */
  lsm: HostLsm;
  /** The host's non-loopback IPv4 addresses, carrier or not: a container with its own network stack shows none of them. */
  ipv4Addresses: string[];
  /** The harness's NSpid levels as its own /proc shows them (1 in that /proc's pid namespace): a container's NSpid, read there, is compared with it. Absent from older results. */
  pidLevels?: number;
}
