/**
 * What an OCI runtime is asked for: read back from the config.json isoprobe sends it (./oci-config.ts,
 * with the target's specPatch merged over it), so the request is exactly the bundle and never a
 * second description of it that could drift. A setting the patch changed, added or removed is the
 * user's; the rest is isoprobe's, or the user's where a common option (share, caps, seccomp, ...)
 * asked for it (targets/common/config.ts requestFromSpec says which).
 */
import { mergePatch } from '../../model/merge-patch.js';
import type { Request, RequestSource, RequestValues, SettingKey } from '../../model/request.js';
import { DEFAULT_CAPS, NAMESPACES, type ContainerSpec } from '../../model/spec.js';
import type { TargetConfigBase } from '../../model/driver.js';
import { requestFromSpec } from './config.js';
import { OCI_NS_NAME, ociConfig } from './oci-config.js';
import { defaultSeccomp } from './oci-seccomp.js';

type Values = { [K in SettingKey]?: RequestValues[K] };
type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

export function ociRequest(cfg: TargetConfigBase & { specPatch?: Json }, spec: ContainerSpec, hostCaps: readonly string[]): Request {
  // Placeholders where the bundle names paths of this run: no setting is read from them.
  const generated = ociConfig(spec, {
    rootfs: '/rootfs',
    scratch: '/scratch',
    idMapping: { hostBase: 100_000, count: 65_536 },
    cgroupsPath: '/',
    hostCaps: [...hostCaps],
  });
  const sent = requestValues(cfg.specPatch ? mergePatch(generated, cfg.specPatch) : generated);
  const own = requestValues(generated);
  const common = requestFromSpec(cfg, spec);
  const r: Record<string, { value: unknown; source: RequestSource }> = {};
  for (const [k, value] of Object.entries(sent) as [SettingKey, unknown][]) {
    const patched = !(k in own) || JSON.stringify(own[k]) !== JSON.stringify(value);
    r[k] = { value, source: patched ? 'user config' : (common[k]?.source ?? 'isoprobe') };
  }
  return r as Request;
}

/** The settings a config.json asks for; a field it lacks is not asked for (or, for limits, asks for none). */
export function requestValues(config: unknown): Values {
  const c = obj(config) ?? {};
  const proc = obj(c.process) ?? {};
  const linux = obj(c.linux) ?? {};
  const v: Values = {};
  const nsList = Array.isArray(linux.namespaces) ? linux.namespaces.map(obj).filter((n) => n !== undefined) : [];
  for (const ns of NAMESPACES) {
    const entry = nsList.find((n) => n.type === OCI_NS_NAME[ns]);
    v[`ns.${ns}`] = !entry ? 'host' : typeof entry.path === 'string' && entry.path !== '' ? `joined:${entry.path}` : 'new';
  }
  // The bounding set bounds every other set: it is the one a capability list is read from.
  const bounding = strings(obj(proc.capabilities)?.bounding) ?? [];
  v.caps = { add: bounding.filter((x) => !DEFAULT_CAPS.includes(x)), drop: DEFAULT_CAPS.filter((x) => !bounding.includes(x)) };
  // runc and crun have no filter of their own: none sent is none asked for.
  v.seccomp = !obj(linux.seccomp) ? 'unconfined' : JSON.stringify(linux.seccomp) === JSON.stringify(defaultSeccomp()) ? 'default' : 'custom';
  v.noNewPrivs = proc.noNewPrivileges === true;
  // The runtime spec has no default limit: a bundle without one asks for none (0, unlimited).
  const res = obj(linux.resources) ?? {};
  v['limits.pids'] = Math.max(0, int(obj(res.pids)?.limit) ?? 0);
  v['limits.memory'] = Math.max(0, int(obj(res.memory)?.limit) ?? 0);
  const quota = int(obj(res.cpu)?.quota) ?? 0;
  const period = int(obj(res.cpu)?.period) ?? 100_000;
  v['limits.cpu'] = quota > 0 && period > 0 ? quota / period : 0;
  v.readonlyRootfs = obj(c.root)?.readonly === true;
  const user = obj(proc.user);
  if (user) {
    const groups = Array.isArray(user.additionalGids) ? user.additionalGids.map(int).filter((g) => g !== undefined && g >= 0) : undefined;
    v.user = { uid: int(user.uid) ?? 0, gid: int(user.gid) ?? 0, ...(groups ? { groups: groups as number[] } : {}) };
  }
  if (typeof c.hostname === 'string') v.hostname = c.hostname;
  const offsets = obj(linux.timeOffsets);
  if (offsets) v.timeOffsets = { monotonicSec: int(obj(offsets.monotonic)?.secs) ?? 0, boottimeSec: int(obj(offsets.boottime)?.secs) ?? 0 };
  const masked = strings(linux.maskedPaths);
  if (masked) v.maskedPaths = masked;
  const readonly = strings(linux.readonlyPaths);
  if (readonly) v.readonlyPaths = readonly;
  const sysctl = obj(linux.sysctl);
  if (sysctl && Object.keys(sysctl).length > 0) v.sysctls = Object.fromEntries(Object.entries(sysctl).map(([k, x]) => [k, String(x)]));
  if (Array.isArray(proc.rlimits) && proc.rlimits.length > 0) {
    v.rlimits = Object.fromEntries(
      proc.rlimits
        .map(obj)
        .filter((l) => l !== undefined && typeof l.type === 'string')
        .map((l) => [
          String(l!.type)
            .replace(/^RLIMIT_/, '')
            .toLowerCase(),
          { soft: int(l!.soft) ?? 0, hard: int(l!.hard) ?? 0 },
        ]),
    );
  }
  return v;
}
