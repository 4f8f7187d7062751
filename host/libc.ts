/**
 * koffi bindings to the few libc calls the host-side observers need. libc is loaded once, on
 * first use, so importing this module costs nothing on hosts or tests that never call it.
 *
 * Rules that keep these calls honest:
 *  - koffi.errno() is the thread's live errno: it is read by `sys()` straight after the call,
 *    before any other JS can run a libc call that overwrites it.
 *  - everything here is synchronous. setns() in particular must never go through `.async`: it
 *    would move a threadpool thread into another namespace for good.
 */
import koffi, { type LibraryHandle } from 'koffi';
import { errnoCode } from '../model/errno.js';

/** A failed system call: which call, the errno number and its name ('ENOENT'). */
export class SysError extends Error {
  readonly code: string;
  constructor(
    readonly call: string,
    readonly errno: number,
  ) {
    super(`${call}: ${errnoCode(errno)} (${errno})`);
    this.code = errnoCode(errno);
  }
}

/** _IO(type, nr) from <asm-generic/ioctl.h>: no direction bits, no size. */
function _IO(type: number, nr: number): number {
  return (type << 8) | nr;
}
const NSIO = 0xb7;
export const NS_GET_USERNS = _IO(NSIO, 0x1);
export const NS_GET_PARENT = _IO(NSIO, 0x2);
export const NS_GET_NSTYPE = _IO(NSIO, 0x3);
export const NS_GET_OWNER_UID = _IO(NSIO, 0x4);

export const IPC_CREAT = 0o1000;
export const IPC_EXCL = 0o2000;
const IPC_RMID = 0;
export const O_RDONLY = 0;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;

export const LOCK_EX = 2;
export const LOCK_NB = 4;

const SYS_pidfd_send_signal = 424;
const SYS_pidfd_open = 434;
const LINUX_CAPABILITY_VERSION_3 = 0x20080522;

type Fn = (...args: unknown[]) => unknown;
interface Libc {
  pidfdOpen: (pid: number, flags: number) => unknown;
  pidfdSendSignal: (fd: number, sig: number) => unknown;
  ioctl: Fn;
  setns: Fn;
  capget: Fn;
  shmget: Fn;
  shmctl: Fn;
  msgget: Fn;
  msgctl: Fn;
  semget: Fn;
  semctl: Fn;
  mqOpen: Fn;
  mqClose: Fn;
  mqUnlink: Fn;
  clockGettime: Fn;
  flock: Fn;
}

let libc: Libc | null = null;

function load(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  const syscall = lib.func('long syscall(long nr, ...)');
  libc = {
    // glibc ≥ 2.36 has wrappers; older ones only the raw syscall.
    pidfdOpen:
      optional(lib, 'int pidfd_open(int pid, unsigned int flags)', (f) => (pid: number, flags: number) => f(pid, flags)) ??
      ((pid, flags) => syscall(SYS_pidfd_open, 'int', pid, 'unsigned int', flags)),
    pidfdSendSignal:
      optional(lib, 'int pidfd_send_signal(int pidfd, int sig, void *info, unsigned int flags)', (f) => (fd: number, sig: number) => f(fd, sig, null, 0)) ??
      ((fd, sig) => syscall(SYS_pidfd_send_signal, 'int', fd, 'int', sig, 'void *', null, 'unsigned int', 0)),
    ioctl: lib.func('int ioctl(int fd, unsigned long request, ...)'),
    setns: lib.func('int setns(int fd, int nstype)'),
    capget: lib.func('int capget(void *hdrp, void *datap)'),
    shmget: lib.func('int shmget(int key, size_t size, int shmflg)'),
    shmctl: lib.func('int shmctl(int shmid, int cmd, void *buf)'),
    msgget: lib.func('int msgget(int key, int msgflg)'),
    msgctl: lib.func('int msgctl(int msqid, int cmd, void *buf)'),
    semget: lib.func('int semget(int key, int nsems, int semflg)'),
    semctl: lib.func('int semctl(int semid, int semnum, int cmd, ...)'),
    // mq_open is variadic in C; with O_CREAT it reads exactly (mode, attr), so a fixed 4-argument
    // prototype is the same call on x86_64 and avoids koffi's variadic type/value pairs.
    mqOpen: lib.func('int mq_open(const char *name, int oflag, uint32_t mode, void *attr)'),
    mqClose: lib.func('int mq_close(int mqdes)'),
    mqUnlink: lib.func('int mq_unlink(const char *name)'),
    clockGettime: lib.func('int clock_gettime(int clockid, void *tp)'),
    flock: lib.func('int flock(int fd, int operation)'),
  };
  return libc;
}

/** A libc function that may not exist in this glibc (koffi throws on a missing symbol). */
function optional<T>(lib: LibraryHandle, decl: string, adapt: (f: Fn) => T): T | null {
  try {
    return adapt(lib.func(decl));
  } catch {
    return null;
  }
}

/** Runs one libc call and reads errno before anything else can touch it. */
function sys(call: string, invoke: () => unknown): number {
  const ret = Number(invoke());
  const errno = koffi.errno();
  if (ret === -1) throw new SysError(call, errno);
  return ret;
}

export function pidfdOpen(pid: number): number {
  return sys('pidfd_open', () => load().pidfdOpen(pid, 0));
}

export function pidfdSendSignal(pidfd: number, signal: number): void {
  sys('pidfd_send_signal', () => load().pidfdSendSignal(pidfd, signal));
}

/** An nsfs ioctl without argument: returns a new fd (USERNS, PARENT) or a CLONE_NEW* type. */
export function nsIoctl(fd: number, request: number): number {
  return sys(`ioctl(0x${request.toString(16)})`, () => load().ioctl(fd, request));
}

/** NS_GET_OWNER_UID: the uid (in our user namespace) that created a user namespace fd. */
export function nsOwnerUid(userNsFd: number): number {
  const out = new Uint32Array(1);
  sys('ioctl(NS_GET_OWNER_UID)', () => load().ioctl(userNsFd, NS_GET_OWNER_UID, 'uint32_t *', out));
  return out[0];
}

/** Moves the calling (main) thread only. */
export function setns(fd: number, nstype: number): void {
  sys('setns', () => load().setns(fd, nstype));
}

export interface CapSets {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
}

/** capget with the v3 header: two 32-bit words per set, low word first. */
export function capget(pid: number): CapSets {
  const hdr = Buffer.alloc(8);
  hdr.writeUInt32LE(LINUX_CAPABILITY_VERSION_3, 0);
  hdr.writeInt32LE(pid, 4);
  const data = Buffer.alloc(24);
  sys('capget', () => load().capget(hdr, data));
  const word = (set: number) => (BigInt(data.readUInt32LE(12 + set * 4)) << 32n) | BigInt(data.readUInt32LE(set * 4));
  return { effective: word(0), permitted: word(1), inheritable: word(2) };
}

export function shmget(key: number, size: number, flags: number): number {
  return sys('shmget', () => load().shmget(key, size, flags));
}
export function shmRemove(id: number): void {
  sys('shmctl(IPC_RMID)', () => load().shmctl(id, IPC_RMID, null));
}
export function msgget(key: number, flags: number): number {
  return sys('msgget', () => load().msgget(key, flags));
}
export function msgRemove(id: number): void {
  sys('msgctl(IPC_RMID)', () => load().msgctl(id, IPC_RMID, null));
}
export function semget(key: number, nsems: number, flags: number): number {
  return sys('semget', () => load().semget(key, nsems, flags));
}
export function semRemove(id: number): void {
  sys('semctl(IPC_RMID)', () => load().semctl(id, 0, IPC_RMID));
}

export function mqOpen(name: string, oflag: number, mode = 0o600): number {
  return sys(`mq_open(${name})`, () => load().mqOpen(name, oflag, mode, null));
}
export function mqClose(mqd: number): void {
  sys('mq_close', () => load().mqClose(mqd));
}
export function mqUnlink(name: string): void {
  sys(`mq_unlink(${name})`, () => load().mqUnlink(name));
}

/** clockid_t values of <linux/time.h>. */
export const CLOCK = { realtime: 0, monotonic: 1, boottime: 7 } as const;

/** clock_gettime(2) in seconds; struct timespec on x86_64 is two 64-bit words. */
export function clockGettime(clockId: number): number {
  const ts = Buffer.alloc(16);
  sys('clock_gettime', () => load().clockGettime(clockId, ts));
  return Number(ts.readBigInt64LE(0)) + Number(ts.readBigInt64LE(8)) / 1e9;
}

/**
 * flock(2) on an open fd: the lock belongs to the open file description, so the kernel drops it
 * when the last fd to it closes, which a process's death (SIGKILL included) always does.
 */
export function flock(fd: number, operation: number): void {
  sys('flock', () => load().flock(fd, operation));
}
