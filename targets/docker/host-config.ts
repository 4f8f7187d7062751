/**
 * ContainerSpec → Docker create options, pure. What the spec shares becomes the matching "host"
 * mode; what it keeps private is left to the daemon's defaults (Docker 20.10 on cgroup v1 keeps
 * the host's cgroup namespace, and no daemon gives a time namespace), so the docker target shows
 * Docker as its users get it. A target's raw HostConfig goes over the result, so any setting can
 * be tested.
 */
import type Dockerode from 'dockerode';
import type { ContainerSpec, Namespace } from '../../model/spec.js';
import { mergePatch } from '../../model/merge-patch.js';

export type HostConfig = Record<string, unknown>;

const HOST_MODE: Partial<Record<Namespace, string>> = {
  pid: 'PidMode',
  net: 'NetworkMode',
  ipc: 'IpcMode',
  uts: 'UTSMode',
  cgroup: 'CgroupnsMode',
  user: 'UsernsMode',
};

/** Every capability name Docker knows, without "CAP_" (what CapAdd/CapDrop take). */
export function dockerCapName(cap: string): string {
  return cap.replace(/^CAP_/, '');
}

/**
 * @param missingCaps capabilities absent from the host's bounding set: "all" cannot include
 *   them (CAP_SYS_RESOURCE on the project's VM, where --privileged cannot start at all).
 */
export function translateHostConfig(spec: ContainerSpec, missingCaps: string[]): HostConfig {
  const hc: HostConfig = { Init: false, AutoRemove: false };
  for (const ns of spec.share) {
    const field = HOST_MODE[ns];
    if (!field) throw new Error(`Docker cannot share the ${ns} namespace with the host`);
    hc[field] = 'host';
  }
  Object.assign(hc, siblingModes(spec));
  const { pids, memoryBytes, cpus } = spec.limits;
  if (pids !== undefined) hc.PidsLimit = pids;
  // MemorySwap = Memory: no swap beyond the limit, so the limit is what a memory hog meets.
  if (memoryBytes !== undefined) Object.assign(hc, { Memory: memoryBytes, MemorySwap: memoryBytes });
  if (cpus !== undefined) hc.NanoCpus = Math.round(cpus * 1e9);
  if (spec.caps === 'all') Object.assign(hc, { CapAdd: ['ALL'], CapDrop: missingCaps.map(dockerCapName) });
  const opts = [...(spec.seccomp === 'none' ? ['seccomp=unconfined'] : []), ...((spec.noNewPrivs ?? true) ? ['no-new-privileges:true'] : [])];
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
function securityOptName(opt: string): string {
  return opt.split(/[=:]/)[0];
}

/**
 * The raw HostConfig as an RFC 7386 merge patch over the translated one, except SecurityOpt: a
 * list of independent settings (each `--security-opt` adds one), merged by option name, so that
 * `{"SecurityOpt": ["seccomp=unconfined"]}` does not silently drop the spec's no-new-privileges.
 */
export function mergeHostConfig(translated: HostConfig, override: HostConfig | undefined): HostConfig {
  if (!override) return translated;
  const merged = mergePatch(translated, override) as HostConfig;
  const extra = override.SecurityOpt;
  if (Array.isArray(extra) && Array.isArray(translated.SecurityOpt)) {
    const names = new Set(extra.map((o) => securityOptName(String(o))));
    merged.SecurityOpt = [...(translated.SecurityOpt as string[]).filter((o) => !names.has(securityOptName(o))), ...extra];
  }
  return merged;
}

export interface CreateInputs {
  name: string;
  image: string;
  labels: Record<string, string>;
  hostConfig: HostConfig;
}

/** The create request: stdin open for the probe's go byte (StdinOnce closes it after the attach). */
export function createOptions(spec: ContainerSpec, argv: string[], c: CreateInputs): Dockerode.ContainerCreateOptions {
  // Docker refuses a hostname when the UTS namespace is the host's, or with another container's network.
  const netOfContainer = String(c.hostConfig.NetworkMode ?? '').startsWith('container:');
  const hostname = c.hostConfig.UTSMode === 'host' || netOfContainer ? {} : { Hostname: spec.hostname };
  return {
    name: c.name,
    Image: c.image,
    Cmd: argv,
    ...hostname,
    User: '0:0',
    WorkingDir: '/',
    Env: ['PATH=/bin:/isoprobe', 'HOME=/'],
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
