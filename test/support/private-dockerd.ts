/**
 * A Docker daemon of the tests' own, for faults that must not touch the machine's dockerd (other
 * runs and tests use /var/run/docker.sock): its own socket, pidfile, data-root and exec-root under
 * one directory, no networking (no bridge, no iptables, its own network namespace), and the containerd it starts itself
 * (dockerd supervises one when no system containerd socket exists, as on the project's VM).
 * `stop` kills both, unmounts what they left under the directory and removes it, also after the
 * daemon was SIGKILLed or is still SIGSTOPped. Its directory's name must not contain "isoprobe":
 * the name-based leftover scan (host/leftovers.ts) would take its mounts for a killed run's.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { parseMountinfo } from '../../model/parse/mountinfo.js';

export interface PrivateDockerd {
  root: string;
  socket: string;
  pid(): number;
  client(): Dockerode;
  /** Starts it again on the same directories (after a SIGKILL). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const START_MS = 30_000;

export async function startPrivateDockerd(name: string): Promise<PrivateDockerd> {
  const root = fs.mkdtempSync(`/var/tmp/${name}-`);
  const socket = path.join(root, 'docker.sock');
  const log = path.join(root, 'dockerd.log');
  let child: ChildProcess | null = null;
  const args = [
    `--host=unix://${socket}`,
    `--pidfile=${path.join(root, 'docker.pid')}`,
    `--data-root=${path.join(root, 'data')}`,
    `--exec-root=${path.join(root, 'exec')}`,
    '--bridge=none',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
  ];
  const launch = async () => {
    const out = fs.openSync(log, 'a');
    // In a network namespace of its own: dockerd with --bridge=none deletes the host's docker0 link
    // (the machine's daemon's bridge) at start; there it finds none. exec keeps the pid dockerd's.
    child = spawn('unshare', ['--net', '--', 'dockerd', ...args], { stdio: ['ignore', out, out], detached: true });
    fs.closeSync(out);
    const client = new Dockerode({ socketPath: socket });
    const end = Date.now() + START_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the private dockerd exited (${child.exitCode}): ${tailOf(log)}`);
      const up = await client.ping().then(
        () => true,
        () => false,
      );
      if (up) return;
      if (Date.now() > end) throw new Error(`the private dockerd did not answer within ${START_MS / 1000} s: ${tailOf(log)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const d: PrivateDockerd = {
    root,
    socket,
    pid: () => child?.pid ?? 0,
    client: () => new Dockerode({ socketPath: socket, timeout: 20_000 }),
    // The killed daemon's containerd still runs (dockerd does not take it along): it goes first, as a
    // service manager's restart would do, and the new one reconnects to the containers' shims.
    // Its containerd sometimes misses dockerd's start timeout right after the kill: tried again.
    restart: async () => {
      killByPidfile(path.join(root, 'exec/containerd/containerd.pid'));
      for (let attempt = 1; ; attempt++) {
        await new Promise((r) => setTimeout(r, 1000));
        try {
          return await launch();
        } catch (e) {
          if (attempt === 3) throw e;
          killByPidfile(path.join(root, 'exec/containerd/containerd.pid'));
        }
      }
    },
    stop: async () => {
      const pid = child?.pid;
      if (pid && child?.exitCode === null && child.signalCode === null) {
        process.kill(pid, 'SIGCONT');
        // Its containers first, while it answers: their cgroups and mounts go with them.
        const client = d.client();
        const all = await client.listContainers({ all: true }).catch(() => []);
        for (const c of all)
          await client
            .getContainer(c.Id)
            .remove({ force: true })
            .catch(() => {});
        process.kill(pid, 'SIGTERM');
        await exitOf(child!, 15_000);
      }
      killByPidfile(path.join(root, 'exec/containerd/containerd.pid'));
      killShimsOf(root);
      for (const m of mountsUnder(root).reverse()) spawnSync('umount', ['-l', m], { timeout: 10_000 });
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await launch();
  } catch (e) {
    await d.stop().catch(() => {});
    throw e;
  }
  return d;
}

async function exitOf(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await gone;
  clearTimeout(timer);
}

/** containerd (and the shims it started) outlive a SIGKILLed dockerd: the tests' own go too. */
function killByPidfile(file: string): void {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    /* not running */
  }
}

/** Shims of containers a SIGKILLed daemon's containerd left: they name its socket under `root`. */
function killShimsOf(root: string): void {
  for (const d of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (argv.startsWith('/usr/bin/containerd-shim') && argv.includes(`${root}/exec/containerd/`)) process.kill(Number(d), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

function mountsUnder(root: string): string[] {
  return parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => m.mountPoint)
    .filter((p) => p === root || p.startsWith(`${root}/`));
}

function tailOf(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return 'no log';
  }
}
