/**
 * bubblewrap as a driver: `bwrap` run by root the way its users run one command isolated
 * (./argv.ts says exactly what isoprobe passes, and why). Its own settings are the namespaces it
 * leaves shared and raw extra arguments (`args`, as `hostConfig` is for Docker). bwrap cannot
 * be asked for cgroup limits or time offsets, and as root it keeps every capability and loads no
 * seccomp filter unless told to: the spec says so, rather than asking for what bwrap will not do.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import { findBinary, lookupBinary } from '../../host/which.js';
import type { TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import { baseSpec, pivotRootOnly, requestFromSpec, targetSchema } from '../common/config.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { BWRAP_SHAREABLE, bwrapOptions } from './argv.js';
import { BwrapTarget } from './bwrap.js';
import { cleanBwrap } from './clean.js';
import { BWRAP_SANDBOX_WEAKENINGS, BWRAP_WEAKENINGS } from './weakenings.js';

const BINARY = 'bwrap';

const config = targetSchema('bwrap', {
  /** Namespaces `--unshare-all` would make that this target leaves shared with the host (the negative controls). */
  share: z.array(z.enum(BWRAP_SHAREABLE)).default([]),
  rootChange: pivotRootOnly,
  /** Raw extra bwrap arguments, after isoprobe's and before `--` (e.g. ["--cap-drop", "ALL"]). */
  args: z.array(z.string()).default([]),
  /** "host": bind the host's / read-only instead of the project's rootfs, as agent and CI sandboxes do (docs/sandbox-profile.md). */
  rootfs: z.enum(['template', 'host']).default('template'),
  /** A host directory bound writable at the same path: the workload's workspace (the sandbox profile writes there). */
  workspace: z.string().startsWith('/').optional(),
}).refine((c) => c.noNewPrivs !== false, { path: ['noNewPrivs'], message: 'bwrap always sets no_new_privs; it cannot be turned off' });

export type BwrapTargetConfig = z.infer<typeof config>;

export const bwrap: TargetDriver<BwrapTargetConfig> = {
  kind: 'bwrap',
  config,
  shorthands: { bwrap: { name: 'bwrap', runtime: 'bwrap' } },
  delivery: 'rootfs',
  weakenings: [...BWRAP_WEAKENINGS, ...BWRAP_SANDBOX_WEAKENINGS],
  async preflight(cfgs) {
    const r = lookupBinary(BINARY);
    if ('notExecutable' in r) throw new EnvError(`bubblewrap cannot be run: ${r.notExecutable} ${r.why} (needed by ${names(cfgs)})`);
    if ('missing' in r) throw new EnvError(missing(cfgs));
  },
  create(cfg, ctx) {
    // A last guard: preflight has looked for the binary before the run started anything.
    const binary = findBinary(BINARY);
    if (!binary) throw new EnvError(missing([cfg]));
    const cgroups = detectCgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    return new BwrapTarget(cfg.name, {
      binary,
      runDir: ctx.runDir,
      cgroups,
      files: projectProbeFiles(),
      args: cfg.args,
      rootfsMode: cfg.rootfs,
      workspace: cfg.workspace,
      observe: ctx.observe,
    });
  },
  spec(cfg, argv) {
    // What the command line asks of bwrap: no --cap-drop, no --seccomp, no cgroup at all.
    return { ...baseSpec(cfg, argv), caps: 'all', seccomp: 'none', noNewPrivs: true, limits: {}, ...(cfg.workspace ? { workspace: cfg.workspace } : {}) };
  },
  request(cfg, spec) {
    // Its command line asks for namespaces (never a time one: bwrap cannot make it), the hostname,
    // a root bound read-only, and no_new_privs (bwrap always sets it); nothing else. A user's
    // `args` are passed through unread: what they ask is not in the request.
    const r = requestFromSpec(cfg, spec);
    return {
      ...Object.fromEntries(Object.entries(r).filter(([k]) => k.startsWith('ns.') && k !== 'ns.time')),
      hostname: r.hostname,
      readonlyRootfs: { value: true, source: 'isoprobe' },
      noNewPrivs: { value: true, source: 'isoprobe' },
    };
  },
  describe(cfg) {
    return bwrapOptions({ share: cfg.share, hostname: baseSpec(cfg, []).hostname, args: cfg.args, rootfs: cfg.rootfs, workspace: cfg.workspace });
  },
  clean: cleanBwrap,
};

function names(cfgs: BwrapTargetConfig[]): string {
  return `target ${cfgs.map((c) => `"${c.name}"`).join(', ')}`;
}

function missing(cfgs: BwrapTargetConfig[]): string {
  return `bubblewrap is not installed ("bwrap" not found in PATH), needed by ${names(cfgs)} (Debian: apt-get install bubblewrap)`;
}
