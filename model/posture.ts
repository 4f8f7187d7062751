/**
 * The posture of one container: what its evidence (the probe's facts, the host's observation, the
 * host reference) says it got, normalised so that two containers, or a container and what was
 * asked of it (model/posture-expect.ts), compare field by field (model/posture-diff.ts). A posture
 * is information, never a verdict: the checks judge, the posture shows requested vs delivered.
 *
 * Every top-level field is declared compared or informational in POSTURE_FIELDS, the one
 * declaration the diff reads; informational fields (raw inodes, maps, host paths, counts) differ
 * from run to run or are not asked for, so they are shown and never compared.
 */
import { z } from 'zod';
import type { ProbeFacts, SecurityFacts } from './facts.js';
import type { HostView } from './host-view.js';
import { cpuQuota } from './parse/cgroup.js';
import { parseIdMap, type IdMapEntry } from './parse/idmap.js';
import { nsIno } from './parse/nslink.js';
import { capNames, parseStatus } from './parse/status.js';
import { parseTimensOffsets } from './parse/timens.js';
import { NAMESPACES, type HostSideFacts, type Namespace } from './spec.js';

/**
 * new: a namespace of its own; inherited: the host reference's; joined:<x>: another known one
 * (e.g. another container's); absent: the kernel lacks the type; unknown: neither the host nor
 * the probe could read the link.
 */
const nsState = z.union([z.enum(['new', 'inherited', 'absent', 'unknown']), z.templateLiteral(['joined:', z.string()])]);
/** Capability names, sorted. */
const capList = z.array(z.string());
const capSets = z.object({ effective: capList, permitted: capList, bounding: capList, inheritable: capList, ambient: capList });
/** unsupported: the kernel reports no seccomp at all (no "Seccomp:" line). */
const seccompMode = z.enum(['disabled', 'strict', 'filter', 'unsupported']);
/**
 * identity: the initial user namespace's map; root-to-unprivileged: uid 0 inside is a non-zero id
 * outside; root-to-root: a new user namespace that still maps 0 to 0; root-unmapped: 0 is not mapped.
 */
const mapClass = z.enum(['identity', 'root-to-unprivileged', 'root-to-root', 'root-unmapped', 'unknown']);
/** How a masked path looks inside (CVE-2025-31133): the right ways, or reachable. */
const maskClass = z.enum(['null-device', 'empty-ro-tmpfs', 'absent', 'unreadable', 'readable']);
const readonlyClass = z.enum(['read-only', 'writable', 'absent', 'unreadable', 'unknown']);
/** unsupported: the host lacks the controller (reported by the target). */
const limitState = z.enum(['set', 'unset', 'unsupported', 'unknown']);
/** none: no cgroupfs mounted inside. */
const cgroupfsClass = z.enum(['ro', 'rw', 'none', 'unknown']);
const nullableInt = z.number().int().nullable();

export const PostureSchema = z.object({
  namespaces: z.record(z.enum(NAMESPACES), nsState),
  capabilities: capSets,
  seccomp: seccompMode,
  noNewPrivs: z.boolean().nullable(),
  userMapping: z.object({ uid: mapClass, gid: mapClass }),
  /** By path, the paths the probe looked at (probes/README.md, "security"). */
  masked: z.record(z.string(), maskClass),
  readonly: z.record(z.string(), readonlyClass),
  limits: z.object({ pids: limitState, memory: limitState, cpu: limitState }),
  cgroupfs: cgroupfsClass,
  /** A descriptor or the cwd outside the container's root (CVE-2024-21626). */
  hostFds: z.enum(['none', 'leaked', 'unknown']),
  /** The classic chroot ".." escape: contained (as after pivot_root), or it left the root (as after a plain chroot). */
  rootEscape: z.enum(['contained', 'escaped', 'unknown']),
  /** Seconds, as /proc/self/timens_offsets shows them; null where the file is unreadable. */
  timeOffsets: z.object({ monotonic: z.number(), boottime: z.number() }).nullable(),
  nsInodes: z.record(z.enum(NAMESPACES), nullableInt),
  idMaps: z.object({ uid: z.string().nullable(), gid: z.string().nullable() }),
  seccompFilters: nullableInt,
  cgroupPaths: z.array(z.string()),
  cgroupLimits: z.record(z.string(), z.string()),
});
export type Posture = z.infer<typeof PostureSchema>;
export type NsState = z.infer<typeof nsState>;
export type MaskClass = z.infer<typeof maskClass>;
export type ReadonlyClass = z.infer<typeof readonlyClass>;
export type CgroupfsClass = z.infer<typeof cgroupfsClass>;
export type MapClass = z.infer<typeof mapClass>;
export type LimitState = z.infer<typeof limitState>;

/** The one declaration of what the diff compares; the type checker insists every field is here. */
export const POSTURE_FIELDS = {
  namespaces: 'compared',
  capabilities: 'compared',
  seccomp: 'compared',
  noNewPrivs: 'compared',
  userMapping: 'compared',
  masked: 'compared',
  readonly: 'compared',
  limits: 'compared',
  cgroupfs: 'compared',
  hostFds: 'compared',
  rootEscape: 'compared',
  timeOffsets: 'compared',
  // Inodes are per boot and reused; maps and host paths name host ids; the filter count is how
  // the runtime stacks its filters, which nobody asks for.
  nsInodes: 'informational',
  idMaps: 'informational',
  seccompFilters: 'informational',
  cgroupPaths: 'informational',
  cgroupLimits: 'informational',
} as const satisfies Record<keyof Posture, 'compared' | 'informational'>;

export type ComparedField = { [K in keyof typeof POSTURE_FIELDS]: (typeof POSTURE_FIELDS)[K] extends 'compared' ? K : never }[keyof typeof POSTURE_FIELDS];
export const COMPARED_FIELDS = (Object.keys(POSTURE_FIELDS) as (keyof Posture)[]).filter((k): k is ComparedField => POSTURE_FIELDS[k] === 'compared');

/** What a posture is computed from. */
export interface PostureEvidence {
  facts: ProbeFacts;
  host: HostSideFacts;
  reference: HostView;
  /** Other namespaces the run knows (another container's), shown as joined:<label>. */
  known?: readonly { label: string; ns: Namespace; link: string }[];
}

const ENOENT = 2;
const S_IFMT = 0o170000;
const S_IFCHR = 0o020000;
const S_IFDIR = 0o040000;
const TMPFS_MAGIC = 0x01021994;
/** cgroup v1 prints "no limit" as the largest page-aligned long; anything this large is none. */
const V1_UNLIMITED = 2n ** 62n;

export function observePosture(ev: PostureEvidence): Posture {
  const status = parseStatus(ev.facts.files.status.text);
  const caps = (mask: bigint) => capNames(mask).sort();
  const sec = ev.facts.security;
  const filters = /^Seccomp_filters:\s*(\d+)/m.exec(ev.facts.files.status.text)?.[1];
  return {
    namespaces: Object.fromEntries(NAMESPACES.map((ns) => [ns, namespaceState(ev, ns)])) as Posture['namespaces'],
    capabilities: {
      effective: caps(status.capEff),
      permitted: caps(status.capPrm),
      bounding: caps(status.capBnd),
      inheritable: caps(status.capInh),
      ambient: caps(status.capAmb),
    },
    seccomp: status.seccomp === null ? 'unsupported' : ((['disabled', 'strict', 'filter'] as const)[status.seccomp] ?? 'unsupported'),
    noNewPrivs: status.noNewPrivs,
    userMapping: { uid: mapClassOf(ev.host.uidMap ?? readable(ev.facts.files.uid_map)), gid: mapClassOf(ev.host.gidMap ?? readable(ev.facts.files.gid_map)) },
    masked: sec ? Object.fromEntries(sec.masked.map((p) => [p.path, maskClassOf(p)])) : {},
    readonly: sec ? readonlyClasses(sec) : {},
    limits: limitStates(ev.host.cgroup),
    cgroupfs: cgroupfsClassOf(ev.facts.cgroupfs),
    hostFds: !sec ? 'unknown' : sec.fds.some((f) => f.inside_root === 0) || sec.cwd.inside_root === 0 ? 'leaked' : 'none',
    rootEscape: rootEscapeOf(ev.facts.sentinels.chroot_escape),
    timeOffsets: ev.facts.files.timens_offsets.errno === 0 ? parseTimensOffsets(ev.facts.files.timens_offsets.text) : null,
    nsInodes: Object.fromEntries(NAMESPACES.map((ns) => [ns, nsIno(observedLink(ev, ns))])) as Posture['nsInodes'],
    idMaps: { uid: ev.host.uidMap ?? readable(ev.facts.files.uid_map), gid: ev.host.gidMap ?? readable(ev.facts.files.gid_map) },
    seccompFilters: filters === undefined ? null : Number(filters),
    cgroupPaths: [...ev.host.cgroup.paths],
    cgroupLimits: { ...ev.host.cgroup.limits },
  };
}

/** The host's link where it could read one (the container cannot fake it), else the probe's. */
function observedLink(ev: PostureEvidence, ns: Namespace): string | null {
  return ev.host.ns[ns]?.link ?? ev.facts.ns[ns].link ?? null;
}

function namespaceState(ev: PostureEvidence, ns: Namespace): NsState {
  const link = observedLink(ev, ns);
  if (!link) return ev.reference.ns[ns].link === null || ev.facts.ns[ns].errno === ENOENT ? 'absent' : 'unknown';
  if (link === ev.reference.ns[ns].link) return 'inherited';
  const joined = ev.known?.find((k) => k.ns === ns && k.link === link);
  return joined ? `joined:${joined.label}` : 'new';
}

function readable(f: { text: string; errno: number }): string | null {
  return f.errno === 0 ? f.text : null;
}

export function mapClassOf(text: string | null): MapClass {
  if (text === null) return 'unknown';
  const map: IdMapEntry[] = parseIdMap(text);
  if (map.length === 1 && map[0]!.inside === 0 && map[0]!.outside === 0 && map[0]!.count === 4294967295) return 'identity';
  const root = map.find((m) => m.inside === 0);
  if (!root) return 'root-unmapped';
  return root.outside === 0 ? 'root-to-root' : 'root-to-unprivileged';
}

type PathStat = SecurityFacts['masked'][number];

export function maskClassOf(p: PathStat): MaskClass {
  if (p.errno === ENOENT) return 'absent';
  if (p.errno !== 0 || p.mode === undefined) return 'unreadable';
  const type = p.mode & S_IFMT;
  if (type === S_IFCHR && p.rdev === '1:3') return 'null-device';
  if (type === S_IFDIR && p.fs_type === TMPFS_MAGIC && p.rdonly === 1 && p.entries === 0) return 'empty-ro-tmpfs';
  return 'readable';
}

function readonlyClassOf(p: PathStat): ReadonlyClass {
  if (p.errno === ENOENT) return 'absent';
  if (p.errno !== 0) return 'unreadable';
  return p.rdonly === 1 ? 'read-only' : p.rdonly === 0 ? 'writable' : 'unknown';
}

function readonlyClasses(sec: SecurityFacts): Record<string, ReadonlyClass> {
  const out: Record<string, ReadonlyClass> = Object.fromEntries(sec.readonly.map((p) => [p.path, readonlyClassOf(p)]));
  out['/sys'] = sec.sys.access_errno === ENOENT ? 'absent' : sec.sys.rdonly === 1 ? 'read-only' : sec.sys.rdonly === 0 ? 'writable' : 'unknown';
  return out;
}

function limitStates(cg: HostSideFacts['cgroup']): Posture['limits'] {
  const l = cg.limits;
  const state = (controller: string, set: boolean): LimitState => {
    if (l[`${controller}:unsupported`] !== undefined) return 'unsupported';
    if (cg.version === 'none' || cg.paths.length === 0) return 'unknown';
    return set ? 'set' : 'unset';
  };
  const memory = l['memory.max'] ?? l['memory.limit_in_bytes'];
  return {
    pids: state('pids', l['pids.max'] !== undefined && l['pids.max'] !== 'max'),
    memory: state('memory', memory !== undefined && memory !== 'max' && /^\d+$/.test(memory) && BigInt(memory) < V1_UNLIMITED),
    cpu: state('cpu', cpuQuota(l) !== 'none'),
  };
}

function cgroupfsClassOf(fs: ProbeFacts['cgroupfs']): CgroupfsClass {
  if (fs?.mountinfo_errno !== 0) return 'unknown';
  if (fs.mounts.length === 0) return 'none';
  // statvfs sees the mount on top, mountinfo every mount: either saying writable makes it rw.
  return fs.mounts.some((m) => !m.ro_option || m.rdonly === 0) ? 'rw' : 'ro';
}

function rootEscapeOf(c: ProbeFacts['sentinels']['chroot_escape']): Posture['rootEscape'] {
  if (!c?.attempted) return 'unknown';
  return c.escaped ? 'escaped' : 'contained';
}
