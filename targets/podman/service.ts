/**
 * The Podman service a run talks to: `podman system service --time=0 unix://SOCKET`, started by
 * isoprobe on a socket, config, storage root and runroot of its own (never the host's default
 * storage, nor Docker's), one per run and mode (rootful; rootless as the unprivileged user that
 * scripts/rootless-user.sh sets up), and stopped by the run that started it. Its directory is
 * journalled before it exists; a SIGKILLed run's is reaped by the next run or `isoprobe clean`
 * (./clean.ts wipe): its service killed (start time checked), its containers removed with the
 * podman CLI on the same storage, a rootless user's pause process killed, its mounts detached.
 *
 * The containers.conf is isoprobe's own, so that the host's is not read; it sets only what this
 * host needs to run at all (runc: crun refuses hybrid cgroups; cgroupfs and a file events log:
 * there is no systemd) and what isoprobe reports as requested (README, "Podman").
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { intend, journal, own } from '../../host/journal.js';
import { secondsText } from '../../model/deadline.js';
import { EnvError } from '../../model/errors.js';
import type { Resource } from '../../model/journal.js';
import { asUser, globalFlags, serviceBase, serviceDirs, serviceEnv, containersConf, type ServiceDirs } from './dirs.js';
import { rootlessUser, type PodmanUser } from './user.js';
import { wipeService } from './wipe.js';

/** How long a started service may take to answer its first ping (a few hundred ms here). */
export const SERVICE_START_MS = 30_000;
/** SIGTERM, then SIGKILL after this: the service has nothing to flush (its containers are gone). */
const SERVICE_STOP_MS = 10_000;

export interface Service {
  socket: string;
  dirs: ServiceDirs;
  pid: number;
  user?: PodmanUser;
  client: Dockerode;
}

const services = new Map<string, Promise<Service>>();

/** The run's service of this mode, started on first use; the run's cleanup stops it. */
export function ensureService(rootless: boolean): Promise<Service> {
  const key = `${journal().id} ${rootless}`;
  let s = services.get(key);
  if (!s) {
    s = startService(rootless);
    services.set(key, s);
  }
  return s;
}

function makeDirs(d: ServiceDirs, user?: PodmanUser): void {
  for (const dir of [d.base, d.root, d.runroot, d.tmp, d.xdg, d.config]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (user) fs.chownSync(dir, user.uid, user.gid);
  }
  fs.writeFileSync(d.conf, containersConf(), { mode: 0o644 });
}

async function startService(rootless: boolean): Promise<Service> {
  const user = rootless ? rootlessUser() : undefined;
  const d = serviceDirs(serviceBase(journal().id, user));
  const res: Resource = { kind: 'podman', what: 'service', base: d.base, ...(user ? { user: user.name } : {}) };
  const intent = intend(res);
  let pid = 0;
  const stop = own(intent, `podman service ${d.base}`, () => stopService(d, pid, user), { independent: true });
  try {
    makeDirs(d, user);
    const log = fs.openSync(d.log, 'a', 0o644);
    const argv = asUser(['podman', ...globalFlags(d), 'system', 'service', '--time=0', `unix://${d.socket}`], user);
    // Its own process group: a Ctrl-C reaches the run, whose cleanup stops the service after its containers.
    // cwd: its directory, since conmon writes an "oom" file into the cwd it inherits when a container is OOM-killed.
    const child = spawn(argv[0], argv.slice(1), { cwd: d.base, env: serviceEnv(d, user), stdio: ['ignore', log, log], detached: true });
    fs.closeSync(log);
    child.unref();
    pid = child.pid ?? 0;
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, sig) => resolve(sig ? `killed by ${sig}` : `exited with ${code}`));
      child.once('error', (e) => resolve(e.message));
    });
    // The process group the reaper of a killed run ends (./clean.ts).
    if (pid > 0) fs.writeFileSync(path.join(d.base, 'service.json'), JSON.stringify({ pgid: pid }));
    const client = new Dockerode({ socketPath: d.socket });
    await waitReady(client, d, exited);
    return { socket: d.socket, dirs: d, pid, user, client };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

/** The first ping answered, within SERVICE_START_MS; a service that exits or stays silent is one line. */
async function waitReady(client: Dockerode, d: ServiceDirs, exited: Promise<string>): Promise<void> {
  let gone: string | null = null;
  void exited.then((why) => {
    gone = why;
  });
  const deadline = Date.now() + SERVICE_START_MS;
  for (;;) {
    if (gone) throw new EnvError(`podman system service ${gone}: ${logTail(d.log)}`);
    const ok =
      fs.existsSync(d.socket) &&
      (await Promise.race([
        client.ping().then(
          () => true,
          () => false,
        ),
        sleep(2000).then(() => false),
      ]));
    if (ok) return;
    if (Date.now() > deadline)
      throw new EnvError(`podman system service on ${d.socket} did not answer within ${secondsText(SERVICE_START_MS)}: ${logTail(d.log)}`);
    await sleep(100);
  }
}

function logTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ') || 'no message';
  } catch {
    return 'no log';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to the service isoprobe started (its start time checked), SIGKILL past the bound, then its storage wiped. */
async function stopService(d: ServiceDirs, pid: number, user?: PodmanUser): Promise<void> {
  await terminate(pid, d.base);
  const left = wipeService(d, user);
  if (left.length > 0) throw new Error(`podman service ${d.base}: ${left.join('; ')}`);
}

/**
 * Ends the service: every process of the group it was started in whose command line names its
 * directory (rootless Podman re-executes itself in the user's namespace, and the process isoprobe
 * started exits, leaving its child in that group). The directory in the command line tells a
 * reused process-group id from ours.
 */
export async function terminate(pgid: number, base: string): Promise<void> {
  if (pgid <= 0) return;
  const members = () => groupMembers(pgid, base);
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of members()) {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  signal('SIGTERM');
  for (const deadline = Date.now() + SERVICE_STOP_MS; members().length > 0 && Date.now() < deadline; ) await sleep(50);
  signal('SIGKILL');
  for (const deadline = Date.now() + 2000; members().length > 0 && Date.now() < deadline; ) await sleep(20);
}

/** Live processes of process group `pgid` whose command line names `base` (zombies have none). */
export function groupMembers(pgid: number, base: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 5 is the process group; the comm before it may hold spaces, so count after its ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(base)) out.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}
