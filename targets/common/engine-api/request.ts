/**
 * The final Docker create options read back as a typed Request (model/request.ts), pure: what the
 * daemon was actually asked for, field by field, and who asked (the user's config where one of
 * the fields a setting is read from came from it, else isoprobe). A setting no field asks for is
 * absent: the daemon's default. What cannot be read without guessing (a user or group name, which
 * the image's /etc/passwd resolves) is left out and said so, never guessed.
 */
import type Dockerode from 'dockerode';
import type { Request, RequestSource, RequestValues, SettingKey } from '../../../model/request.js';
import type { TargetConfigBase } from '../../../model/driver.js';
import { HOST_MODE, securityOptName, type ContainerFields, type HostConfig } from './host-config.js';

/** The HostConfig or container fields each setting is read from ("SecurityOpt:<name>" for one security option). */
const FIELDS: Partial<Record<SettingKey, string[]>> = {
  ...Object.fromEntries(Object.entries(HOST_MODE).map(([ns, field]) => [`ns.${ns}`, [field]])),
  caps: ['CapAdd', 'CapDrop', 'Privileged'],
  seccomp: ['SecurityOpt:seccomp', 'Privileged'],
  noNewPrivs: ['SecurityOpt:no-new-privileges'],
  'limits.pids': ['PidsLimit'],
  'limits.memory': ['Memory'],
  'limits.cpu': ['NanoCpus', 'CpuQuota', 'CpuPeriod'],
  readonlyRootfs: ['ReadonlyRootfs'],
  user: ['User', 'GroupAdd'],
  hostname: ['Hostname'],
  maskedPaths: ['MaskedPaths', 'Privileged'],
  readonlyPaths: ['ReadonlyPaths', 'Privileged'],
  sysctls: ['Sysctls'],
  rlimits: ['Ulimits'],
};

/** The fields of the create request that the user's config set: its common options' and its raw ones. */
export function userFields(
  t: Pick<TargetConfigBase, 'share' | 'caps' | 'seccomp' | 'noNewPrivs' | 'limits'>,
  hostConfig?: HostConfig,
  container?: ContainerFields,
): Set<string> {
  const f = new Set<string>();
  const add = (...names: string[]) => {
    for (const n of names) f.add(n);
  };
  for (const ns of t.share) if (HOST_MODE[ns]) add(HOST_MODE[ns]);
  if (t.caps === 'all') add('CapAdd', 'CapDrop');
  if (t.seccomp === 'none') add('SecurityOpt:seccomp');
  if (t.noNewPrivs !== undefined) add('SecurityOpt:no-new-privileges');
  if (t.limits === 'none') add('PidsLimit', 'Memory', 'NanoCpus');
  for (const [k, v] of Object.entries(hostConfig ?? {})) {
    if (k === 'SecurityOpt' && Array.isArray(v)) add(...v.map((o) => `SecurityOpt:${securityOptName(String(o))}`));
    else add(k);
  }
  for (const k of Object.keys(container ?? {})) f.add(k);
  return f;
}

export interface ParsedRequest {
  request: Request;
  /** Fields that ask for something this parser cannot state without guessing, one line each. */
  unparsed: string[];
}

type Values = Partial<RequestValues>;

function nsMode(mode: unknown, field: string): RequestValues['ns.pid'] | undefined {
  if (typeof mode !== 'string' || mode === '' || mode === 'default') return undefined;
  if (mode === 'host') return 'host';
  if (mode.startsWith('container:')) return `joined:${mode}`;
  // IpcMode private/shareable/none, CgroupnsMode private, NetworkMode bridge/none/<a network>: a namespace of its own.
  if (field === 'UsernsMode' || field === 'UTSMode' || field === 'PidMode') return undefined;
  return 'new';
}

function capList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.map((c) => {
    const up = String(c).toUpperCase();
    return up === 'ALL' || up.startsWith('CAP_') ? up : `CAP_${up}`;
  });
}

/** Docker reads "no-new-privileges" alone as true, else "no-new-privileges:BOOL" or "=BOOL". */
function securityOpts(opts: unknown, out: Values, unparsed: string[]): void {
  if (!Array.isArray(opts)) return;
  for (const raw of opts.map(String)) {
    const name = securityOptName(raw);
    const value = raw.slice(name.length + 1);
    if (name === 'seccomp') out.seccomp = value === 'unconfined' ? 'unconfined' : value === 'builtin' ? 'default' : 'custom';
    if (name === 'no-new-privileges') {
      if (value === '' || /^(true|1)$/i.test(value)) out.noNewPrivs = true;
      else if (/^(false|0)$/i.test(value)) out.noNewPrivs = false;
      else unparsed.push(`SecurityOpt "${raw}": not a boolean`);
    }
  }
}

function limits(hc: HostConfig, out: Values): void {
  // 0 and -1 are "unlimited" as the Engine API documents PidsLimit; null leaves the default.
  if (typeof hc.PidsLimit === 'number') out['limits.pids'] = Math.max(0, hc.PidsLimit);
  if (typeof hc.Memory === 'number') out['limits.memory'] = Math.max(0, hc.Memory);
  if (typeof hc.NanoCpus === 'number' && hc.NanoCpus > 0) out['limits.cpu'] = hc.NanoCpus / 1e9;
  else if (typeof hc.CpuQuota === 'number' && hc.CpuQuota !== 0) {
    // The kernel's default period is 100 ms; a quota of -1 is none.
    out['limits.cpu'] = hc.CpuQuota > 0 ? hc.CpuQuota / (typeof hc.CpuPeriod === 'number' && hc.CpuPeriod > 0 ? hc.CpuPeriod : 100_000) : 0;
  } else if (hc.NanoCpus === 0) out['limits.cpu'] = 0;
}

const NUMERIC = /^\d+$/;

function user(create: Dockerode.ContainerCreateOptions, groupAdd: unknown, out: Values, unparsed: string[]): void {
  const u = typeof create.User === 'string' ? create.User : '';
  if (u === '') return;
  const [uid, gid] = u.split(':');
  const groups = Array.isArray(groupAdd) ? groupAdd.map(String) : [];
  if (!NUMERIC.test(uid) || gid === undefined || !NUMERIC.test(gid)) {
    const why = gid === undefined && NUMERIC.test(uid) ? "no group: the image's /etc/passwd gives it" : "a name: the image's /etc/passwd resolves it";
    unparsed.push(`User "${u}": ${why}`);
    return;
  }
  const names = groups.filter((g) => !NUMERIC.test(g));
  if (names.length > 0) {
    unparsed.push(`GroupAdd ${JSON.stringify(names)}: names, which the image's /etc/group resolves`);
    return;
  }
  out.user = { uid: Number(uid), gid: Number(gid), ...(groups.length > 0 ? { groups: groups.map(Number) } : {}) };
}

function rlimits(v: unknown): RequestValues['rlimits'] | undefined {
  if (!Array.isArray(v)) return undefined;
  const entries = v.filter((u) => u && typeof u.Name === 'string').map((u) => [String(u.Name), { soft: Number(u.Soft), hard: Number(u.Hard) }] as const);
  return Object.fromEntries(entries);
}

/** The settings the create request asks for, each with its value as model/request.ts types it. */
function values(create: Dockerode.ContainerCreateOptions, unparsed: string[]): Values {
  const hc = (create.HostConfig ?? {}) as HostConfig;
  const out: Values = {};
  for (const [ns, field] of Object.entries(HOST_MODE)) {
    const v = nsMode(hc[field], field);
    if (v) (out as Record<string, unknown>)[`ns.${ns}`] = v;
  }
  if (Array.isArray(hc.CapAdd) || Array.isArray(hc.CapDrop)) out.caps = { add: capList(hc.CapAdd), drop: capList(hc.CapDrop) };
  securityOpts(hc.SecurityOpt, out, unparsed);
  limits(hc, out);
  if (typeof hc.ReadonlyRootfs === 'boolean') out.readonlyRootfs = hc.ReadonlyRootfs;
  user(create, hc.GroupAdd, out, unparsed);
  if (typeof create.Hostname === 'string' && create.Hostname !== '') out.hostname = create.Hostname;
  if (Array.isArray(hc.MaskedPaths)) out.maskedPaths = hc.MaskedPaths.map(String);
  if (Array.isArray(hc.ReadonlyPaths)) out.readonlyPaths = hc.ReadonlyPaths.map(String);
  if (hc.Sysctls && typeof hc.Sysctls === 'object') out.sysctls = Object.fromEntries(Object.entries(hc.Sysctls).map(([k, v]) => [k, String(v)]));
  const rl = rlimits(hc.Ulimits);
  if (rl) out.rlimits = rl;
  // --privileged: every capability, no seccomp filter, nothing masked or read-only (CapDrop is ignored then).
  if (hc.Privileged === true) Object.assign(out, { caps: { add: ['ALL'], drop: [] }, seccomp: 'unconfined', maskedPaths: [], readonlyPaths: [] });
  return out;
}

/** What the create request asks the daemon for, and who asked (userFields: the fields the user's config set). */
export function parseDockerRequest(create: Dockerode.ContainerCreateOptions, user: ReadonlySet<string>): ParsedRequest {
  const unparsed: string[] = [];
  const v = values(create, unparsed);
  const hc = (create.HostConfig ?? {}) as HostConfig;
  const present = (f: string) => (f === 'Privileged' ? hc.Privileged === true : true);
  const request: Request = {};
  for (const [key, value] of Object.entries(v) as [SettingKey, never][]) {
    const fields = (FIELDS[key] ?? []).filter(present);
    const source: RequestSource = fields.some((f) => user.has(f)) ? 'user config' : 'isoprobe';
    (request as Record<string, unknown>)[key] = { value, source };
  }
  return { request, unparsed };
}
