/**
 * Docker as a driver: Docker as its users run it. isoprobe sends what observation needs
 * (../common/engine-api/host-config.ts); namespaces, capabilities, seccomp, limits and no-new-privileges are the
 * daemon's defaults unless the config asks: the common options, `"request": "profile"` (what the
 * run's profile needs that Docker can express), and raw HostConfig and container fields.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import type { TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import { PROFILE_NEEDS, type ProfileNeeds } from '../../model/profile-needs.js';
import type { Profile } from '../../model/results.js';
import { capNames, CAP_NAMES, parseStatus } from '../../model/parse/status.js';
import { baseSpec, describeBase, pivotRootOnly, rawObject, targetSchema } from '../common/config.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { cleanDocker } from '../common/engine-api/clean.js';
import { dockerClient, dockerSocket, pingDaemon, registeredRuntimes } from './daemon.js';
import { unregisteredRuntime } from '../common/gvisor.js';
import { DockerTarget } from './docker.js';
import { dockerCreate, OWNED_CONTAINER_FIELDS, type DockerAsk } from '../common/engine-api/host-config.js';
import { parseDockerRequest, userFields } from '../common/engine-api/request.js';
import { weakenings } from './weakenings.js';

/** Docker can share these with the host (PidMode, NetworkMode, IpcMode, UTSMode, CgroupnsMode, UsernsMode); never mnt or time. */
export const DOCKER_SHAREABLE = ['pid', 'net', 'ipc', 'uts', 'cgroup', 'user'] as const;

/** Each Docker API call of clean, bounded: a forced removal takes seconds, a hung daemon forever. */
const CLEAN_REQUEST_TIMEOUT_MS = 60_000;

const pascalCase = (what: string) =>
  rawObject.refine(
    (o) => Object.keys(o).every((k) => /^[A-Z]/.test(k)),
    `${what} field names are PascalCase, as the Docker Engine API spells them (e.g. "PidMode")`,
  );

const config = targetSchema('docker', {
  share: z.array(z.enum(DOCKER_SHAREABLE)).default([]),
  rootChange: pivotRootOnly,
  /** "profile": ask for everything the run's profile needs that Docker can express (model/profile-needs.ts). */
  request: z.literal('profile').optional(),
  /** Raw Docker HostConfig fields (PascalCase, as the Engine API spells them) over the translated ones. */
  hostConfig: pascalCase('HostConfig').optional(),
  /** Raw container Config fields (User, Hostname, ...) over isoprobe's; the probe's own (Image, Cmd, stdin) cannot be changed. */
  container: pascalCase('container Config')
    .refine((o) => !Object.keys(o).some((k) => OWNED_CONTAINER_FIELDS.includes(k)), {
      message: `the container fields ${OWNED_CONTAINER_FIELDS.join(', ')} are isoprobe's (the probe, its command and its held stdin)`,
    })
    .optional(),
  /** The daemon's unix socket; default DOCKER_HOST (unix:///path), else /var/run/docker.sock. */
  socket: z.string().startsWith('/', "an absolute path to the daemon's unix socket").optional(),
  /** A runtime registered with dockerd (HostConfig.Runtime), e.g. "crun". */
  dockerRuntime: z.string().min(1).optional(),
  /** Docker has no container: mode for UTS (../common/engine-api/host-config.ts siblingModes). */
  joinSibling: z
    .array(z.enum(['pid', 'ipc', 'net'], { error: "Docker can join a sibling's pid, ipc and net namespaces only (no container: mode for UTS)" }))
    .min(1)
    .optional(),
});

export type DockerTargetConfig = z.infer<typeof config>;

/** What the target asks for the run's profile: nothing unless its config says `"request": "profile"`. */
function needsOf(cfg: DockerTargetConfig, profile: Profile | undefined): ProfileNeeds {
  return cfg.request === 'profile' && profile ? PROFILE_NEEDS[profile] : {};
}

/** Capabilities outside the harness's bounding set: "all" cannot include them (CAP_SYS_RESOURCE on the project's VM). */
function missingCaps(): string[] {
  const have = new Set(capNames(parseStatus(fs.readFileSync('/proc/self/status', 'utf8')).capBnd));
  return CAP_NAMES.filter((c) => !have.has(c));
}

/** Everything the create request depends on besides the spec. */
export function dockerAsk(cfg: DockerTargetConfig, profile: Profile | undefined, missing: string[] = missingCaps()): DockerAsk {
  return {
    missingCaps: missing,
    needs: needsOf(cfg, profile),
    user: { noNewPrivs: cfg.noNewPrivs, limits: cfg.limits },
    hostConfig: cfg.hostConfig,
    container: cfg.container,
    dockerRuntime: cfg.dockerRuntime,
  };
}

/** The profile needs Docker has no way to be asked for (a reader sees what `"request": "profile"` could not ask). */
const NOT_EXPRESSIBLE: readonly string[] = ['ns.user', 'ns.time', 'timeOffsets'];

export const docker: TargetDriver<DockerTargetConfig> = {
  kind: 'docker',
  config,
  shorthands: { docker: { name: 'docker', runtime: 'docker' }, 'docker-runsc': { name: 'docker-runsc', runtime: 'docker', dockerRuntime: 'runsc' } },
  delivery: 'image',
  weakenings,
  async preflight(cfgs) {
    for (const socket of new Set(cfgs.map((c) => dockerSocket(c.socket)))) await pingDaemon(dockerClient(socket), socket);
    for (const c of cfgs.filter((x) => x.dockerRuntime !== undefined)) {
      const socket = dockerSocket(c.socket);
      const registered = await registeredRuntimes(dockerClient(socket), socket);
      if (!registered.includes(c.dockerRuntime!)) throw new EnvError(unregisteredRuntime(`dockerd at ${socket}`, c.dockerRuntime!, c.name, registered));
    }
  },
  create(cfg, ctx) {
    const socket = dockerSocket(cfg.socket);
    // A last guard: preflight asks the daemon itself, before the run starts anything.
    if (!fs.existsSync(socket)) throw new EnvError(`no Docker daemon at ${socket} (start dockerd)`);
    const cgroups = detectCgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    return new DockerTarget(cfg.name, {
      docker: dockerClient(socket),
      socketPath: socket,
      cgroups,
      files: projectProbeFiles(),
      ask: dockerAsk(cfg, ctx.profile),
      observe: ctx.observe,
    });
  },
  spec(cfg, argv, profile) {
    // The limits and no_new_privs the config or the profile asks for; none otherwise (the daemon's default).
    const needs = needsOf(cfg, profile);
    const base = baseSpec(cfg, argv);
    const limits = cfg.limits === 'none' || needs['limits.pids'] === undefined ? {} : base.limits;
    const hostname = typeof cfg.container?.Hostname === 'string' ? cfg.container.Hostname : '';
    return { ...base, limits, noNewPrivs: cfg.noNewPrivs ?? needs.noNewPrivs ?? false, hostname };
  },
  request(cfg, spec, profile) {
    const create = dockerCreate(spec, spec.argv, dockerAsk(cfg, profile), { name: 'request', image: 'probe', labels: {} });
    return parseDockerRequest(create, userFields(cfg, cfg.hostConfig, cfg.container)).request;
  },
  describe(cfg) {
    // What nobody asks for is the daemon's; "request": "profile" makes isoprobe ask for the limits and no-new-privileges.
    const asked = cfg.request === 'profile' ? ('isoprobe' as const) : ('runtime default' as const);
    const rows = describeBase(cfg, {
      share: 'runtime default',
      root: 'runtime default',
      caps: 'runtime default',
      limits: asked,
      seccomp: 'runtime default',
      'no-new-privs': asked,
    });
    const nnp = rows.find((r) => r.setting === 'no-new-privs')!;
    if (cfg.noNewPrivs === undefined) nnp.value = cfg.request === 'profile' ? 'profile' : 'default';
    const limits = rows.find((r) => r.setting === 'limits')!;
    if (cfg.limits === 'default' && cfg.request === 'profile') limits.value = 'profile';
    const user = (setting: string, value: string) => ({ setting, value, source: 'user config' as const });
    return [
      ...rows,
      ...(cfg.request ? [user('request', `${cfg.request} (not expressible by Docker: ${NOT_EXPRESSIBLE.join(', ')})`)] : []),
      ...(cfg.hostConfig ? [user('hostConfig', JSON.stringify(cfg.hostConfig))] : []),
      ...(cfg.container ? [user('container', JSON.stringify(cfg.container))] : []),
      ...(cfg.socket ? [user('socket', cfg.socket)] : []),
      ...(cfg.dockerRuntime ? [user('dockerRuntime', cfg.dockerRuntime)] : []),
    ];
  },
  clean(ctx) {
    const socket = dockerSocket();
    return cleanDocker(dockerClient(socket, CLEAN_REQUEST_TIMEOUT_MS), {
      socketPath: socket,
      imagesInUse: ctx.inUse,
      entries: ctx.entries,
      shared: ctx.shared,
      keep: ctx.keep,
    });
  },
};
