/**
 * systemd-nspawn as a driver: `systemd-nspawn -D ROOT -- PROBE` run by root the way its users run
 * one command in a directory tree (./argv.ts says exactly what isoprobe passes, and why). Its own
 * settings are the namespaces it leaves shared (`share`: ["net"] is nspawn's default, [] asks for
 * --private-network), caps and seccomp as nspawn's --capability=all and SYSTEMD_SECCOMP=0, and raw
 * extra arguments (`args`). nspawn cannot be asked for time offsets, nor for cgroup limits without
 * systemd: the spec says so, rather than asking for what nspawn will not do here.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import { findBinary, lookupBinary } from '../../host/which.js';
import type { TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import type { Request } from '../../model/request.js';
import { DEFAULT_CAPS } from '../../model/spec.js';
import { baseSpec, harnessBoundingCaps, pivotRootOnly, targetSchema } from '../common/config.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { ALWAYS_SHARED, NSPAWN_SHAREABLE, nspawnOptions } from './argv.js';
import { nspawnHierarchies } from './cgroup.js';
import { cleanNspawn } from './clean.js';
import { NspawnTarget } from './nspawn.js';
import { NSPAWN_WEAKENINGS } from './weakenings.js';

const BINARY = 'systemd-nspawn';

const config = targetSchema('nspawn', {
  /** Namespaces left shared with the host: nspawn's default is the host's network (["net"]); [] passes --private-network. */
  share: z.array(z.enum(NSPAWN_SHAREABLE)).default(['net']),
  rootChange: pivotRootOnly,
  /** Raw extra systemd-nspawn arguments, after isoprobe's and before `--` (e.g. ["--drop-capability=CAP_SYS_ADMIN"]). */
  args: z.array(z.string()).default([]),
})
  .refine((c) => c.noNewPrivs === undefined, { path: ['noNewPrivs'], message: 'not a setting of the nspawn target (pass "--no-new-privileges=yes" in args)' })
  .refine((c) => c.limits === 'default', { path: ['limits'], message: 'nspawn sets no cgroup limits here (they need systemd): nothing to turn off' });

export type NspawnTargetConfig = z.infer<typeof config>;

export const nspawn: TargetDriver<NspawnTargetConfig> = {
  kind: 'nspawn',
  config,
  shorthands: { nspawn: { name: 'nspawn', runtime: 'nspawn' } },
  delivery: 'rootfs',
  weakenings: NSPAWN_WEAKENINGS,
  async preflight(cfgs) {
    const r = lookupBinary(BINARY);
    if ('notExecutable' in r) throw new EnvError(`systemd-nspawn cannot be run: ${r.notExecutable} ${r.why} (needed by ${names(cfgs)})`);
    if ('missing' in r) throw new EnvError(missing(cfgs));
  },
  create(cfg, ctx) {
    const binary = findBinary(BINARY);
    if (!binary) throw new EnvError(missing([cfg]));
    const mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    return new NspawnTarget(cfg.name, {
      binary,
      runDir: ctx.runDir,
      cgroups: detectCgroupLayout(mountinfo),
      hierarchies: nspawnHierarchies(mountinfo),
      files: projectProbeFiles(),
      share: cfg.share,
      caps: cfg.caps,
      seccomp: cfg.seccomp ?? 'default',
      args: cfg.args,
      observe: ctx.observe,
    });
  },
  spec(cfg, argv) {
    // What nspawn does: the host's user and time namespaces always, its network unless told
    // otherwise; no no_new_privs; no cgroup limits (they need systemd).
    return { ...baseSpec(cfg, argv), share: [...cfg.share, ...ALWAYS_SHARED], noNewPrivs: false, limits: {} };
  },
  request(cfg, spec) {
    // Its command line asks for the hostname, and for what the controls and --private-network say;
    // the rest is nspawn's default, asked of nobody. A user's `args` are passed through unread.
    const r: Request = { hostname: { value: spec.hostname, source: 'isoprobe' } };
    if (!cfg.share.includes('net')) r['ns.net'] = { value: 'new', source: 'user config' };
    // --capability=all in the host's user namespace: what the harness holds (its bounding set), as
    // the built-in runtime's caps=all with the host's user namespace asks.
    if (cfg.caps === 'all') {
      const held = harnessBoundingCaps();
      r.caps = { value: { add: held.filter((c) => !DEFAULT_CAPS.includes(c)), drop: DEFAULT_CAPS.filter((c) => !held.includes(c)) }, source: 'user config' };
    }
    if (cfg.seccomp === 'none') r.seccomp = { value: 'unconfined', source: 'user config' };
    return r;
  },
  describe(cfg) {
    return nspawnOptions({ share: cfg.share, hostname: baseSpec(cfg, []).hostname, caps: cfg.caps, seccomp: cfg.seccomp ?? 'default', args: cfg.args });
  },
  clean: cleanNspawn,
};

function names(cfgs: NspawnTargetConfig[]): string {
  return `target ${cfgs.map((c) => `"${c.name}"`).join(', ')}`;
}

function missing(cfgs: NspawnTargetConfig[]): string {
  return `systemd-nspawn is not installed ("systemd-nspawn" not found in PATH), needed by ${names(cfgs)} (Debian: apt-get install systemd-container)`;
}
