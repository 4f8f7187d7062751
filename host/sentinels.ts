/**
 * Host sentinels: objects the harness creates in ITS OWN namespaces so a probe inside a
 * container can try to reach them. Reaching one means the namespace that should hide it is
 * shared. Every sentinel carries the run's id (its journal's, host/journal.ts) as its nonce, so
 * concurrent runs never look like ours, and each is journalled and registered for cleanup at its
 * birth (own()): a killed run's sentinels are removed by the journal, never by their names.
 *
 * SysV keys are 0x150bXXXX: the fixed high half ("isob") is for people and for the tests'
 * leftovers detector (host/leftovers.ts); the low half is random. The sentinel process dies with
 * the harness (PR_SET_PDEATHSIG), so not even a SIGKILL leaves it running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import {
  IPC_CREAT,
  IPC_EXCL,
  O_CREAT,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  SysError,
  mqClose,
  mqOpen,
  mqUnlink,
  msgget,
  msgRemove,
  semget,
  semRemove,
  shmget,
  shmRemove,
} from './libc.js';
import { onCleanup } from './cleanup.js';
import { intend, journal, own, processResource, type Intent } from './journal.js';
import type { Resource } from '../model/journal.js';
import type { HostView } from '../model/host-view.js';
import type { SentinelKind, SentinelStates, Sentinels } from '../model/sentinels.js';
import { NAMESPACES } from '../model/spec.js';
import { findBinary } from './which.js';

export const IPC_KEY_PREFIX = 0x150b;
export const SENTINEL_ARGV_PREFIX = 'isoprobe-sentinel-';
/** Upper bound on the sentinel's life should its death signal not come (no setpriv on the host). */
const SENTINEL_LIFETIME_SEC = 1800;
/** How long the sentinel may take to become `sleep` under its own argv[0] (setpriv → bash → exec). */
const SENTINEL_EXEC_MS = 5000;
const KEY_ATTEMPTS = 32;

export function markerPaths(s: Pick<Sentinels, 'markers'>): string[] {
  return [s.markers.root, s.markers.shm];
}

export function isIsoprobeIpcKey(key: number): boolean {
  return key >>> 16 === IPC_KEY_PREFIX;
}

/** Early runners of each run's undos, so disarmSentinels() can remove them before the run ends. */
const undos = new Map<string, (() => Promise<void>)[]>();

function track(nonce: string, label: string, run: () => void | Promise<void>, res?: Resource | Intent): void {
  // A listening socket is an fd of ours and dies with us: only what outlives the process is journalled.
  const early = res ? own(res, label, run) : onCleanup(label, run);
  undos.set(nonce, [...(undos.get(nonce) ?? []), early]);
}

export async function armSentinels(): Promise<Sentinels> {
  // The run's id; a second arming in the same run (tests) gets a suffix so that names stay unique.
  const base = journal().id;
  const nonce = undos.has(base) ? `${base}${randomBytes(2).toString('hex')}` : base;
  undos.set(nonce, []);
  const reg: Register = (label, run, res) => track(nonce, label, run, res);
  const tcpPort = await listenTcp(reg);
  const abstractName = `isoprobe-${nonce}`;
  await listenAbstract(abstractName, reg);
  const shmKey = createSysv('shm', (k) => shmget(k, 4096, IPC_CREAT | IPC_EXCL | 0o600), shmRemove, reg);
  const msgKey = createSysv('msg', (k) => msgget(k, IPC_CREAT | IPC_EXCL | 0o600), msgRemove, reg);
  const semKey = createSysv('sem', (k) => semget(k, 1, IPC_CREAT | IPC_EXCL | 0o600), semRemove, reg);
  const mqName = `/isoprobe-${nonce}`;
  createMq(mqName, reg);
  const markers = { root: `/tmp/isoprobe-marker-${nonce}`, shm: `/dev/shm/isoprobe-marker-${nonce}` };
  for (const m of markerPaths({ markers })) createMarker(m, nonce, reg);
  const sentinelArgv = `${SENTINEL_ARGV_PREFIX}${nonce}`;
  const sentinelPid = await startSentinelProcess(sentinelArgv, reg);
  return { nonce, tcpPort, abstractName, shmKey, msgKey, semKey, mqName, markers, sentinelPid, sentinelArgv };
}

/** Removes this run's sentinels now (LIFO), instead of at the end of the run. */
export async function disarmSentinels(s: Sentinels): Promise<void> {
  const list = undos.get(s.nonce) ?? [];
  undos.delete(s.nonce);
  for (const early of list.reverse()) await early();
}

type Register = (label: string, run: () => void | Promise<void>, res?: Resource | Intent) => void;

async function listen(server: net.Server, address: net.ListenOptions): Promise<void> {
  // A probe that connects is only counted; drop it at once so no socket outlives the run.
  server.on('connection', (sock) => sock.destroy());
  server.listen(address);
  await once(server, 'listening');
  // The undo closes it; unref so a forgotten undo cannot keep the CLI alive.
  server.unref();
}

async function listenTcp(reg: Register): Promise<number> {
  const server = net.createServer();
  reg('tcp sentinel', () => new Promise<void>((resolve) => server.close(() => resolve())));
  await listen(server, { host: '127.0.0.1', port: 0 });
  return (server.address() as net.AddressInfo).port;
}

/**
 * Node binds "\0name" with the whole sun_path as the address length, so the kernel's name is
 * the nonce plus NUL padding (shown as "@isoprobe-…@@@@" in /proc/net/unix). The probe tries
 * both lengths, so this padding cannot turn "reachable" into a false "unreachable".
 */
async function listenAbstract(name: string, reg: Register): Promise<void> {
  const server = net.createServer();
  reg(`abstract socket @${name}`, () => new Promise<void>((resolve) => server.close(() => resolve())));
  await listen(server, { path: `\0${name}` });
}

function createSysv(kind: 'shm' | 'msg' | 'sem', make: (key: number) => number, remove: (id: number) => void, reg: Register): number {
  for (let i = 0; i < KEY_ATTEMPTS; i++) {
    const key = ((IPC_KEY_PREFIX << 16) | randomInt(1, 0x10000)) >>> 0;
    let id: number;
    try {
      id = make(key);
    } catch (e) {
      if (e instanceof SysError && e.code === 'EEXIST') continue;
      throw e;
    }
    // Journalled in the same synchronous step as its creation: only then is its id known.
    reg(`sysv ${kind} 0x${key.toString(16)}`, () => ignoreGone(() => remove(id)), { kind: 'sysv', type: kind, id, key });
    return key;
  }
  throw new Error(`no free SysV ${kind} key with prefix 0x${IPC_KEY_PREFIX.toString(16)} after ${KEY_ATTEMPTS} tries`);
}

/** An undo racing a manual removal is fine: the object is gone either way. */
function ignoreGone(run: () => void): void {
  try {
    run();
  } catch (e) {
    if (e instanceof SysError && ['EINVAL', 'EIDRM', 'ENOENT'].includes(e.code)) return;
    throw e;
  }
}

/**
 * 0644, not 0600: mq_open(O_RDONLY) checks permissions (SysV get with flags 0 does not), so a
 * container root mapped to another uid would see EACCES instead of success on a shared IPC
 * namespace. Both mean "visible", but success is the clearer evidence. The queue stays empty.
 */
function createMq(name: string, reg: Register): void {
  const intent = intend({ kind: 'mq', name });
  const mqd = mqOpen(name, O_CREAT | O_EXCL | O_RDWR, 0o644);
  reg(`posix mq ${name}`, () => ignoreGone(() => mqUnlink(name)), intent);
  mqClose(mqd);
}

function createMarker(file: string, nonce: string, reg: Register): void {
  const content = `isoprobe marker ${nonce}\n`;
  const intent = intend({ kind: 'file', path: file, content });
  fs.writeFileSync(file, content, { flag: 'wx', mode: 0o644 });
  reg(`marker ${file}`, () => fs.rmSync(file, { force: true }), intent);
}

/**
 * `sleep` with argv[0] set to the needle: /proc/<pid>/cmdline starts with it. setpriv sets the
 * parent-death signal, which survives the two execs (bash's `exec -a` names argv[0]), so the
 * kernel kills the sentinel with the harness, also on SIGKILL; the same pid all along, journalled
 * at once. Same process group as ours, so a terminal Ctrl-C reaches it too.
 */
async function startSentinelProcess(argv0: string, reg: Register): Promise<number> {
  const life = String(SENTINEL_LIFETIME_SEC);
  const child = findBinary('setpriv')
    ? spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'bash', '-c', 'exec -a "$0" sleep "$1"', argv0, life], { stdio: 'ignore' })
    : spawn('sleep', [life], { argv0, stdio: 'ignore' });
  if (child.pid !== undefined) reg(`sentinel process ${child.pid}`, () => killAndReap(child), processResource(child.pid, 'sentinel process'));
  await Promise.race([
    once(child, 'spawn'),
    once(child, 'error').then(([e]) => {
      throw e;
    }),
  ]);
  child.unref();
  for (const end = Date.now() + SENTINEL_EXEC_MS; !hasArgv0(child.pid!, argv0); ) {
    if (Date.now() > end || child.exitCode !== null)
      throw new Error(`the sentinel process ${child.pid} did not become "${argv0}" within ${SENTINEL_EXEC_MS} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return child.pid!;
}

function hasArgv0(pid: number, argv0: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === argv0;
  } catch {
    return false;
  }
}

async function killAndReap(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  // unref()ed at birth: without ref() the loop may end before the exit event arrives.
  child.ref();
  child.kill('SIGKILL');
  await exited;
}

/**
 * The probe's sentinel options (probes/README.md). The write tests (--set-hostname,
 * --mount-nonce, --create-file, --chroot-escape) are the orchestrator's to add.
 */
export function probeArgs(s: Sentinels, hostView: HostView): string[] {
  const hostNs = NAMESPACES.flatMap((ns) => {
    const ino = hostView.ns[ns]?.ino;
    return ino ? ['--host-ns', `${ns}:${ino}`] : [];
  });
  return [
    '--tcp',
    `127.0.0.1:${s.tcpPort}`,
    '--abstract',
    s.abstractName,
    '--shm-key',
    String(s.shmKey),
    '--msg-key',
    String(s.msgKey),
    '--sem-key',
    String(s.semKey),
    '--mq',
    s.mqName,
    ...markerPaths(s).flatMap((m) => ['--marker', m]),
    '--host-pid',
    String(s.sentinelPid),
    '--sentinel-argv',
    s.sentinelArgv,
    '--bind-port',
    String(s.tcpPort),
    ...hostNs,
  ];
}

/**
 * The positive control: every sentinel must be reachable from the host, or a container failing
 * to reach it proves nothing. Each sentinel's state, with what identifies the object where the
 * kernel gives something (engine/run.ts compares the states before and after each probe).
 */
export async function verifySentinelsFromHost(s: Sentinels): Promise<SentinelStates> {
  const states: Partial<SentinelStates> = {};
  const attempt = async (kind: SentinelKind, what: string, run: () => unknown) => {
    try {
      states[kind] = { identity: `${what}: ${String((await run()) ?? 'live')}` };
    } catch (e) {
      states[kind] = { problem: `${what}: ${(e as Error).message}` };
    }
  };
  // The listeners are this process's own servers: a successful connect is the one the harness accepts.
  await attempt('tcp', `connect 127.0.0.1:${s.tcpPort}`, () => connectOnce({ host: '127.0.0.1', port: s.tcpPort }));
  await attempt('abstract', `connect @${s.abstractName}`, () => connectOnce({ path: `\0${s.abstractName}` }));
  // SysV ids carry a sequence number: an object re-made under the same key gets another id.
  await attempt('sysv-shm', `shmget 0x${s.shmKey.toString(16)}`, () => `id ${shmget(s.shmKey, 0, 0)}`);
  await attempt('sysv-msg', `msgget 0x${s.msgKey.toString(16)}`, () => `id ${msgget(s.msgKey, 0)}`);
  await attempt('sysv-sem', `semget 0x${s.semKey.toString(16)}`, () => `id ${semget(s.semKey, 0, 0)}`);
  await attempt('posix-mq', `mq_open ${s.mqName}`, () => mqClose(mqOpen(s.mqName, O_RDONLY)));
  await attempt('marker-root', `stat ${s.markers.root}`, () => markerIdentity(s.markers.root));
  await attempt('marker-shm', `stat ${s.markers.shm}`, () => markerIdentity(s.markers.shm));
  await attempt('process', `sentinel process ${s.sentinelPid}`, () => checkSentinelProcess(s));
  return states as SentinelStates;
}

/** The birth time with the inode: a file system may give a re-made file the freed inode number. */
function markerIdentity(file: string): string {
  const st = fs.statSync(file, { bigint: true });
  return `dev ${st.dev} ino ${st.ino} born ${st.birthtimeNs}`;
}

function connectOnce(to: net.NetConnectOpts): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(to, () => {
      sock.destroy();
      resolve();
    });
    // A live local listener answers at once and a gone one refuses at once: the bound is only for
    // a hang. 5 s, not 1: a busy run stalls the event loop past 1 s (measured: 2 s with 18 runc
    // targets on 2 CPUs), and a stalled timer would call a live sentinel vanished.
    sock.setTimeout(5000, () => sock.destroy(new Error('timed out after 5 s')));
    sock.once('error', reject);
  });
}

/** Its start time (proc(5) stat field 22) tells a reused pid from the sentinel. */
function checkSentinelProcess(s: Sentinels): string {
  process.kill(s.sentinelPid, 0);
  // Killed but not yet reaped, it is a zombie: kill(0) answers, but its cmdline is empty.
  const argv = fs.readFileSync(`/proc/${s.sentinelPid}/cmdline`, 'utf8').split('\0');
  if (argv[0] !== s.sentinelArgv) throw new Error(`cmdline is "${argv.join(' ')}", not "${s.sentinelArgv} …"`);
  const stat = fs.readFileSync(`/proc/${s.sentinelPid}/stat`, 'utf8');
  // The command may hold spaces and parentheses: the fields start after the last ')'.
  const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return `started at tick ${startTime}`;
}
