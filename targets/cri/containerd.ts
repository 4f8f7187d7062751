/**
 * A containerd of isoprobe's own, started when a cri target names no endpoint: its config, root,
 * state, socket and CNI config all in one directory of the run (CRI_ROOT/<run id>), never
 * Docker's containerd or the host's. It is journalled at its birth with that directory (kind
 * 'cri'), so the reaper of a SIGKILLed run (./clean.ts) can find and stop it, its shims, its
 * sandboxes and mounts. One per run, shared by the run's cri targets, and stopped by the run's
 * cleanup only because this run started it. Every wait is bounded.
 *
 * One RuntimeClass handler, `runc` (the default). runsc as the BinaryName of the runc v2 shim was
 * tried here and does not serve a handler (gVisor 20221219, containerd 1.6.20): the sandbox and
 * the probe run, but the shim waits on the pid runsc's pid file names, the sandbox's, so it never
 * sees a container exit, the container's output never reaches the CRI log, and StopPodSandbox
 * hangs to its deadline. runsc needs its own shim (containerd-shim-runsc-v1), which Debian lacks.
 * The runc state root is the run's (`Root`): the shim's default is /run/containerd/runc/k8s.io,
 * a real node's. The shims' sockets are containerd 1.6's fixed /run/containerd/s/<hash>, removed
 * by each shim at its exit.
 *
 * `restrict_oom_score_adj`: the pause container's -998 needs CAP_SYS_RESOURCE, which the project's
 * VM lacks in every bounding set (docs/DESIGN notes in the brief: runc then fails "failed to
 * update /proc/self/oom_score_adj"); restricting clamps it to the daemon's own score.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { own } from '../../host/journal.js';
import { procStartTime } from '../../host/proc.js';
import { EnvError } from '../../model/errors.js';
import { CriClient } from './client.js';
import { cgroupMounts } from '../../host/cgroup.js';
import { cniConfig, deleteBridge, type CniNetwork } from './cni.js';

/** Outside RUN_ROOT: only this driver's reaper removes it (mounts and shims first). */
export const CRI_ROOT = '/run/isoprobe-cri';
const START_MS = 20_000;
const STOP_MS = 10_000;
/** Stop (bounded above), then shims, mounts, the bridge, cgroups and the directory. */
const TEARDOWN_MS = 40_000;

export interface Containerd {
  dir: string;
  socket: string;
  pid: number;
  client: CriClient;
  network: CniNetwork;
}

export function layout(dir: string) {
  return {
    config: path.join(dir, 'config.toml'),
    root: path.join(dir, 'root'),
    state: path.join(dir, 'state'),
    socket: path.join(dir, 'containerd.sock'),
    cniConf: path.join(dir, 'cni'),
    log: path.join(dir, 'containerd.log'),
  };
}

export function containerdConfig(dir: string, pauseImage: string): string {
  const l = layout(dir);
  const q = JSON.stringify;
  const cri = '[plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = ${q(l.root)}
state = ${q(l.state)}
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = ${q(l.socket)}

[ttrpc]
  address = ${q(`${l.socket}.ttrpc`)}

${cri}]
  sandbox_image = ${q(pauseImage)}
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false

${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

${cri}.containerd.runtimes.runc.options]
  BinaryName = "runc"
  Root = ${q(path.join(dir, 'runc'))}
  SystemdCgroup = false

${cri}.cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = ${q(l.cniConf)}
  max_conf_num = 1
`;
}

/** Starts containerd on `dir` (made fresh, or a dead run's, to reap it) and waits for its CRI to answer. */
export async function startContainerd(dir: string, pauseImage: string, network: CniNetwork, journalIt: boolean): Promise<Containerd> {
  const l = layout(dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(l.cniConf, { recursive: true });
  fs.writeFileSync(path.join(l.cniConf, '10-isoprobe.conflist'), JSON.stringify(cniConfig(network, dir), null, 2));
  fs.writeFileSync(l.config, containerdConfig(dir, pauseImage));
  const log = fs.openSync(l.log, 'a');
  // Its own process group and session: a Ctrl-C reaches only the harness, whose cleanup stops it.
  const child = spawn('containerd', ['--config', l.config], { stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('error', () => {});
  const pid = child.pid;
  if (pid === undefined) throw new EnvError(`cannot start containerd (is it installed? Debian: containerd): ${l.log}`);
  child.unref();
  let stop: () => Promise<void> = () => stopContainerd(pid, exited);
  if (journalIt) {
    stop = own(
      { kind: 'cri', dir, pid, start: procStartTime(pid) ?? '', run: path.basename(dir) },
      `containerd ${pid} (${dir})`,
      async () => {
        const left = await teardown({ dir, pid, exited, bridge: network.bridge });
        if (left.length > 0) throw new Error(left.join('; '));
      },
      { deadlineMs: TEARDOWN_MS },
    );
  }
  const client = new CriClient(`unix://${l.socket}`);
  const end = Date.now() + START_MS;
  let last = '';
  for (;;) {
    try {
      await client.version(1000);
      return { dir, socket: l.socket, pid, client, network };
    } catch (e) {
      last = (e as Error).message;
    }
    if (child.exitCode !== null || Date.now() > end) {
      client.close();
      await stop().catch(() => {});
      const tail = readTail(l.log);
      throw new EnvError(`containerd (${l.config}) did not answer CRI within ${START_MS / 1000} s: ${last}${tail ? ` | log: ${tail}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-2).join(' | ').slice(0, 400);
  } catch {
    return '';
  }
}

/** SIGTERM, then SIGKILL after the bound. */
export async function stopContainerd(pid: number, exited?: Promise<void>): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  const end = Date.now() + STOP_MS;
  while (alive() && Date.now() < end) {
    if (exited) await Promise.race([exited, new Promise((r) => setTimeout(r, 50))]);
    else await new Promise((r) => setTimeout(r, 50));
  }
  if (alive()) process.kill(pid, 'SIGKILL');
}

/** Processes whose command line names `needle` (the shims carry their containerd's socket). */
export function processesNaming(needle: string): number[] {
  return fs.readdirSync('/proc').flatMap((n) => {
    if (!/^\d+$/.test(n) || Number(n) === process.pid) return [];
    try {
      return fs
        .readFileSync(`/proc/${n}/cmdline`, 'utf8')
        .split('\0')
        .some((a) => a.includes(needle))
        ? [Number(n)]
        : [];
    } catch {
      return [];
    }
  });
}

/** Mount points at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const points = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .map((p) => p.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/**
 * After the sandboxes are gone: containerd stopped, then what outlives it — shims (they
 * daemonise), mounts under its root and state (rootfs overlays, shm), the directory.
 */
export async function teardown(c: { dir: string; pid: number | null; exited?: Promise<void>; bridge: string }): Promise<string[]> {
  const left: string[] = [];
  if (c.pid) await stopContainerd(c.pid, c.exited);
  // The shims (their -address), runsc's sandbox and gofer (their --root and --log), and anything
  // left in the run's cgroup tree (a container whose shim was killed with its containerd).
  for (const p of [...processesNaming(c.dir), ...cgroupTreeProcs(cgroupRootOf(path.basename(c.dir)))]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const m of mountsUnder(c.dir)) {
    // Lazy: returns at once even while a dying shim still holds it; a hung umount is bounded.
    const r = spawnSync('umount', ['-l', m], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) left.push(`mount ${m}: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
  }
  const bridge = deleteBridge(c.bridge);
  if (bridge) left.push(bridge);
  left.push(...removeCgroupTree(cgroupRootOf(path.basename(c.dir))));
  try {
    fs.rmSync(c.dir, { recursive: true, force: true });
  } catch (e) {
    left.push(`${c.dir}: ${(e as Error).message}`);
  }
  return left;
}

/** kubelet's --cgroup-root for a run's pods: a tree of its own in every hierarchy. */
export function cgroupRootOf(run: string): string {
  return `/isoprobe-cri-${run}`;
}

/** Pids in the tree (any hierarchy lists every process of it on a v1 host: the pids one is read). */
function cgroupTreeProcs(root: string): number[] {
  const pids = new Set<number>();
  for (const m of cgroupMounts(fs.readFileSync('/proc/self/mountinfo', 'utf8'))) {
    const walk = (d: string) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const line of (readOr(path.join(d, 'cgroup.procs')) ?? '').split('\n')) if (/^\d+$/.test(line)) pids.add(Number(line));
      for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
    };
    walk(path.join(m.mountPoint, root));
  }
  pids.delete(process.pid);
  return [...pids];
}

function readOr(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** rmdir(2) of the tree, deepest first: only empty cgroups go, so nothing that still runs is touched. */
export function removeCgroupTree(root: string): string[] {
  const left: string[] = [];
  for (const m of cgroupMounts(fs.readFileSync('/proc/self/mountinfo', 'utf8'))) {
    const top = path.join(m.mountPoint, root);
    if (!fs.existsSync(top)) continue;
    const dirs: string[] = [];
    const walk = (d: string) => {
      dirs.push(d);
      for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
    };
    walk(top);
    for (const d of dirs.reverse()) {
      try {
        fs.rmdirSync(d);
      } catch (e) {
        left.push(`cgroup ${d}: ${(e as Error).message}`);
      }
    }
  }
  return left;
}
