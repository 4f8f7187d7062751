/**
 * Docker as a driver: the daemon's defaults unless the config asks (targets/docker/host-config.ts
 * translates only what the spec changes), and a raw HostConfig passed through.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import type { TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import { baseSpec, describeBase, pivotRootOnly, rawObject, requestFromSpec, targetSchema } from '../common/config.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { cleanDocker } from './clean.js';
import { dockerClient, dockerSocket, pingDaemon } from './daemon.js';
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
  /** The daemon's unix socket; default DOCKER_HOST (unix:///path), else /var/run/docker.sock. */
  socket: z.string().startsWith('/', "an absolute path to the daemon's unix socket").optional(),
  /** A runtime registered with dockerd (HostConfig.Runtime), e.g. "crun". */
  dockerRuntime: z.string().min(1).optional(),
  /** Docker has no container: mode for UTS (./host-config.ts siblingModes). */
  joinSibling: z
    .array(z.enum(['pid', 'ipc', 'net'], { error: "Docker can join a sibling's pid, ipc and net namespaces only (no container: mode for UTS)" }))
    .min(1)
    .optional(),
});

export type DockerTargetConfig = z.infer<typeof config>;

export const docker: TargetDriver<DockerTargetConfig> = {
  kind: 'docker',
  config,
  shorthands: { docker: { name: 'docker', runtime: 'docker' } },
  delivery: 'image',
  weakenings,
  async preflight(cfgs) {
    for (const socket of new Set(cfgs.map((c) => dockerSocket(c.socket)))) await pingDaemon(dockerClient(socket), socket);
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
      hostConfig: cfg.hostConfig,
      dockerRuntime: cfg.dockerRuntime,
      observe: ctx.observe,
    });
  },
  spec: baseSpec,
  request(cfg, spec) {
    // Provisional: namespaces only where shared, limits and no-new-privileges as translateHostConfig sends them.
    const r = requestFromSpec(cfg, spec);
    const sent = Object.entries(r).filter(([k, v]) => {
      if (k.startsWith('ns.')) return v.value === 'host';
      if (k === 'caps') return cfg.caps === 'all';
      if (k === 'seccomp') return cfg.seccomp === 'none';
      return k !== 'timeOffsets';
    });
    return Object.fromEntries(sent);
  },
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
      ...(cfg.socket ? [{ setting: 'socket', value: cfg.socket, source: 'user config' as const }] : []),
      ...(cfg.dockerRuntime ? [{ setting: 'dockerRuntime', value: cfg.dockerRuntime, source: 'user config' as const }] : []),
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
