/**
 * Podman as a target, through its Docker-compatible API (dockerode), on a service isoprobe starts
 * (./service.ts) or one the config names. The container's life is Docker's
 * (../common/engine-api/session.ts): created, attached, started, held while the host observes
 * it, released, waited for, removed; the probe image is built by the service from the project's
 * binaries.
 */
import path from 'node:path';
import Dockerode from 'dockerode';
import type { CgroupLayout } from '../../host/cgroup.js';
import { journal } from '../../host/journal.js';
import { readMountinfo } from '../../host/proc.js';
import type { Resource } from '../../model/journal.js';
import type { ContainerSpec, RunOutcome } from '../../model/spec.js';
import { SCRATCH_DIR, type ProbeFiles, type RunHooks, type Target } from '../../model/target.js';
import { api, daemonMessage, type Daemon } from '../common/engine-api/errors.js';
import { ensureProbeImage, LABEL } from '../common/engine-api/image.js';
import { OWNER_LABEL, RUN_LABEL } from '../common/engine-api/labels.js';
import { startSession } from '../common/engine-api/session.js';
import { withStartSlot } from '../common/engine-api/start-slots.js';
import { runLifecycle } from '../common/lifecycle.js';
import { holdProbe } from '../common/observe.js';
import { podmanCreate, type PodmanAsk } from './create.js';
import { podmanDeclaredSeccomp } from './seccomp-profile.js';
import { ensureService } from './service.js';

export const PODMAN_ENGINE = { name: 'Podman service', process: 'podman system service', word: 'podman' };

export interface PodmanOptions {
  /** A service the config names (used as it is, never started or stopped), else isoprobe's own. */
  socket?: string;
  cgroups: CgroupLayout;
  files: ProbeFiles;
  ask: PodmanAsk;
  timeoutMs?: number;
  observe?: boolean;
}

interface Connected {
  client: Dockerode;
  socket: string;
  /** The service's directory when isoprobe started it (the journal names its containers with it). */
  base?: string;
}

let containerSeq = 0;

export class PodmanTarget implements Target {
  readonly runtime = 'podman';
  readonly provides = ['container', 'reference', 'sentinels', 'observed', 'after', 'enforcement', 'siblings'] as const;
  /** Podman has no time namespace option; it applies no LSM profile where none is enabled (none here). */
  readonly capabilities = { timeOffsets: false, lsmProfile: { applied: true as const } };
  private connected: Promise<Connected> | null = null;
  private prepared: Promise<Record<string, string>> | null = null;

  constructor(
    readonly name: string,
    private readonly opts: PodmanOptions,
  ) {}

  private connect(): Promise<Connected> {
    this.connected ??= (async () => {
      if (this.opts.socket) {
        return { client: new Dockerode({ socketPath: this.opts.socket }), socket: this.opts.socket };
      }
      const s = await ensureService(this.opts.ask.rootless);
      return { client: s.client, socket: s.socket, base: s.dirs.base };
    })();
    return this.connected;
  }

  private daemon(socket: string): Daemon {
    return { target: this.name, socket, engine: PODMAN_ENGINE };
  }

  async info(): Promise<Record<string, string>> {
    return { ...(await this.prepare()) };
  }

  private prepare(): Promise<Record<string, string>> {
    this.prepared ??= (async () => {
      const c = await this.connect();
      const d = this.daemon(c.socket);
      await api(d, 'ping', () => c.client.ping());
      const info: Record<string, string> = {
        runtime: 'podman',
        cgroupMode: this.opts.cgroups.mode,
        socket: c.socket,
        service: c.base ? `started by isoprobe (${c.base})` : 'named by the config (not started or stopped by isoprobe)',
      };
      try {
        Object.assign(info, await serviceInfoOnce(c.client, d));
      } catch (e) {
        info.serviceInfo = `unavailable: ${daemonMessage(e)}`;
      }
      const { hostConfig, container } = this.opts.ask;
      if (hostConfig) info.hostConfig = JSON.stringify(hostConfig);
      if (container) info.container = JSON.stringify(container);
      return info;
    })();
    return this.prepared;
  }

  async run(spec: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    await this.prepare();
    const c = await this.connect();
    const d = this.daemon(c.socket);
    const image = await ensureProbeImage(c.client, this.opts.files, d);
    const name = `isoprobe-${process.pid}-${journal().id}-${++containerSeq}-${this.name}`;
    const labels = { [LABEL]: '1', [OWNER_LABEL]: String(process.pid), [RUN_LABEL]: journal().id, 'isoprobe.target': this.name };
    const create = podmanCreate(spec, holdProbe(spec.argv), this.opts.ask, { name, image, labels });
    const resource: Resource | undefined = c.base ? { kind: 'podman', what: 'container', name, run: journal().id, base: c.base } : undefined;
    return runLifecycle(
      async () => {
        const held = await withStartSlot(c.socket, () =>
          startSession(c.client, create, {
            target: this.name,
            socket: c.socket,
            timeoutMs: this.opts.timeoutMs ?? 60_000,
            run: journal().id,
            engine: PODMAN_ENGINE,
            rawAttach: true,
            ...(resource ? { resource } : {}),
          }),
        );
        const root = held.upperDir ?? (held.pid > 0 ? bindRootOnHost(held.pid) : null);
        return { ...held, ref: name, scratch: root ? path.join(root, SCRATCH_DIR) : null };
      },
      {
        cgroups: this.opts.cgroups,
        observe: this.opts.observe,
        hooks,
        declaredSeccomp: podmanDeclaredSeccomp((create.HostConfig ?? {}) as Record<string, unknown>),
      },
    );
  }
}

/**
 * The container's root as a host directory when it is a bind of one (rootless Podman's vfs storage
 * has no overlay upper dir): the root of the container's "/" mount, if that mount is of the
 * filesystem the host has at "/" from its own root. Else null (the created files are then not seen).
 */
export function bindRootOnHost(pid: number): string | null {
  try {
    const inside = readMountinfo('/proc', pid).find((m) => m.mountPoint === '/');
    const host = readMountinfo('/proc', 'self').find((m) => m.mountPoint === '/');
    if (!inside || !host || host.root !== '/' || inside.major !== host.major || inside.minor !== host.minor || inside.fsType === 'overlay') return null;
    return inside.root;
  } catch {
    return null;
  }
}

interface LibpodInfo {
  host?: {
    cgroupManager?: string;
    cgroupVersion?: string;
    ociRuntime?: { name?: string; path?: string; version?: string };
    security?: { rootless?: boolean; seccompEnabled?: boolean; apparmorEnabled?: boolean; selinuxEnabled?: boolean };
    networkBackend?: string;
  };
  store?: { graphDriverName?: string; graphRoot?: string; runRoot?: string };
  version?: { Version?: string; APIVersion?: string };
}

/** Asked once per service: libpod's info walks its storage, and a run's podman targets all ask at once. */
const infos = new Map<string, Promise<Record<string, string>>>();

function serviceInfoOnce(client: Dockerode, d: Daemon): Promise<Record<string, string>> {
  let p = infos.get(d.socket);
  if (!p) {
    p = serviceInfo(client, d);
    infos.set(d.socket, p);
  }
  return p;
}

/** Podman's own account of itself (its libpod info endpoint): version, OCI runtime, rootless, cgroup manager, storage. */
async function serviceInfo(client: Dockerode, d: Daemon): Promise<Record<string, string>> {
  const i = await api(
    d,
    'info',
    () =>
      new Promise<LibpodInfo>((resolve, reject) =>
        client.modem.dial({ path: '/v4.0.0/libpod/info', method: 'GET', statusCodes: { 200: true }, options: {} }, (err: unknown, data: unknown) =>
          err ? reject(err) : resolve(data as LibpodInfo),
        ),
      ),
  );
  const oci = i.host?.ociRuntime;
  return {
    engine: `Podman ${i.version?.Version ?? '?'} (API ${i.version?.APIVersion ?? '?'})`,
    ociRuntime: `${oci?.name ?? '?'} (${oci?.path ?? '?'}): ${(oci?.version ?? '').split('\n')[0]}`,
    rootless: String(i.host?.security?.rootless ?? '?'),
    cgroupManager: String(i.host?.cgroupManager ?? '?'),
    cgroupVersion: String(i.host?.cgroupVersion ?? '?'),
    networkBackend: String(i.host?.networkBackend ?? '?'),
    storageDriver: String(i.store?.graphDriverName ?? '?'),
    graphRoot: String(i.store?.graphRoot ?? '?'),
    security: `seccomp ${i.host?.security?.seccompEnabled ?? '?'}, apparmor ${i.host?.security?.apparmorEnabled ?? '?'}, selinux ${i.host?.security?.selinuxEnabled ?? '?'}`,
  };
}
