/**
 * Host-side namespace observers. These read /proc/<pid>/ns/* from outside the container, where
 * the container cannot fake the answer, and ask the kernel who owns each namespace
 * (ioctl_ns(2)). Observation failures (the process is gone, EPERM on an initial namespace)
 * become nulls: the checks turn a null into "not observable" evidence, never a crash.
 */
import fs from 'node:fs';
import os from 'node:os';
import { NAMESPACES, type Namespace, type NsOwnership } from '../model/spec.js';
import { capget, nsIoctl, NS_GET_PARENT, NS_GET_USERNS, pidfdOpen, pidfdSendSignal, SysError } from './libc.js';
import type { NsId } from '../model/host-view.js';

/** CLONE_NEW* values: what NS_GET_NSTYPE returns and what setns() takes. */
export const CLONE_NEW: Record<Namespace, number> = {
  mnt: 0x00020000,
  cgroup: 0x02000000,
  uts: 0x04000000,
  ipc: 0x08000000,
  user: 0x10000000,
  pid: 0x20000000,
  net: 0x40000000,
  time: 0x00000080,
};

export type PidRef = number | 'self';

export function nsPath(pid: PidRef, type: Namespace | 'pid_for_children' | 'time_for_children'): string {
  return `/proc/${pid}/ns/${type}`;
}

/** Inode of a namespace file (stat follows the magic link to the nsfs inode). */
export function nsInode(path: string): number {
  return fs.statSync(path).ino;
}

function readlinkOrNull(path: string): string | null {
  try {
    return fs.readlinkSync(path);
  } catch {
    return null;
  }
}

/** Runs an fd-returning nsfs ioctl and answers the inode of that namespace; null if refused. */
function relatedNsIno(fd: number, request: number): number | null {
  let related: number;
  try {
    related = nsIoctl(fd, request);
  } catch (e) {
    // EPERM: outside our view (an ancestor of our user ns, or an initial namespace);
    // ENOTTY/EINVAL: the request does not apply to this namespace type.
    if (e instanceof SysError) return null;
    throw e;
  }
  try {
    return fs.fstatSync(related).ino;
  } finally {
    fs.closeSync(related);
  }
}

/** Who owns the namespace `type` of `pid`, and (pid/user only) its parent. Never throws on a vanished pid. */
export function nsOwnership(pid: PidRef, type: Namespace): NsOwnership {
  const path = nsPath(pid, type);
  const link = readlinkOrNull(path);
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY);
  } catch {
    return { link, ownerUserNsIno: null, parentIno: null };
  }
  try {
    const hierarchical = type === 'pid' || type === 'user';
    return {
      link,
      ownerUserNsIno: relatedNsIno(fd, NS_GET_USERNS),
      parentIno: hierarchical ? relatedNsIno(fd, NS_GET_PARENT) : null,
    };
  } finally {
    fs.closeSync(fd);
  }
}

function nsId(path: string): NsId {
  const link = readlinkOrNull(path);
  let ino: number | null = null;
  try {
    ino = nsInode(path);
  } catch {
    /* namespace type unknown to this kernel (e.g. time before 5.6) */
  }
  return { link, ino };
}

/**
 * The harness's own namespaces, the reference every check compares with. Not /proc/1: that is
 * EACCES on the project's VM, and what matters is the namespaces the sentinels live in (ours).
 */
export function hostNamespaces(): Record<Namespace, NsId> {
  return Object.fromEntries(NAMESPACES.map((ns) => [ns, nsId(nsPath('self', ns))])) as Record<Namespace, NsId>;
}

export function forChildrenNamespaces(): { pid: NsId; time: NsId } {
  return { pid: nsId(nsPath('self', 'pid_for_children')), time: nsId(nsPath('self', 'time_for_children')) };
}

/** Effective capability mask of `pid` (bit n = capability n), as seen in its own user namespace. */
export function capEffective(pid: PidRef): bigint {
  return capget(pid === 'self' ? 0 : pid).effective;
}

/** A pidfd pins the process: a later kill cannot hit a recycled pid. Caller closes it. */
export function openPidfd(pid: number): number {
  return pidfdOpen(pid);
}

export function pidfdKill(pidfd: number, signal: NodeJS.Signals | number): void {
  const num = typeof signal === 'number' ? signal : os.constants.signals[signal];
  pidfdSendSignal(pidfd, num);
}
