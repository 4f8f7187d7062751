/**
 * conformance area: requested vs delivered. For each group of settings a target's runtime was
 * asked for (ctx.request, model/request.ts: by isoprobe or by the user's config), did the
 * container get exactly that? Each check compares the value asked with what the host or the probe
 * observed, item by item, and fails with "asked X, observed Y" for every item that differs. A
 * setting the runtime refused and was retried without (TargetCapabilities.dropped: runc 1.1 and
 * the time namespace) fails here with the runtime's own words, whatever was observed.
 *
 * Nothing asked is nothing to conform to: the check skips ('not-requested') and the runtime's own
 * default is judged by the other areas, by profile. A runtime that ignores what it is asked is
 * broken whatever the profile, so every conformance check is required in every profile.
 */
import { expect } from 'chai';
import { skip, type CheckContext, type Evidence } from '../model/check.js';
import type { PathStat } from '../model/facts.js';
import { cpuQuota } from '../model/parse/cgroup.js';
import { parseLimits, type RlimitValue } from '../model/parse/limits.js';
import { parseMountinfo } from '../model/parse/mountinfo.js';
import { capNames, parseStatus } from '../model/parse/status.js';
import { parseTimensOffsets } from '../model/parse/timens.js';
import { maskClassOf } from '../model/posture.js';
import type { Request, SettingKey } from '../model/request.js';
import { DEFAULT_CAPS, NAMESPACES, type Namespace } from '../model/spec.js';
import type { Weakening } from '../model/weakening.js';
import { check, errnoName, requireNoNewPrivsLine } from './define.js';
import { compareWithDeclared, type ProfileDifference } from '../model/seccomp/conformance.js';
import { parseDeclaredProfile } from '../model/seccomp/declared.js';
import { DANGEROUS_NAMES } from '../model/seccomp/dangerous.js';
import { seccompStack } from './seccomp-stack.js';

const ALL = ['baseline', 'restricted', 'strict'] as const;
const NS_KEYS = NAMESPACES.map((ns) => `ns.${ns}` as const);
const LIMIT_KEYS = ['limits.pids', 'limits.memory', 'limits.cpu'] as const;

/** One setting compared: what was asked (by whom) and what the container got. */
interface Item {
  key: SettingKey;
  /** The item's name in messages: the key, or the key and a part of it ("maskedPaths /proc/kcore"). */
  name: string;
  asked: string;
  observed: string;
  ok: boolean;
}

/**
 * The OCI runtime wrapper that removes one setting from config.json before it execs runc
 * (test/support/lossy-runtime/README.md): the annotation names the setting, `patch` asks for one
 * the bundle does not ask for by default. The same data is in targets/oci/weakenings.ts.
 */
export function lossy(key: SettingKey, patch: Record<string, unknown> = {}): Weakening {
  const annotations = { 'isoprobe.drop': key };
  return { kind: 'oci', settings: { binary: LOSSY_RUNTIME, specPatch: { ...patch, annotations } } };
}
export const LOSSY_RUNTIME = 'test/support/lossy-runtime/lossy-runc';
/** runc 1.1 refuses a time namespace; isoprobe retries without it (targets/oci/oci.ts). */
const RUNC_WITHOUT_TIMENS: Weakening = { kind: 'oci', settings: { binary: 'runc' }, requires: 'runc < 1.2, which refuses the time namespace' };

/** Skips unless one of `keys` was asked for. */
function requireAsked(ctx: Pick<CheckContext, 'request' | 'capabilities'>, keys: readonly SettingKey[], what: string): void {
  const inside = ctx.capabilities.insideOnly;
  if (inside !== undefined) skip('evidence', `what was asked for ${what} is not known: ${inside}`);
  if (!keys.some((k) => ctx.request[k] !== undefined)) {
    skip('not-requested', `nobody asked for ${what}; the runtime's default is judged by the other areas`);
  }
}

function source(request: Request, key: SettingKey): string {
  return request[key]?.source ?? 'runtime default';
}

/**
 * The verdict over the items: every item (and every setting of `keys` the runtime dropped) in the
 * evidence with its source, and a chai failure whose expected/observed are the differing items.
 */
function judge(ctx: Pick<CheckContext, 'request' | 'capabilities' | 'target'>, keys: readonly SettingKey[], items: Item[]): string {
  const dropped = (ctx.capabilities.dropped ?? []).filter((d) => keys.includes(d.key) && ctx.request[d.key] !== undefined);
  const all = items.map((i) => {
    const d = dropped.find((x) => x.key === i.key);
    return d ? { ...i, ok: false, observed: `${i.observed} (${ctx.target} refused it and ran without it: ${d.why})` } : i;
  });
  for (const d of dropped.filter((x) => !items.some((i) => i.key === x.key))) {
    all.push({ key: d.key, name: d.key, asked: JSON.stringify(ctx.request[d.key]?.value), observed: `dropped: ${d.why}`, ok: false });
  }
  const line = (i: Item) => `${i.name}: asked ${i.asked} (${source(ctx.request, i.key)}), observed ${i.observed}`;
  const evidence = all.map(line).join('; ');
  const bad = all.filter((i) => !i.ok);
  const asked = Object.fromEntries(bad.map((i) => [i.name, i.asked]));
  const observed = Object.fromEntries(bad.map((i) => [i.name, i.observed]));
  expect(observed, `${bad.map((i) => `${i.name}: asked ${i.asked}, observed ${i.observed}`).join('; ')}\nevidence: ${evidence}`).to.deep.equal(asked);
  return evidence;
}

function status(ctx: Pick<Evidence, 'container'>) {
  return parseStatus(ctx.container.files.status.text);
}

// ---------------------------------------------------------------- namespaces

function nsObserved(ctx: Pick<Evidence, 'container' | 'observed' | 'reference'>, ns: Namespace): { state: string; link: string | null } {
  const link = ctx.observed.ns[ns]?.link ?? ctx.container.ns[ns]?.link ?? null;
  const host = ctx.reference.ns[ns]?.link ?? null;
  if (!link) return { state: 'unknown (neither the host nor the probe read the link)', link };
  return { state: link === host ? 'host' : 'new', link };
}

const namespaces = check(
  {
    id: 'conformance.namespaces',
    area: 'conformance',
    title: 'each namespace asked for (new, the host’s, or joined) is the one the container got',
    profiles: [...ALL],
    references: ['OCI runtime spec: linux.namespaces', 'namespaces(7)'],
    needs: ['container', 'observed', 'reference'],
    settings: NS_KEYS,
    negativeControls: [lossy('ns.cgroup'), RUNC_WITHOUT_TIMENS],
  },
  (ctx) => {
    requireAsked(ctx, NS_KEYS, 'any namespace');
    const items: Item[] = [];
    for (const ns of NAMESPACES) {
      const asked = ctx.request[`ns.${ns}`]?.value;
      // A type this kernel lacks is given to nobody: the time area skips it ('timens').
      if (asked === undefined || ctx.reference.ns[ns]?.link === null) continue;
      const o = nsObserved(ctx, ns);
      // A joined namespace's own link is not known to this run: it must at least not be the host's.
      const ok = asked.startsWith('joined:') ? o.state === 'new' : o.state === asked;
      items.push({ key: `ns.${ns}`, name: `ns.${ns}`, asked, observed: `${o.state} (${o.link ?? 'no link'})`, ok });
    }
    return judge(ctx, NS_KEYS, items);
  },
);

// ---------------------------------------------------------------- capabilities

/** The set a {add, drop} request means, relative to Docker's default set; ALL is every capability of `kernel`. */
export function askedCaps(asked: { add: readonly string[]; drop: readonly string[] }, kernel: readonly string[]): string[] {
  let caps: string[];
  if (asked.add.includes('ALL')) caps = kernel.filter((c) => !asked.drop.includes(c));
  else if (asked.drop.includes('ALL')) caps = [...asked.add];
  else caps = [...DEFAULT_CAPS.filter((c) => !asked.drop.includes(c)), ...asked.add];
  return [...new Set(caps)].sort();
}

function capDiff(asked: readonly string[], got: readonly string[]): string {
  const missing = asked.filter((c) => !got.includes(c));
  const extra = got.filter((c) => !asked.includes(c));
  if (!missing.length && !extra.length) return `the same ${got.length}`;
  return [missing.length ? `without ${missing.join(' ')}` : '', extra.length ? `with ${extra.join(' ')} too` : ''].filter(Boolean).join(', ');
}

const capabilities = check(
  {
    id: 'conformance.capabilities',
    area: 'conformance',
    title: 'the capability set asked for (Docker’s default set with its adds and drops) is the one the container got',
    profiles: [...ALL],
    references: ['OCI runtime spec: process.capabilities', 'capabilities(7)'],
    needs: ['container'],
    settings: ['caps'],
    negativeControls: [lossy('caps')],
  },
  (ctx) => {
    requireAsked(ctx, ['caps'], 'capabilities');
    const req = ctx.request.caps!.value;
    const f = ctx.container.files.cap_last_cap;
    // A probe that looked and could not read it (gVisor's /proc/sys has no kernel/cap_last_cap): the full set is unknown.
    if (f && f.errno !== 0)
      skip(
        'evidence',
        `the container cannot read /proc/sys/kernel/cap_last_cap (${errnoName(f.errno)}): the capability count of its kernel, which the asked set is expanded with, is unknown`,
      );
    const lastCap = f?.errno === 0 ? Number(f.text.trim()) : Number.NaN;
    if (!Number.isInteger(lastCap)) throw new Error('the probe reported no /proc/sys/kernel/cap_last_cap (probe older than the harness?)');
    const kernel = capNames((1n << BigInt(lastCap + 1)) - 1n).sort();
    const want = askedCaps(req, kernel);
    const s = status(ctx);
    const askedText = `${[req.add.length ? `add ${req.add.join(' ')}` : '', req.drop.length ? `drop ${req.drop.join(' ')}` : ''].filter(Boolean).join(', ') || 'the default set'} (${want.length} capabilities)`;
    const item = (name: string, got: string[]): Item => ({
      key: 'caps',
      name,
      asked: askedText,
      observed: capDiff(want, got),
      ok: capDiff(want, got) === `the same ${got.length}`,
    });
    const items = [item('caps bounding', capNames(s.capBnd).sort())];
    // A process that is not root inside has an empty effective set by design (capabilities(7), execve).
    if (ctx.container.euid === 0) items.push(item('caps effective', capNames(s.capEff).sort()));
    return judge(ctx, ['caps'], items);
  },
);

// ---------------------------------------------------------------- seccomp, no_new_privs

const SECCOMP_MODES = ['disabled', 'strict', 'filter'];

const seccomp = check(
  {
    id: 'conformance.seccomp',
    area: 'conformance',
    title: 'a seccomp filter is in force when one was asked for, none when unconfined was, and it lets no call further than the declared profile',
    profiles: [...ALL],
    references: ['OCI runtime spec: linux.seccomp', 'seccomp(2)', 'Docker default seccomp profile'],
    needs: ['container', 'observed'],
    settings: ['seccomp'],
    negativeControls: [lossy('seccomp'), { kind: 'builtin', settings: { seccompNativeOnly: true } }],
  },
  (ctx) => {
    // The runtime's own default is a declaration too (Docker's profile for its release): it is
    // compared when the target knows it, though nobody asked for a filter.
    const profile = profileItem(ctx);
    if (ctx.request.seccomp === undefined) {
      if (typeof profile === 'string') requireAsked(ctx, ['seccomp'], 'a seccomp profile');
      return judge(ctx, ['seccomp'], [profile as Item]);
    }
    const asked = ctx.request.seccomp.value;
    const mode = status(ctx).seccomp;
    const observed = mode === null ? 'no seccomp in this kernel' : (SECCOMP_MODES[mode] ?? `mode ${mode}`);
    const want = asked === 'unconfined' ? 'disabled' : 'filter';
    const items: Item[] = [{ key: 'seccomp', name: 'seccomp', asked: `${asked} (${want})`, observed, ok: observed === want }];
    if (typeof profile === 'string') return `${judge(ctx, ['seccomp'], items)}; profile not compared: ${profile}`;
    return judge(ctx, ['seccomp'], [...items, profile]);
  },
);

/**
 * The filter read against the profile the target declared (model/seccomp/conformance.ts), or why
 * there is nothing to compare: no declaration of this kind, or a filter the host did not read.
 */
function profileItem(ctx: Pick<CheckContext, 'observed' | 'container'>): Item | string {
  const d = ctx.observed.declaredSeccomp;
  if (!d) return 'this target declares no seccomp profile isoprobe reads';
  if ('unknown' in d) return d.unknown;
  if (!ctx.observed.seccomp) return 'the host did not read the filters';
  const stack = seccompStack(ctx.observed);
  // No filter declared: every call of every ABI runs.
  const declared =
    d.profile === null
      ? { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }
      : parseDeclaredProfile(d.profile, d.source);
  const caps = new Set(capNames(status(ctx).capBnd));
  const diffs = compareWithDeclared(stack, declared, { caps, arch: 'amd64', kernel: d.kernel });
  // The dangerous calls (model/seccomp/dangerous.ts) first, native before the other ABIs.
  const rank = (x: ProfileDifference) => (DANGEROUS_NAMES.has(x.name) ? 0 : 2) + (x.abi === 'x86_64' ? 0 : 1);
  const ordered = [...diffs].sort((a, b) => rank(a) - rank(b));
  const looser = ordered.filter((x) => x.looser).map(diffText);
  const tighter = ordered.filter((x) => !x.looser).map(diffText);
  const shown = (l: string[]) => `${l.slice(0, 30).join(', ')}${l.length > 30 ? `, … ${l.length - 30} more` : ''}`;
  const observedText =
    looser.length === 0
      ? `no call further than declared${tighter.length ? `; ${tighter.length} held tighter: ${shown(tighter)}` : ''}`
      : `${looser.length} looser: ${shown(looser)}`;
  return {
    key: 'seccomp',
    name: 'seccomp profile',
    asked: `${d.profile === null ? 'no filter' : 'as declared'} by ${d.by}: ${d.source}`,
    observed: observedText,
    ok: looser.length === 0,
  };
}

function diffText(x: ProfileDifference): string {
  return `${x.abi === 'x86_64' ? '' : `${x.abi} `}${x.name}${x.case ? `(${x.case})` : ''} ${x.effective} (declared ${x.declared})`;
}

const noNewPrivs = check(
  {
    id: 'conformance.no-new-privs',
    area: 'conformance',
    title: 'no_new_privs is set or left off as asked',
    profiles: [...ALL],
    references: ['OCI runtime spec: process.noNewPrivileges', 'prctl(2) PR_SET_NO_NEW_PRIVS'],
    needs: ['container'],
    settings: ['noNewPrivs'],
    negativeControls: [lossy('noNewPrivs')],
  },
  (ctx) => {
    requireAsked(ctx, ['noNewPrivs'], 'no_new_privs');
    const asked = ctx.request.noNewPrivs!.value;
    const got = status(ctx).noNewPrivs;
    requireNoNewPrivsLine(got);
    return judge(
      ctx,
      ['noNewPrivs'],
      [
        {
          key: 'noNewPrivs',
          name: 'noNewPrivs',
          asked: String(asked),
          observed: got === null ? 'unknown (no NoNewPrivs line)' : String(got),
          ok: got === asked,
        },
      ],
    );
  },
);

// ---------------------------------------------------------------- limits

/** cgroup v1 prints "no limit" as the largest page-aligned long; anything this large is none. */
const V1_UNLIMITED = 2n ** 62n;

/** Each limit as the host read it from cgroupfs, 0 for none; null where it was not read. */
export function deliveredLimits(limits: Record<string, string>): Record<(typeof LIMIT_KEYS)[number], number | null> {
  const pids = limits['pids.max'];
  const memory = limits['memory.max'] ?? limits['memory.limit_in_bytes'];
  const cpuRead = limits['cpu.max'] !== undefined || limits['cpu.cfs_quota_us'] !== undefined;
  const cpu = cpuRead ? cpuQuota(limits) : null;
  return {
    'limits.pids': pids === undefined ? null : pids === 'max' ? 0 : Number(pids),
    'limits.memory': memory === undefined || !/^\d+$|^max$/.test(memory) ? null : memory === 'max' || BigInt(memory) >= V1_UNLIMITED ? 0 : Number(memory),
    'limits.cpu': cpu === null ? null : cpu === 'none' ? 0 : cpu,
  };
}

const CONTROLLER: Record<(typeof LIMIT_KEYS)[number], string> = { 'limits.pids': 'pids', 'limits.memory': 'memory', 'limits.cpu': 'cpu' };

const limits = check(
  {
    id: 'conformance.limits',
    area: 'conformance',
    title: 'the pids, memory and cpu limits asked for are the values the host reads in the container’s cgroup (0: unlimited)',
    profiles: [...ALL],
    references: ['OCI runtime spec: linux.resources', 'cgroups(7)'],
    needs: ['observed'],
    settings: LIMIT_KEYS,
    negativeControls: [lossy('limits.pids')],
  },
  (ctx) => {
    requireAsked(ctx, LIMIT_KEYS, 'cgroup limits');
    const l = ctx.capabilities.cgroupLimits;
    if (l) skip('target-feature', `${ctx.target} cannot be asked for cgroup limits: ${l.why}`);
    const got = deliveredLimits(ctx.observed.cgroup.limits);
    const items: Item[] = [];
    const unsupported: string[] = [];
    for (const key of LIMIT_KEYS) {
      const asked = ctx.request[key]?.value;
      if (asked === undefined) continue;
      if (ctx.observed.cgroup.limits[`${CONTROLLER[key]}:unsupported`] !== undefined) {
        unsupported.push(CONTROLLER[key]);
        continue;
      }
      const o = got[key];
      const observed = o === null ? `not read (cgroup ${ctx.observed.cgroup.version}, ${ctx.observed.cgroup.paths.length} paths)` : String(o);
      // cpu quota in microseconds of a 100 ms period: rounding is below a millionth of a cpu.
      items.push({ key, name: key, asked: String(asked), observed, ok: o !== null && Math.abs(o - asked) < 1e-6 });
    }
    if (items.length === 0) skip('cgroup-controller', `this host lacks the ${unsupported.join(', ')} controller`);
    const evidence = judge(ctx, LIMIT_KEYS, items);
    return unsupported.length ? `${evidence}; not compared (no controller here): ${unsupported.join(', ')}` : evidence;
  },
);

// ---------------------------------------------------------------- root, user, hostname, time

const readonlyRootfs = check(
  {
    id: 'conformance.readonly-rootfs',
    area: 'conformance',
    title: 'the root filesystem is mounted read-only, or writable, as asked',
    profiles: [...ALL],
    references: ['OCI runtime spec: root.readonly', 'CIS Docker 5.12 (mount the root filesystem read-only)'],
    needs: ['container'],
    settings: ['readonlyRootfs'],
    negativeControls: [lossy('readonlyRootfs')],
  },
  (ctx) => {
    requireAsked(ctx, ['readonlyRootfs'], 'a read-only root filesystem');
    const asked = ctx.request.readonlyRootfs!.value;
    // The last mount on "/" is the one on top: the root the container sees.
    const root = parseMountinfo(ctx.container.files.mountinfo.text)
      .filter((m) => m.mountPoint === '/')
      .pop();
    const ro = root ? root.options.includes('ro') : null;
    const observed = ro === null ? 'no mount on / in mountinfo' : ro ? `read-only (${root!.options.join(',')})` : `writable (${root!.options.join(',')})`;
    return judge(
      ctx,
      ['readonlyRootfs'],
      [{ key: 'readonlyRootfs', name: 'readonlyRootfs', asked: asked ? 'read-only' : 'writable', observed, ok: ro === asked }],
    );
  },
);

const user = check(
  {
    id: 'conformance.user',
    area: 'conformance',
    title: 'the probe runs as the uid, gid and supplementary groups asked for',
    profiles: [...ALL],
    references: ['OCI runtime spec: process.user', 'CIS Docker 4.1 (a user for the container)'],
    needs: ['container'],
    settings: ['user'],
    negativeControls: [lossy('user', { process: { user: { uid: 0, gid: 0, additionalGids: [4242] } } })],
  },
  (ctx) => {
    requireAsked(ctx, ['user'], 'a user');
    const asked = ctx.request.user!.value;
    const c = ctx.container;
    const items: Item[] = [
      { key: 'user', name: 'user uid', asked: String(asked.uid), observed: String(c.uid), ok: c.uid === asked.uid },
      { key: 'user', name: 'user gid', asked: String(asked.gid), observed: String(c.gid), ok: c.gid === asked.gid },
    ];
    if (asked.groups) {
      const want = [...new Set(asked.groups)].sort((a, b) => a - b);
      const got = [...new Set(status(ctx).groups)].sort((a, b) => a - b);
      items.push({
        key: 'user',
        name: 'user groups',
        asked: want.join(' ') || '(none)',
        observed: got.join(' ') || '(none)',
        ok: want.join(' ') === got.join(' '),
      });
    }
    return judge(ctx, ['user'], items);
  },
);

const hostname = check(
  {
    id: 'conformance.hostname',
    area: 'conformance',
    title: 'the hostname is the one asked for',
    profiles: [...ALL],
    references: ['OCI runtime spec: hostname', 'uts_namespaces(7)'],
    needs: ['container'],
    settings: ['hostname'],
    negativeControls: [lossy('hostname')],
  },
  (ctx) => {
    requireAsked(ctx, ['hostname'], 'a hostname');
    const asked = ctx.request.hostname!.value;
    const got = ctx.container.hostname;
    return judge(
      ctx,
      ['hostname'],
      [{ key: 'hostname', name: 'hostname', asked: JSON.stringify(asked), observed: got === null ? 'unreadable' : JSON.stringify(got), ok: got === asked }],
    );
  },
);

const timeOffsets = check(
  {
    id: 'conformance.time-offsets',
    area: 'conformance',
    title: 'the CLOCK_MONOTONIC and CLOCK_BOOTTIME offsets asked for are the container’s',
    profiles: [...ALL],
    references: ['OCI runtime spec: linux.timeOffsets', 'time_namespaces(7)'],
    needs: ['container', 'reference'],
    settings: ['timeOffsets'],
    negativeControls: [RUNC_WITHOUT_TIMENS],
  },
  (ctx) => {
    requireAsked(ctx, ['timeOffsets'], 'time namespace offsets');
    if (!ctx.reference.ns.time?.link) skip('timens', 'this kernel has no time namespaces (/proc/self/ns/time is absent)');
    const asked = ctx.request.timeOffsets!.value;
    const f = ctx.container.files.timens_offsets;
    const got = f.errno === 0 ? parseTimensOffsets(f.text) : null;
    const item = (clock: 'monotonic' | 'boottime', want: number): Item => ({
      key: 'timeOffsets',
      name: `timeOffsets ${clock}`,
      asked: `${want} s`,
      observed: got ? `${got[clock]} s` : `unreadable /proc/self/timens_offsets (errno ${f.errno})`,
      ok: got !== null && got[clock] === want,
    });
    return judge(ctx, ['timeOffsets'], [item('monotonic', asked.monotonicSec), item('boottime', asked.boottimeSec)]);
  },
);

// ---------------------------------------------------------------- paths, sysctls, rlimits

const ENOENT = 2;

/** The probe's stat of a path: asked for by name (--path), or one of its fixed lists. */
function pathStat(ctx: Pick<Evidence, 'container'>, path: string): PathStat | undefined {
  const c = ctx.container;
  return (
    c.requested?.paths.find((p) => p.path === path) ?? c.security?.masked.find((p) => p.path === path) ?? c.security?.readonly.find((p) => p.path === path)
  );
}

const maskedPaths = check(
  {
    id: 'conformance.masked-paths',
    area: 'conformance',
    title: 'every path asked to be masked is masked (/dev/null, an empty read-only tmpfs, or absent)',
    profiles: [...ALL],
    references: ['OCI runtime spec: linux.maskedPaths', 'CVE-2025-31133'],
    needs: ['container'],
    settings: ['maskedPaths'],
    negativeControls: [lossy('maskedPaths')],
  },
  (ctx) => {
    requireAsked(ctx, ['maskedPaths'], 'masked paths');
    const items = ctx.request.maskedPaths!.value.map((path): Item => {
      const p = pathStat(ctx, path);
      const cls = p ? maskClassOf(p) : 'not observed (the probe was not asked for it)';
      return {
        key: 'maskedPaths',
        name: `maskedPaths ${path}`,
        asked: 'masked',
        observed: cls,
        ok: cls === 'null-device' || cls === 'empty-ro-tmpfs' || cls === 'absent',
      };
    });
    return judge(ctx, ['maskedPaths'], items);
  },
);

const readonlyPaths = check(
  {
    id: 'conformance.readonly-paths',
    area: 'conformance',
    title: 'every path asked to be read-only is read-only (or absent)',
    profiles: [...ALL],
    references: ['OCI runtime spec: linux.readonlyPaths'],
    needs: ['container'],
    settings: ['readonlyPaths'],
    negativeControls: [lossy('readonlyPaths')],
  },
  (ctx) => {
    requireAsked(ctx, ['readonlyPaths'], 'read-only paths');
    const items = ctx.request.readonlyPaths!.value.map((path): Item => {
      const p = pathStat(ctx, path);
      const cls = !p
        ? 'not observed (the probe was not asked for it)'
        : p.errno === ENOENT
          ? 'absent'
          : p.errno !== 0
            ? `unreadable (errno ${p.errno})`
            : p.rdonly === 1
              ? 'read-only'
              : p.rdonly === 0
                ? 'writable'
                : 'unknown';
      return { key: 'readonlyPaths', name: `readonlyPaths ${path}`, asked: 'read-only', observed: cls, ok: cls === 'read-only' || cls === 'absent' };
    });
    return judge(ctx, ['readonlyPaths'], items);
  },
);

/** Kernel sysctl texts separate a vector's fields with tabs ("0\t2147483647"); requests with spaces. */
const words = (s: string) => s.trim().split(/\s+/).join(' ');

const sysctls = check(
  {
    id: 'conformance.sysctls',
    area: 'conformance',
    title: 'every sysctl asked for has the value asked, as the container reads it',
    profiles: [...ALL],
    references: ['OCI runtime spec: linux.sysctl', 'sysctl(8)'],
    needs: ['container'],
    settings: ['sysctls'],
    negativeControls: [lossy('sysctls', { linux: { sysctl: { 'net.ipv4.ip_unprivileged_port_start': '900' } } })],
  },
  (ctx) => {
    requireAsked(ctx, ['sysctls'], 'sysctls');
    const items = Object.entries(ctx.request.sysctls!.value).map(([name, value]): Item => {
      const s = ctx.container.requested?.sysctls.find((x) => x.name === name);
      const observed = !s ? 'not observed (the probe was not asked for it)' : s.errno !== 0 ? `unreadable (errno ${s.errno})` : JSON.stringify(words(s.text));
      return { key: 'sysctls', name: `sysctls ${name}`, asked: JSON.stringify(words(value)), observed, ok: s?.errno === 0 && words(s.text) === words(value) };
    });
    return judge(ctx, ['sysctls'], items);
  },
);

/** RLIM_INFINITY as a request carries it (2^64 - 1, or anything past what a long holds). */
const showRlimit = (v: number): RlimitValue => (v >= 2 ** 63 ? 'unlimited' : v);

const rlimits = check(
  {
    id: 'conformance.rlimits',
    area: 'conformance',
    title: 'every resource limit asked for has the soft and hard values asked',
    profiles: [...ALL],
    references: ['OCI runtime spec: process.rlimits', 'getrlimit(2)'],
    needs: ['container'],
    settings: ['rlimits'],
    negativeControls: [lossy('rlimits')],
  },
  (ctx) => {
    requireAsked(ctx, ['rlimits'], 'resource limits');
    const f = ctx.container.files.limits;
    if (!f) throw new Error('the probe reported no /proc/self/limits (probe older than the harness?)');
    const got = f.errno === 0 ? parseLimits(f.text) : null;
    const items = Object.entries(ctx.request.rlimits!.value).map(([res, want]): Item => {
      const asked = `${showRlimit(want.soft)}:${showRlimit(want.hard)}`;
      const g = got?.[res];
      const observed = !got ? `unreadable /proc/self/limits (errno ${f.errno})` : !g ? 'no such resource in /proc/self/limits' : `${g.soft}:${g.hard}`;
      return { key: 'rlimits', name: `rlimits ${res}`, asked, observed, ok: observed === asked };
    });
    return judge(ctx, ['rlimits'], items);
  },
);

export const conformanceChecks = [
  namespaces,
  capabilities,
  seccomp,
  noNewPrivs,
  limits,
  readonlyRootfs,
  user,
  hostname,
  timeOffsets,
  maskedPaths,
  readonlyPaths,
  sysctls,
  rlimits,
];
