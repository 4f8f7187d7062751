/**
 * Docker as a driver: the daemon's defaults unless the config asks (targets/docker/host-config.ts
 * translates only what the spec changes), and a raw HostConfig passed through.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import type { TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import { baseSpec, describeBase, pivotRootOnly, rawObject, targetSchema } from '../common/config.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { cleanDocker } from './clean.js';
import { DOCKER_SOCKET, dockerClient, pingDaemon } from './daemon.js';
import { DockerTarget } from './docker.js';
import { weakenings } from './weakenings.js';

/** Docker can share these with the host (PidMode, NetworkMode, IpcMode, UTSMode, CgroupnsMode, UsernsMode); never mnt or time. */
export const DOCKER_SHAREABLE = ['pid', 'net', 'ipc', 'uts', 'cgroup', 'user'] as const;

/** Each Docker API call of clean, bounded: a forced removal takes seconds, a hung daemon forever. */
const CLEAN_REQUEST_TIMEOUT_MS = 60_000;

const config = targetSchema('docker', {
  share: z.array(z.enum(DOCKER_SHAREABLE)).default([]),
  rootChange: pivotRootOnly,
  /** Raw Docker HostConfig fields (PascalCase, as the Engine API spells them) over the translated ones. */
  hostConfig: rawObject
    .refine(
      (o) => Object.keys(o).every((k) => /^[A-Z]/.test(k)),
      'HostConfig field names are PascalCase, as the Docker Engine API spells them (e.g. "PidMode")',
    )
    .optional(),
  /** A runtime registered with dockerd (HostConfig.Runtime), e.g. "crun". */
  dockerRuntime: z.string().min(1).optional(),
});

export type DockerTargetConfig = z.infer<typeof config>;

export const docker: TargetDriver<DockerTargetConfig> = {
  kind: 'docker',
  config,
  shorthands: { docker: { name: 'docker', runtime: 'docker' } },
  delivery: 'image',
  weakenings,
  async preflight(cfgs) {
    if (cfgs.length > 0) await pingDaemon(dockerClient(DOCKER_SOCKET), DOCKER_SOCKET);
  },
  create(cfg, ctx) {
    // A last guard: preflight asks the daemon itself, before the run starts anything.
    if (!fs.existsSync(DOCKER_SOCKET)) throw new EnvError(`no Docker daemon at ${DOCKER_SOCKET} (start dockerd)`);
    const cgroups = detectCgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    return new DockerTarget(cfg.name, {
      docker: dockerClient(DOCKER_SOCKET),
      socketPath: DOCKER_SOCKET,
      cgroups,
      files: projectProbeFiles(),
      hostConfig: cfg.hostConfig,
      dockerRuntime: cfg.dockerRuntime,
      observe: ctx.observe,
    });
  },
  spec: baseSpec,
  describe(cfg) {
    // Namespaces, root change, capabilities and seccomp profile are the daemon's own unless changed;
    // the limits and no-new-privileges are asked for (host-config.ts translateHostConfig).
    return [
      ...describeBase(cfg, {
        share: 'runtime default',
        root: 'runtime default',
        caps: 'runtime default',
        limits: 'isoprobe',
        seccomp: 'runtime default',
        'no-new-privs': 'isoprobe',
      }),
      ...(cfg.hostConfig ? [{ setting: 'hostConfig', value: JSON.stringify(cfg.hostConfig), source: 'user config' as const }] : []),
      ...(cfg.dockerRuntime ? [{ setting: 'dockerRuntime', value: cfg.dockerRuntime, source: 'user config' as const }] : []),
    ];
  },
  clean(ctx) {
    return cleanDocker(dockerClient(DOCKER_SOCKET, CLEAN_REQUEST_TIMEOUT_MS), {
      socketPath: DOCKER_SOCKET,
      imagesInUse: ctx.inUse,
      entries: ctx.entries,
      shared: ctx.shared,
      keep: ctx.keep,
    });
  },
};
