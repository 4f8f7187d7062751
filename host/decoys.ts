/**
 * The sandbox profile's decoys (docs/sandbox-profile.md): what an agent or CI sandbox must keep
 * out of its workload's reach, planted on the host for one run and removed after it.
 *  - secrets: home/.ssh/id_ed25519 and home/.aws/credentials (0600) in
 *    /var/tmp/isoprobe-decoy-<nonce>, a host directory outside any workspace; the probe is given
 *    their FNV-1a hash, so it says whether it read them without printing a byte of them;
 *  - outside/ (0777) beside them: a directory any write outside the workspace could reach;
 *  - a listening unix socket /run/isoprobe-decoy-<nonce>.sock (a host daemon's);
 *  - "the outside world": a network namespace isoprobe-out-<nonce> with one end of a veth pair in
 *    a random /30 of 198.19.255.0/24 (RFC 2544 benchmarking space) and a TCP listener on its
 *    address that greets each connection with the run's nonce. The probe connects there and
 *    nowhere else.
 * Each is journalled at birth (host/journal.ts; host/reap.ts removes them after a SIGKILL) and
 * verified from the host before and after each probe: one gone or replaced errors its checks.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { intend, own, processResource } from './journal.js';
import { findBinary } from './which.js';
import type { DecoyKind, Decoys, SentinelState } from '../model/sentinels.js';

const IP_TIMEOUT_MS = 5000;
const LISTENER_READY_MS = 5000;
const SUBNET_ATTEMPTS = 16;

/** FNV-1a, 64 bits, as probes/agent.c computes it; hex without leading zeros (strtoull reads it). */
export function fnv1a64(data: Uint8Array): string {
  let h = 0xcbf29ce484222325n;
  for (const b of data) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h.toString(16);
}

export interface DecoyOptions {
  nonce: string;
  /** Where the host's /var/tmp and /run are: "/" for a run, a temporary directory for the tests. */
  root?: string;
  /** The network namespace and its listener (root only); off in the unit tests. */
  network?: boolean;
}

export async function armDecoys(opts: DecoyOptions): Promise<Decoys> {
  const root = opts.root ?? '/';
  const n = opts.nonce;
  const dir = path.join(root, 'var/tmp', `isoprobe-decoy-${n}`);
  own({ kind: 'dir', path: dir }, `decoy directory ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(dir, { mode: 0o755 });
  const secrets = [
    plant(path.join(dir, 'home/.ssh/id_ed25519'), `-----BEGIN OPENSSH PRIVATE KEY-----\nisoprobe decoy ${n}, not a key\n-----END OPENSSH PRIVATE KEY-----\n`),
    plant(path.join(dir, 'home/.aws/credentials'), `[default]\naws_access_key_id = AKIAISOPROBEDECOY\naws_secret_access_key = isoprobe-decoy-${n}\n`),
  ];
  const outside = path.join(dir, 'outside');
  fs.mkdirSync(outside);
  // 0777 whatever the umask: only the sandbox may stand between a workload and this directory.
  fs.chmodSync(outside, 0o777);
  const socket = path.join(root, 'run', `isoprobe-decoy-${n}.sock`);
  await listenUnix(socket, n);
  const decoys: Decoys = {
    dir,
    secrets,
    outside,
    socket,
    netns: `isoprobe-out-${n}`,
    egress: { host: '', port: 0 },
    env: { AWS_SECRET_ACCESS_KEY: `isoprobe-decoy-${n}`, GITHUB_TOKEN: `isoprobe-decoy-${n}` },
  };
  if (opts.network !== false) decoys.egress = await outsideWorld(decoys.netns, n);
  return decoys;
}

function plant(file: string, content: string): { path: string; fnv: string } {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, content, { flag: 'wx', mode: 0o600 });
  return { path: file, fnv: fnv1a64(Buffer.from(content)) };
}

async function listenUnix(file: string, nonce: string): Promise<void> {
  const intent = intend({ kind: 'socket', path: file });
  // A probe that connects and closes at once makes the greeting fail (EPIPE): that is no error of ours.
  const server = net.createServer((s) => s.on('error', () => {}).end(`isoprobe-decoy ${nonce}\n`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => resolve());
  });
  server.unref();
  own(intent, `decoy socket ${file}`, async () => {
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(file, { force: true });
  });
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  if (r.error || r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.error?.message ?? r.stderr.trim()}`);
}

/** A /30 of 198.19.255.0/24 no interface of the host has an address in. */
function freeSubnet(): number {
  const used = spawnSync('ip', ['-o', '-4', 'addr'], { encoding: 'utf8', timeout: IP_TIMEOUT_MS }).stdout ?? '';
  for (let i = 0; i < SUBNET_ATTEMPTS; i++) {
    const base = randomInt(64) * 4;
    if (![1, 2].some((o) => used.includes(`198.19.255.${base + o}/`))) return base;
  }
  throw new Error('no free /30 in 198.19.255.0/24 for the decoy network');
}

async function outsideWorld(netns: string, nonce: string): Promise<{ host: string; port: number }> {
  if (!findBinary('ip')) throw new Error('the decoy network needs "ip" (Debian: apt-get install iproute2)');
  const base = freeSubnet();
  const [hostAddr, outAddr] = [`198.19.255.${base + 1}`, `198.19.255.${base + 2}`];
  // Interface names are at most 15 bytes; "isoprobe" in both lets host/leftovers.ts see them.
  const hostEnd = `isoprobe${nonce.slice(0, 6)}h`;
  own({ kind: 'netns', name: netns }, `decoy netns ${netns}`, () => void spawnSync('ip', ['netns', 'delete', netns], { timeout: IP_TIMEOUT_MS }));
  ip(['netns', 'add', netns]);
  own({ kind: 'link', name: hostEnd }, `decoy veth ${hostEnd}`, () => void spawnSync('ip', ['link', 'delete', hostEnd], { timeout: IP_TIMEOUT_MS }));
  ip(['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'out0', 'netns', netns]);
  ip(['addr', 'add', `${hostAddr}/30`, 'dev', hostEnd]);
  ip(['link', 'set', hostEnd, 'up']);
  ip(['-n', netns, 'addr', 'add', `${outAddr}/30`, 'dev', 'out0']);
  ip(['-n', netns, 'link', 'set', 'out0', 'up']);
  const port = randomInt(20000, 60000);
  await startListener(netns, outAddr, port, nonce);
  return { host: outAddr, port };
}

/**
 * A node listener inside the netns. `ip netns exec` forks its command (measured, iproute2 6.1), so
 * the parent-death signal is set twice: on ip (dies with the harness, also on SIGKILL) and on the
 * listener (dies with ip).
 */
async function startListener(netns: string, addr: string, port: number, nonce: string): Promise<void> {
  const script = `require('net').createServer((s)=>s.on('error',()=>{}).end('isoprobe-decoy ${nonce}\\n')).listen(${port},'${addr}',()=>console.log('ready'))`;
  const child = spawn(
    'setpriv',
    ['--pdeathsig', 'KILL', '--', 'ip', 'netns', 'exec', netns, 'setpriv', '--pdeathsig', 'KILL', '--', process.execPath, '-e', script],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (child.pid === undefined) throw new Error('the decoy listener did not start');
  own(processResource(child.pid, 'isoprobe-decoy listener'), `decoy listener ${child.pid}`, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the decoy listener was not ready within ${LISTENER_READY_MS} ms: ${err.trim()}`)), LISTENER_READY_MS);
    child.stdout!.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (c) => {
      clearTimeout(timer);
      reject(new Error(`the decoy listener exited with ${c}: ${err.trim()}`));
    });
  });
  child.unref();
  (child.stdout as net.Socket).unref();
  (child.stderr as net.Socket).unref();
}

/** The decoys' probe options (probes/README.md, agent). */
export function decoyArgs(d: Decoys, workspace: string, nonce: string): string[] {
  return [
    '--agent',
    ...d.secrets.flatMap((s) => ['--secret-file', `${s.path}:${s.fnv}`]),
    '--host-socket',
    d.socket,
    ...(d.egress.port ? ['--egress', `${d.egress.host}:${d.egress.port}`] : []),
    '--write-outside',
    path.join(d.outside, `written-${nonce}`),
    '--write-inside',
    path.join(workspace, `isoprobe-written-${nonce}`),
  ];
}

/** Each decoy's identity from the host, or why it is not live (engine/run.ts compares before and after). */
export async function verifyDecoys(d: Decoys): Promise<Partial<Record<DecoyKind, SentinelState>>> {
  const out: Partial<Record<DecoyKind, SentinelState>> = {};
  const attempt = async (kind: DecoyKind, run: () => string | Promise<string>) => {
    try {
      out[kind] = { identity: await run() };
    } catch (e) {
      out[kind] = { problem: (e as Error).message };
    }
  };
  await attempt('decoy-secrets', () =>
    d.secrets
      .map((s) => {
        const got = fnv1a64(fs.readFileSync(s.path));
        if (got !== s.fnv) throw new Error(`${s.path} holds other bytes (fnv ${got}, planted ${s.fnv})`);
        return `${s.path} ${identity(s.path)}`;
      })
      .join(', '),
  );
  await attempt('decoy-outside', () => {
    const st = fs.statSync(d.outside);
    if ((st.mode & 0o777) !== 0o777) throw new Error(`${d.outside} is mode ${(st.mode & 0o777).toString(8)}, not 777`);
    return `${d.outside} ${identity(d.outside)}`;
  });
  await attempt('decoy-socket', async () => `${d.socket} ${identity(d.socket)} greets: ${await greeting({ path: d.socket })}`);
  if (d.egress.port)
    await attempt('decoy-egress', async () => `${d.egress.host}:${d.egress.port} greets: ${await greeting({ host: d.egress.host, port: d.egress.port })}`);
  return out;
}

function identity(file: string): string {
  const st = fs.statSync(file, { bigint: true });
  return `dev ${st.dev} ino ${st.ino} born ${st.birthtimeNs}`;
}

/** The listener's one line, bounded (5 s, as host/sentinels.ts connectOnce: a busy loop stalls timers). */
function greeting(to: net.NetConnectOpts): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const sock = net.connect(to);
    sock.setTimeout(5000, () => sock.destroy(new Error('timed out after 5 s')));
    sock.on('data', (b) => (text += b));
    sock.once('end', () => {
      sock.destroy();
      resolve(text.trim());
    });
    sock.once('error', reject);
  });
}
