/**
 * Docker (through dockerode, never the CLI) as a target. Docker cannot hold a container between
 * set-up and exec, so the probe holds itself (`facts --wait-stdin`) while the host observes it
 * through the pid inspect reports; the files it created are read from the overlay upper dir
 * before the container is removed.
 */
import path from 'node:path';
import type Dockerode from 'dockerode';
import type { ContainerSpec, RunOutcome } from '../../model/spec.js';
import type { CgroupLayout } from '../../host/cgroup.js';
import { GVISOR_OWN_KERNEL, GVISOR_PROVIDES, isRunscRuntime } from '../common/gvisor.js';
import { observeBootedSandbox, withSandbox } from '../common/gvisor-sandbox.js';
import { type LifecycleOptions, runLifecycle } from '../common/lifecycle.js';
import { dockerDeclaredSeccomp } from './seccomp-profile.js';
import type { EvidenceKind } from '../../model/evidence.js';
import type { SandboxFacts } from '../../model/sandbox.js';
import { holdProbe } from '../common/observe.js';
import { SCRATCH_DIR, TargetError, type ProbeFiles, type RunHooks, type Target, type TargetCapabilities } from '../../model/target.js';
import { daemonDefaults, daemonInfo } from './daemon.js';
import { OWNER_LABEL, RUN_LABEL } from '../common/engine-api/labels.js';
import { journal } from '../../host/journal.js';
import { api, daemonMessage, type Daemon } from '../common/engine-api/errors.js';
import { dockerCreate, type DockerAsk } from '../common/engine-api/host-config.js';
import { parseDockerRequest } from '../common/engine-api/request.js';
import { ensureProbeImage, LABEL } from '../common/engine-api/image.js';
import { startSession } from '../common/engine-api/session.js';
import { withStartSlot } from '../common/engine-api/start-slots.js';

export interface DockerOptions {
  docker: Dockerode;
  socketPath: string;
  cgroups: CgroupLayout;
  /** The project's binaries, built into the probe image (../common/engine-api/image.ts). */
  files: ProbeFiles;
  /** What the config asks for besides the spec, its raw HostConfig and container fields among it (./driver.ts). */
  ask: DockerAsk;
  timeoutMs?: number;
  /** Host-side observation (targets/common/lifecycle.ts); default true. */
  observe?: boolean;
}

let containerSeq = 0;

const DOCKER_PROVIDES = ['container', 'reference', 'sentinels', 'observed', 'after', 'enforcement', 'siblings'] as const;

export class DockerTarget implements Target {
  readonly runtime = 'docker';
  /** With runsc as its runtime, the pid Docker reports is gVisor's Sentry (targets/common/gvisor.ts). */
  get provides(): readonly EvidenceKind[] {
    return isRunscRuntime(this.opts.ask.dockerRuntime) ? GVISOR_PROVIDES : DOCKER_PROVIDES;
  }
  /** No Docker release can be asked for time namespace offsets. */
  /** dockerd applies docker-default (or the SELinux container type) unless told otherwise. */
  get capabilities(): TargetCapabilities {
    const base = { timeOffsets: false, lsmProfile: { applied: true as const } };
    return isRunscRuntime(this.opts.ask.dockerRuntime) ? { ...base, ownKernel: GVISOR_OWN_KERNEL } : base;
  }
  private prepared: Promise<Record<string, string>> | null = null;

  constructor(
    readonly name: string,
    private readonly opts: DockerOptions,
  ) {}

  async info(): Promise<Record<string, string>> {
    const info = { ...(await this.prepare()) };
    const { hostConfig, container, dockerRuntime } = this.opts.ask;
    if (hostConfig) info.hostConfig = JSON.stringify(hostConfig);
    if (container) info.container = JSON.stringify(container);
    if (dockerRuntime) info.dockerRuntime = dockerRuntime;
    // What the request (../common/engine-api/request.ts) leaves out rather than guess: a user or group name the image resolves.
    const { unparsed } = parseDockerRequest({ ...container, HostConfig: hostConfig ?? {} }, new Set());
    if (unparsed.length > 0) info.notParsed = `${unparsed.join('; ')} (left out of the request, never guessed)`;
    return info;
  }

  async run(spec: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    const daemon = await this.prepare();
    const rt = this.opts.ask.dockerRuntime;
    if (rt && daemon.runtimes !== undefined && !daemon.runtimes.split(', ').includes(rt)) {
      throw new TargetError(this.name, `runtime "${rt}" is not registered with dockerd (registered: ${daemon.runtimes})`);
    }
    const image = await ensureProbeImage(this.opts.docker, this.opts.files, this.daemon);
    const create = dockerCreate(spec, holdProbe(spec.argv), this.opts.ask, { name: this.containerName(), image, labels: this.labels() });
    const declared = isRunscRuntime(rt) ? undefined : dockerDeclaredSeccomp((create.HostConfig ?? {}) as Record<string, unknown>, daemon.engine);
    return this.execute(create, hooks, declared);
  }

  private get daemon(): Daemon {
    return { target: this.name, socket: this.opts.socketPath };
  }

  /** isoprobe-<our pid>-<run id>-<seq>-<target>: unique, and tells people whose it is (the journal tells the reaper). */
  private containerName(suffix?: string): string {
    return `isoprobe-${process.pid}-${journal().id}-${++containerSeq}-${this.name}${suffix ? `-${suffix}` : ''}`;
  }

  private labels(): Record<string, string> {
    return { [LABEL]: '1', [OWNER_LABEL]: String(process.pid), [RUN_LABEL]: journal().id, 'isoprobe.target': this.name };
  }

  /**
   * The daemon answers (else this target is an error, ../common/engine-api/errors.ts names the daemon and the call).
   * Nothing else here rejects: other problems are shown in the info and met again by run().
   */
  private prepare(): Promise<Record<string, string>> {
    this.prepared ??= (async () => {
      const d = this.daemon;
      await api(d, 'ping', () => this.opts.docker.ping());
      const info: Record<string, string> = { runtime: 'docker', cgroupMode: this.opts.cgroups.mode, socket: this.opts.socketPath };
      const [daemon, defaults] = await Promise.allSettled([
        daemonInfo(this.opts.docker, d),
        ensureProbeImage(this.opts.docker, this.opts.files, d).then((image) =>
          daemonDefaults(this.opts.docker, d, image, this.containerName('defaults'), this.labels()),
        ),
      ]);
      if (daemon.status === 'fulfilled') Object.assign(info, daemon.value);
      else info.daemonInfo = `unavailable: ${daemonMessage(daemon.reason)}`;
      if (defaults.status === 'fulfilled') Object.assign(info, defaults.value);
      else info.daemonDefaults = `unavailable: ${daemonMessage(defaults.reason)}`;
      return info;
    })();
    return this.prepared;
  }

  private async execute(
    create: Dockerode.ContainerCreateOptions,
    hooks: RunHooks | undefined,
    declaredSeccomp: LifecycleOptions['declaredSeccomp'],
  ): Promise<RunOutcome> {
    let sandbox: SandboxFacts | null = null;
    const outcome = await runLifecycle(
      async () => {
        const c = await withStartSlot(this.opts.socketPath, () =>
          startSession(this.opts.docker, create, {
            target: this.name,
            socket: this.opts.socketPath,
            timeoutMs: this.opts.timeoutMs ?? 60_000,
            run: journal().id,
          }),
        );
        if (isRunscRuntime(this.opts.ask.dockerRuntime) && (this.opts.observe ?? true)) sandbox = await observeBootedSandbox(c.pid);
        // The writable layer as the host sees it: who owns what root created in /scratch.
        return { ...c, ref: create.name, scratch: c.upperDir ? path.join(c.upperDir, SCRATCH_DIR) : null };
      },
      { cgroups: this.opts.cgroups, observe: this.opts.observe, hooks, declaredSeccomp },
    );
    return withSandbox(outcome, sandbox);
  }
}
