/**
 * firejail as a driver: `firejail` run by root the way its users run one command isolated, with
 * the profile firejail picks for root (./argv.ts says exactly what isoprobe passes, and why). Its
 * own settings: `net` ("none" is firejail's --net=none; its default is the host's network), the
 * common caps/seccomp/noNewPrivs options as `--ignore=` of the profile's lines, and raw extra
 * arguments (`args`). firejail cannot be asked for cgroup limits or time offsets, nor to share
 * its mount, pid, UTS or IPC namespaces, nor to make user, cgroup or time ones: the spec says what
 * firejail gives, and the request names only what isoprobe or the user passed.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import { findBinary, lookupBinary } from '../../host/which.js';
import type { TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import type { Request } from '../../model/request.js';
import { NAMESPACES, type Namespace } from '../../model/spec.js';
import { baseSpec, harnessBoundingCaps, pivotRootOnly, targetSchema } from '../common/config.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { FIREJAIL_NET, firejailOptions, type FirejailRequest } from './argv.js';
import { cleanFirejail } from './clean.js';
import { FirejailTarget } from './firejail.js';
import { FIREJAIL_WEAKENINGS } from './weakenings.js';

const BINARY = 'firejail';

const config = targetSchema('firejail', {
  /** firejail has no option to share a namespace it makes: the field exists so every target describes its sharing. */
  share: z.array(z.enum(NAMESPACES)).max(0, 'firejail always makes its mount, pid, uts and ipc namespaces; "net": "host" is its network default').default([]),
  rootChange: pivotRootOnly,
  /** "none": firejail's --net=none (a namespace with only loopback); "host": its default, no --net. */
  net: z.enum(FIREJAIL_NET).default('host'),
  /** Raw extra firejail arguments, after isoprobe's and before `--` (e.g. ["--caps.drop=all"]). */
  args: z.array(z.string()).default([]),
}).refine((c) => c.noNewPrivs !== false || c.seccomp === 'none', {
  path: ['noNewPrivs'],
  message: 'firejail sets no_new_privs while it loads a seccomp filter: noNewPrivs false needs seccomp "none"',
});

export type FirejailTargetConfig = z.infer<typeof config>;

/** The namespaces firejail leaves the host's: user, cgroup and time always, the network unless --net. */
function sharedBy(cfg: FirejailTargetConfig): Namespace[] {
  return ['user', 'cgroup', 'time', ...(cfg.net === 'host' ? (['net'] as const) : [])];
}

function settings(cfg: FirejailTargetConfig): Omit<FirejailRequest, 'hostname' | 'argv'> {
  return { net: cfg.net, capsAll: cfg.caps === 'all', seccompNone: cfg.seccomp === 'none', noNewPrivsOff: cfg.noNewPrivs === false, args: cfg.args };
}

export const firejail: TargetDriver<FirejailTargetConfig> = {
  kind: 'firejail',
  config,
  shorthands: { firejail: { name: 'firejail', runtime: 'firejail' } },
  delivery: 'rootfs',
  weakenings: FIREJAIL_WEAKENINGS,
  async preflight(cfgs) {
    const r = lookupBinary(BINARY);
    if ('notExecutable' in r) throw new EnvError(`firejail cannot be run: ${r.notExecutable} ${r.why} (needed by ${names(cfgs)})`);
    if ('missing' in r) throw new EnvError(missing(cfgs));
  },
  create(cfg, ctx) {
    // A last guard: preflight has looked for the binary before the run started anything.
    const binary = findBinary(BINARY);
    if (!binary) throw new EnvError(missing([cfg]));
    const cgroups = detectCgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    return new FirejailTarget(cfg.name, { binary, runDir: ctx.runDir, cgroups, files: projectProbeFiles(), settings: settings(cfg), observe: ctx.observe });
  },
  spec(cfg, argv) {
    // What firejail gives as asked: its namespaces, its profile's filters unless ignored, no cgroup.
    return { ...baseSpec(cfg, argv), share: sharedBy(cfg), limits: {} };
  },
  request(cfg, spec) {
    // The command line asks for the hostname (isoprobe's), and whatever the user's typed settings
    // add; the profile's lines are firejail's own default, not a request. A user's `args` are
    // passed through unread: what they ask is not in the request.
    const r: Request = { hostname: { value: spec.hostname, source: 'isoprobe' } };
    if (cfg.net === 'none') r['ns.net'] = { value: 'new', source: 'user config' };
    // Every capability in the host's user namespace is the harness's bounding set (never
    // CAP_SYS_RESOURCE on the project's VM): what --caps.keep of every name can keep.
    if (cfg.caps === 'all') r.caps = { value: { add: harnessBoundingCaps(), drop: [] }, source: 'user config' };
    if (cfg.seccomp === 'none') r.seccomp = { value: 'unconfined', source: 'user config' };
    if (cfg.noNewPrivs === false) r.noNewPrivs = { value: false, source: 'user config' };
    return r;
  },
  describe(cfg) {
    return firejailOptions({ ...settings(cfg), hostname: baseSpec(cfg, []).hostname });
  },
  clean: cleanFirejail,
};

function names(cfgs: FirejailTargetConfig[]): string {
  return `target ${cfgs.map((c) => `"${c.name}"`).join(', ')}`;
}

function missing(cfgs: FirejailTargetConfig[]): string {
  return `firejail is not installed ("firejail" not found in PATH), needed by ${names(cfgs)} (Debian: apt-get install firejail)`;
}
