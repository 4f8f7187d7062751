/**
 * LXC as a driver: `lxc-execute` of a container configuration isoprobe writes the way lxc-create
 * gives one to root on Debian (./conf.ts says exactly what, and why). Its own settings, as LXC's
 * configuration keys: the namespaces kept from the host (`share`, lxc.namespace.keep), `idmap`
 * (lxc.idmap from root's subordinate ranges: a user namespace of its own), caps and seccomp
 * (lxc.cap.drop and lxc.seccomp.profile cleared), noNewPrivs (lxc.no_new_privs) and raw extra
 * configuration lines (`config`). LXC can be asked for cgroup limits and time offsets: isoprobe
 * asks for the spec's, and says so.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import { findBinary, lookupBinary } from '../../host/which.js';
import type { Setting, TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import type { Request } from '../../model/request.js';
import { DEFAULT_CAPS } from '../../model/spec.js';
import { baseSpec, harnessBoundingCaps, pivotRootOnly, targetSchema } from '../common/config.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { lxcHierarchies } from './cgroup.js';
import { cleanLxc } from './clean.js';
import { LXC_SHAREABLE, lxcOptions } from './conf.js';
import { rootIdmap } from './idmap.js';
import { LxcTarget } from './lxc.js';
import { LXC_WEAKENINGS } from './weakenings.js';

const BINARY = 'lxc-execute';
const config = targetSchema('lxc', {
  /** Namespaces kept from the host (lxc.namespace.keep); LXC's default keeps none but the user namespace. */
  share: z.array(z.enum(LXC_SHAREABLE)).default([]),
  rootChange: pivotRootOnly,
  /** A user namespace of its own: lxc.idmap from root's ranges in /etc/subuid and /etc/subgid (scripts/lxc-idmap.sh). */
  idmap: z.boolean().default(false),
  /** Raw extra configuration lines, after isoprobe's (e.g. ["lxc.cap.drop = sys_admin"]). */
  config: z.array(z.string().regex(/^lxc\.[a-z0-9_.]+\s*=/, 'an LXC configuration line "lxc.<key> = <value>"')).default([]),
}).refine((c) => !(c.idmap && c.share.length > 0), {
  path: ['share'],
  message: "a namespace kept from the host needs the host's user namespace (lxc.namespace.keep lists it): drop idmap or share",
});

export type LxcTargetConfig = z.infer<typeof config>;

export const lxc: TargetDriver<LxcTargetConfig> = {
  kind: 'lxc',
  config,
  shorthands: { lxc: { name: 'lxc', runtime: 'lxc' } },
  delivery: 'rootfs',
  weakenings: LXC_WEAKENINGS,
  async preflight(cfgs) {
    const r = lookupBinary(BINARY);
    if ('notExecutable' in r) throw new EnvError(`lxc-execute cannot be run: ${r.notExecutable} ${r.why} (needed by ${names(cfgs)})`);
    if ('missing' in r) throw new EnvError(missing(cfgs));
    if (cfgs.some((c) => c.idmap)) rootIdmap();
  },
  create(cfg, ctx) {
    const binary = findBinary(BINARY);
    if (!binary) throw new EnvError(missing([cfg]));
    const mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    return new LxcTarget(cfg.name, {
      binary,
      runDir: ctx.runDir,
      cgroups: detectCgroupLayout(mountinfo),
      hierarchies: lxcHierarchies(mountinfo),
      files: projectProbeFiles(),
      share: cfg.share,
      idmap: cfg.idmap ? rootIdmap() : null,
      caps: cfg.caps,
      seccomp: cfg.seccomp ?? 'default',
      noNewPrivs: cfg.noNewPrivs ?? false,
      config: cfg.config,
      observe: ctx.observe,
    });
  },
  spec(cfg, argv) {
    // What LXC does: the host's user namespace without lxc.idmap; no no_new_privs unless asked.
    return { ...baseSpec(cfg, argv), share: [...cfg.share, ...(cfg.idmap ? [] : (['user'] as const))], noNewPrivs: cfg.noNewPrivs ?? false };
  },
  request(cfg, spec) {
    // isoprobe's file asks for the hostname, an empty network (no lxcbr0), the spec's limits and
    // time offsets; the user's config for what its settings say. The rest is LXC's default.
    const r: Request = { timeOffsets: { value: { ...spec.timeOffsets }, source: 'isoprobe' } };
    if (!cfg.share.includes('uts')) r.hostname = { value: spec.hostname, source: 'isoprobe' };
    r['ns.net'] = cfg.share.includes('net') ? { value: 'host', source: 'user config' } : { value: 'new', source: 'isoprobe' };
    for (const ns of cfg.share.filter((n) => n !== 'net')) r[`ns.${ns}`] = { value: 'host', source: 'user config' };
    if (cfg.idmap) r['ns.user'] = { value: 'new', source: 'user config' };
    const limits = cfg.limits === 'none' ? 'user config' : 'isoprobe';
    r['limits.pids'] = { value: spec.limits.pids ?? 0, source: limits };
    r['limits.memory'] = { value: spec.limits.memoryBytes ?? 0, source: limits };
    r['limits.cpu'] = { value: spec.limits.cpus ?? 0, source: limits };
    // lxc.cap.drop cleared in the host's user namespace: what the harness holds (its bounding set),
    // as the built-in runtime's caps=all with the host's user namespace asks.
    if (cfg.caps === 'all') {
      const held = harnessBoundingCaps();
      r.caps = { value: { add: held.filter((c) => !DEFAULT_CAPS.includes(c)), drop: DEFAULT_CAPS.filter((c) => !held.includes(c)) }, source: 'user config' };
    }
    if (cfg.seccomp === 'none') r.seccomp = { value: 'unconfined', source: 'user config' };
    if (cfg.noNewPrivs) r.noNewPrivs = { value: true, source: 'user config' };
    return r;
  },
  describe(cfg): Setting[] {
    const spec = baseSpec(cfg, []);
    return lxcOptions({
      hostname: spec.hostname,
      share: cfg.share,
      idmap: cfg.idmap,
      caps: cfg.caps,
      seccomp: cfg.seccomp ?? 'default',
      noNewPrivs: cfg.noNewPrivs ?? false,
      limits: spec.limits,
      limitsOff: cfg.limits === 'none',
      timeOffsets: spec.timeOffsets,
      config: cfg.config,
    });
  },
  clean: cleanLxc,
};

function names(cfgs: LxcTargetConfig[]): string {
  return `target ${cfgs.map((c) => `"${c.name}"`).join(', ')}`;
}

function missing(cfgs: LxcTargetConfig[]): string {
  return `lxc-execute is not installed ("lxc-execute" not found in PATH), needed by ${names(cfgs)} (Debian: apt-get install lxc)`;
}
