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
import type { Profile } from '../../model/results.js';
import { pivotRootOnly, targetSchema } from '../common/config.js';
import { readSeccompProfileFile } from '../common/seccomp-file.js';
import { containerFields, engineSettings, engineSpec, missingCaps, needsOf, pascalCase, userSetting } from '../common/engine-api/driver-parts.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { cleanDocker } from '../common/engine-api/clean.js';
import { dockerClient, dockerSocket, pingDaemon, registeredRuntimes } from './daemon.js';
import { unregisteredRuntime } from '../common/gvisor.js';
import { DockerTarget } from './docker.js';
import { dockerCreate, type DockerAsk } from '../common/engine-api/host-config.js';
import { parseDockerRequest, userFields } from '../common/engine-api/request.js';
import { weakenings } from './weakenings.js';

/** Docker can share these with the host (PidMode, NetworkMode, IpcMode, UTSMode, CgroupnsMode, UsernsMode); never mnt or time. */
export const DOCKER_SHAREABLE = ['pid', 'net', 'ipc', 'uts', 'cgroup', 'user'] as const;

/** Each Docker API call of clean, bounded: a forced removal takes seconds, a hung daemon forever. */
const CLEAN_REQUEST_TIMEOUT_MS = 60_000;

const API = 'the Docker Engine API';

const config = targetSchema('docker', {
  share: z.array(z.enum(DOCKER_SHAREABLE)).default([]),
  rootChange: pivotRootOnly,
  /** "profile": ask for everything the run's profile needs that Docker can express (model/profile-needs.ts). */
  request: z.literal('profile').optional(),
  /** Raw Docker HostConfig fields (PascalCase, as the Engine API spells them) over the translated ones. */
  hostConfig: pascalCase('HostConfig', API).optional(),
  /** Raw container Config fields (User, Hostname, ...) over isoprobe's; the probe's own (Image, Cmd, stdin) cannot be changed. */
  container: containerFields(API).optional(),
  /** The daemon's unix socket; default DOCKER_HOST (unix:///path), else /var/run/docker.sock. */
  socket: z.string().startsWith('/', "an absolute path to the daemon's unix socket").optional(),
  /** A runtime registered with dockerd (HostConfig.Runtime), e.g. "crun". */
  dockerRuntime: z.string().min(1).optional(),
  /** A seccomp profile file, sent as `SecurityOpt seccomp=<its JSON>` (docker run --security-opt seccomp=FILE). */
  seccompProfile: z.string().min(1).optional(),
  /** Docker has no container: mode for UTS (../common/engine-api/host-config.ts siblingModes). */
  joinSibling: z
    .array(z.enum(['pid', 'ipc', 'net'], { error: "Docker can join a sibling's pid, ipc and net namespaces only (no container: mode for UTS)" }))
    .min(1)
    .optional(),
});

export type DockerTargetConfig = z.infer<typeof config>;

/** Everything the create request depends on besides the spec. */
export function dockerAsk(cfg: DockerTargetConfig, profile: Profile | undefined, missing: string[] = missingCaps()): DockerAsk {
  return {
    missingCaps: missing,
    needs: needsOf(cfg, profile),
    user: { noNewPrivs: cfg.noNewPrivs, limits: cfg.limits },
    hostConfig: withSeccompProfile(cfg),
    container: cfg.container,
    dockerRuntime: cfg.dockerRuntime,
  };
}

/** The user's hostConfig with the named profile file's JSON as its seccomp security option. */
function withSeccompProfile(cfg: DockerTargetConfig): DockerTargetConfig['hostConfig'] {
  if (!cfg.seccompProfile) return cfg.hostConfig;
  const profile = JSON.stringify(readSeccompProfileFile(cfg.seccompProfile, cfg.name));
  const opts = ((cfg.hostConfig?.SecurityOpt as unknown[] | undefined) ?? []).map(String).filter((o) => !/^seccomp[=:]/.test(o));
  return { ...cfg.hostConfig, SecurityOpt: [...opts, `seccomp=${profile}`] };
}

export const docker: TargetDriver<DockerTargetConfig> = {
  kind: 'docker',
  config,
  shorthands: { docker: { name: 'docker', runtime: 'docker' }, 'docker-runsc': { name: 'docker-runsc', runtime: 'docker', dockerRuntime: 'runsc' } },
  delivery: 'image',
  weakenings,
  async preflight(cfgs) {
    for (const c of cfgs) if (c.seccompProfile) readSeccompProfileFile(c.seccompProfile, c.name);
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
    return engineSpec(cfg, argv, profile);
  },
  request(cfg, spec, profile) {
    const create = dockerCreate(spec, spec.argv, dockerAsk(cfg, profile), { name: 'request', image: 'probe', labels: {} });
    return parseDockerRequest(create, userFields(cfg, withSeccompProfile(cfg), cfg.container)).request;
  },
  describe(cfg) {
    const { base, asked } = engineSettings(cfg, 'Docker');
    return [
      ...base,
      ...asked,
      ...(cfg.dockerRuntime ? [userSetting('dockerRuntime', cfg.dockerRuntime)] : []),
      ...(cfg.seccompProfile ? [userSetting('seccompProfile', cfg.seccompProfile)] : []),
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
