/**
 * What a CRI runtime is asked for, read back from the two configs isoprobe sends (./pod-config.ts,
 * with the target's patches merged), so the request is what went over the wire. A setting the
 * patches changed is the user's; the rest is isoprobe's (kubelet's defaults, or the Pod Security
 * Standard the profile maps to). What CRI cannot express is absent: the user and cgroup namespaces
 * (containerd 1.6 ignores the user-namespace options; the cgroup namespace is the runtime's
 * choice), the time namespace, pids limits (a node-level setting of kubelet's).
 */
import { DEFAULT_CAPS } from '../../model/spec.js';
import type { Request, RequestValues, SettingKey } from '../../model/request.js';
import type { Json } from './client.js';
import { patchedConfigs, type Patches } from './pod-config.js';

type Values = { [K in SettingKey]?: RequestValues[K] };
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

const nsOf = (mode: unknown): 'new' | 'host' => (mode === 'NODE' ? 'host' : 'new');

/** `hostCaps`: what privileged gives, containerd's own bounding set (the harness's, on the project's VM without CAP_SYS_RESOURCE). */
export function criValues(pod: Json, container: Json, hostCaps: readonly string[]): Values {
  const psc = obj(obj(pod.linux).securityContext);
  const csc = obj(obj(container.linux).securityContext);
  const cns = obj(csc.namespaceOptions);
  const privileged = csc.privileged === true;
  const v: Values = {};
  v['ns.pid'] = nsOf(cns.pid);
  v['ns.net'] = nsOf(cns.network);
  v['ns.ipc'] = nsOf(cns.ipc);
  // kubelet: the UTS namespace follows the network's; the mount namespace is always the container's.
  v['ns.uts'] = v['ns.net'];
  v['ns.mnt'] = 'new';
  const caps = obj(csc.capabilities);
  const norm = (c: string) => (c.toUpperCase() === 'ALL' ? 'ALL' : `CAP_${c.toUpperCase().replace(/^CAP_/, '')}`);
  const add = strings(caps.addCapabilities).map(norm);
  const drop = strings(caps.dropCapabilities).map(norm);
  v.caps = privileged ? { add: hostCaps.filter((c) => !DEFAULT_CAPS.includes(c)), drop: [] } : { add, drop: drop.includes('ALL') ? [...DEFAULT_CAPS] : drop };
  const profile = obj(csc.seccomp).profileType ?? 'RuntimeDefault';
  v.seccomp = privileged || profile === 'Unconfined' ? 'unconfined' : profile === 'Localhost' ? 'custom' : 'default';
  v.noNewPrivs = csc.noNewPrivs === true;
  v.readonlyRootfs = csc.readonlyRootfs === true;
  const uid = obj(csc.runAsUser).value ?? obj(psc.runAsUser).value;
  if (typeof uid === 'number') {
    const gid = obj(csc.runAsGroup).value ?? obj(psc.runAsGroup).value;
    v.user = { uid, gid: typeof gid === 'number' ? gid : 0 };
  }
  if (typeof pod.hostname === 'string' && pod.hostname !== '') v.hostname = pod.hostname;
  // Privileged: containerd masks and write-protects nothing, whatever the lists say.
  v.maskedPaths = privileged ? [] : strings(csc.maskedPaths);
  v.readonlyPaths = privileged ? [] : strings(csc.readonlyPaths);
  const sysctls = obj(obj(pod.linux).sysctls);
  if (Object.keys(sysctls).length > 0) v.sysctls = Object.fromEntries(Object.entries(sysctls).map(([k, x]) => [k, String(x)]));
  // A BestEffort pod has none; a patch can ask for memory and cpu (pids are kubelet's node-level limit).
  const res = obj(obj(container.linux).resources);
  if (typeof res.memoryLimitInBytes === 'number' && res.memoryLimitInBytes > 0) v['limits.memory'] = res.memoryLimitInBytes;
  if (typeof res.cpuQuota === 'number' && res.cpuQuota > 0)
    v['limits.cpu'] = res.cpuQuota / (typeof res.cpuPeriod === 'number' && res.cpuPeriod > 0 ? res.cpuPeriod : 100_000);
  return v;
}

export function criRequest(pod: Json, container: Json, patches: Patches, hostCaps: readonly string[]): Request {
  const sent = patchedConfigs(pod, container, patches);
  const own = criValues(pod, container, hostCaps);
  const values = criValues(sent.pod, sent.container, hostCaps);
  const r: Record<string, { value: unknown; source: string }> = {};
  for (const [k, value] of Object.entries(values) as [SettingKey, unknown][]) {
    const patched = !(k in own) || JSON.stringify(own[k]) !== JSON.stringify(value);
    r[k] = { value, source: patched ? 'user config' : 'isoprobe' };
  }
  return r as Request;
}
