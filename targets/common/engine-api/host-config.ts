/**
 * A docker target's config → Docker create options, pure. isoprobe sends what observation needs
 * (the probe image and command, its labels, the held stdin, AutoRemove off so the host reads after
 * exit, the probe's identity); everything else is the daemon's default unless the config asks: the
 * common options (share, caps, seccomp, noNewPrivs, limits: 'none'), `"request": "profile"` (what
 * the run's profile needs that Docker can express, model/profile-needs.ts), then the raw
 * HostConfig and container fields over the result, so any setting can be tested.
 */
import type Dockerode from 'dockerode';
import { mergePatch } from '../../../model/merge-patch.js';
import type { ProfileNeeds } from '../../../model/profile-needs.js';
import type { ContainerSpec, Namespace } from '../../../model/spec.js';

export type HostConfig = Record<string, unknown>;
/** Top-level container Config fields (User, Hostname, ...), as the Engine API spells them. */
export type ContainerFields = Record<string, unknown>;

export const HOST_MODE: Partial<Record<Namespace, string>> = {
  pid: 'PidMode',
  net: 'NetworkMode',
  ipc: 'IpcMode',
  uts: 'UTSMode',
  cgroup: 'CgroupnsMode',
  user: 'UsernsMode',
};

/**
 * The namespaces Docker can be told to make private by name (`--ipc private`, `--cgroupns
 * private`). A private pid and uts namespace have no such value ("" is the default), nor a network
 * one that does not depend on the daemon's networks; the user namespace is the daemon's
 * (userns-remap), never a container's; there is no time namespace to ask for.
 */
const PRIVATE_MODE: Partial<Record<Namespace, string>> = { ipc: 'IpcMode', cgroup: 'CgroupnsMode' };

/** The container fields isoprobe owns: the probe, its command and its held stdin; a config cannot change them. */
export const OWNED_CONTAINER_FIELDS = [
  'Image',
  'Cmd',
  'Entrypoint',
  'HostConfig',
  'Labels',
  'AttachStdin',
  'AttachStdout',
  'AttachStderr',
  'OpenStdin',
  'StdinOnce',
  'Tty',
];

/** Every capability name Docker knows, without "CAP_" (what CapAdd/CapDrop take). */
export function dockerCapName(cap: string): string {
  return cap.replace(/^CAP_/, '');
}

export interface Translation {
  /** Capabilities absent from the host's bounding set: "all" cannot include them (CAP_SYS_RESOURCE on the project's VM). */
  missingCaps: string[];
  /** What `"request": "profile"` asks for beyond the spec's limits and no_new_privs; empty without it. */
  needs: ProfileNeeds;
  /** The config's own noNewPrivs and limits: sent even where they equal the daemon's default. */
  user: { noNewPrivs?: boolean; limits: 'default' | 'none' };
}

/** The spec's settings as HostConfig fields; the spec's limits and no_new_privs are what the docker driver's spec() asked for. */
export function translateHostConfig(spec: ContainerSpec, t: Translation): HostConfig {
  const hc: HostConfig = { AutoRemove: false };
  for (const ns of spec.share) {
    const field = HOST_MODE[ns];
    if (!field) throw new Error(`Docker cannot share the ${ns} namespace with the host`);
    hc[field] = 'host';
  }
  for (const [ns, field] of Object.entries(PRIVATE_MODE) as [Namespace, string][]) {
    if (t.needs[`ns.${ns}`] === 'new' && !spec.share.includes(ns)) hc[field] = 'private';
  }
  // After the private modes: a first sibling's IPC namespace must be shareable, a second joins.
  Object.assign(hc, siblingModes(spec));
  const { pids, memoryBytes, cpus } = spec.limits;
  if (pids !== undefined) hc.PidsLimit = pids;
  // MemorySwap = Memory: no swap beyond the limit, so the limit is what a memory hog meets.
  if (memoryBytes !== undefined) Object.assign(hc, { Memory: memoryBytes, MemorySwap: memoryBytes });
  if (cpus !== undefined) hc.NanoCpus = Math.round(cpus * 1e9);
  // What `docker run` sends without --pids-limit / --memory / --cpus: zero, no limit.
  if (t.user.limits === 'none') Object.assign(hc, { PidsLimit: 0, Memory: 0, NanoCpus: 0 });
  if (spec.caps === 'all') Object.assign(hc, { CapAdd: ['ALL'], CapDrop: t.missingCaps.map(dockerCapName) });
  const nnp = t.user.noNewPrivs ?? (spec.noNewPrivs === true ? true : undefined);
  const opts = [...(spec.seccomp === 'none' ? ['seccomp=unconfined'] : []), ...(nnp !== undefined ? [`no-new-privileges:${nnp}`] : [])];
  if (opts.length > 0) hc.SecurityOpt = opts;
  return hc;
}

/** Docker's container:<name> modes: how the second of a pair of siblings joins the first (engine/cross.ts). */
const CONTAINER_MODE = { pid: 'PidMode', ipc: 'IpcMode', net: 'NetworkMode' } as const;

/**
 * The cross area's joins. Docker has no container: mode for UTS (UTSMode is "" or "host"), so the
 * docker config refuses joinSibling "uts" (./driver.ts). An IPC namespace can only be joined when
 * its container made it "shareable" (daemons default to "private").
 */
export function siblingModes(spec: ContainerSpec): HostConfig {
  const hc: HostConfig = {};
  if (spec.sharedWithSibling?.includes('ipc')) hc.IpcMode = 'shareable';
  const join = spec.joinSibling;
  if (!join) return hc;
  if (!join.ref) throw new Error('a Docker sibling joins its first sibling by container name, and none was given');
  for (const ns of join.namespaces) {
    if (ns === 'uts') throw new Error('Docker has no container: mode for the UTS namespace');
    hc[CONTAINER_MODE[ns]] = `container:${join.ref}`;
  }
  return hc;
}

/** "seccomp=unconfined" → "seccomp", "no-new-privileges:true" → "no-new-privileges". */
export function securityOptName(opt: string): string {
  return opt.split(/[=:]/)[0];
}

/**
 * The raw HostConfig as an RFC 7386 merge patch over the translated one, except SecurityOpt: a
 * list of independent settings (each `--security-opt` adds one), merged by option name, so that
 * `{"SecurityOpt": ["seccomp=unconfined"]}` does not silently drop a requested no-new-privileges.
 * A Memory without MemorySwap sends no MemorySwap, as the docker CLI does for `--memory` alone:
 * the translated MemorySwap (equal to isoprobe's own Memory) would be below the user's Memory,
 * which the daemon refuses.
 */
export function mergeHostConfig(translated: HostConfig, override: HostConfig | undefined): HostConfig {
  if (!override) return translated;
  const merged = mergePatch(translated, override) as HostConfig;
  const extra = override.SecurityOpt;
  if (Array.isArray(extra) && Array.isArray(translated.SecurityOpt)) {
    const names = new Set(extra.map((o) => securityOptName(String(o))));
    merged.SecurityOpt = [...(translated.SecurityOpt as string[]).filter((o) => !names.has(securityOptName(o))), ...extra];
  }
  if ('Memory' in override && !('MemorySwap' in override)) delete merged.MemorySwap;
  return merged;
}

export interface CreateInputs {
  name: string;
  image: string;
  labels: Record<string, string>;
  hostConfig: HostConfig;
  /** The config's container fields over isoprobe's (User, Hostname, ...); never OWNED_CONTAINER_FIELDS. */
  container?: ContainerFields;
}

/**
 * The create request: stdin open for the probe's go byte (StdinOnce closes it after the attach);
 * the probe's identity (root, /, a PATH to its binaries). No Hostname: Docker's own (the
 * container id) unless the config asks.
 */
export function createOptions(argv: string[], c: CreateInputs): Dockerode.ContainerCreateOptions {
  const base = { User: '0:0', WorkingDir: '/', Env: ['PATH=/bin:/isoprobe', 'HOME=/'] };
  const own = mergePatch(base, c.container ?? {}) as Record<string, unknown>;
  return {
    ...own,
    name: c.name,
    Image: c.image,
    Cmd: argv,
    Labels: c.labels,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true,
    Tty: false,
    HostConfig: c.hostConfig as Dockerode.HostConfig,
  };
}

/** Everything of a docker target's config that the create request depends on, besides the spec. */
export interface DockerAsk extends Translation {
  hostConfig?: HostConfig;
  container?: ContainerFields;
  /** HostConfig.Runtime: a runtime registered with dockerd. */
  dockerRuntime?: string;
}

/** The final create request: the translated spec, then the config's raw fields over it. */
export function dockerCreate(
  spec: ContainerSpec,
  argv: string[],
  ask: DockerAsk,
  c: Omit<CreateInputs, 'hostConfig' | 'container'>,
): Dockerode.ContainerCreateOptions {
  const raw = { ...ask.hostConfig, ...(ask.dockerRuntime ? { Runtime: ask.dockerRuntime } : {}) };
  const hostConfig = mergeHostConfig(translateHostConfig(spec, ask), Object.keys(raw).length > 0 ? raw : undefined);
  return createOptions(argv, { ...c, hostConfig, container: ask.container });
}
