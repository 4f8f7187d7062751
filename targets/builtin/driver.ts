/**
 * The built-in runtime as a driver: isoprobe-shim (targets/builtin/shim.c) makes every container,
 * so every setting it applies is isoprobe's own request or the user's.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import { readTrimmed } from '../../host/files.js';
import { SHIM_BINARY } from '../../host/paths.js';
import type { TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import { DEFAULT_CAPS, NAMESPACES } from '../../model/spec.js';
import { baseSpec, describeBase, harnessBoundingCaps, joinSiblingField, requestFromSpec, targetSchema } from '../common/config.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { BuiltinTarget } from './builtin.js';
import { weakenings } from './weakenings.js';

const config = targetSchema('builtin', {
  /** Namespaces shared with the host: the negative controls. */
  share: z.array(z.enum(NAMESPACES)).default([]),
  rootChange: z.enum(['pivot_root', 'chroot']).default('pivot_root'),
  leakHostFd: z.boolean().optional(),
  /** The cgroupfs mounted inside: read-only (default) or writable (a weakening). */
  cgroupfs: z.enum(['ro', 'rw']).optional(),
  /** The seccomp filter judges only native calls: i386 and x32 calls pass unfiltered (a weakening). */
  seccompNativeOnly: z.boolean().optional(),
  ...joinSiblingField,
});

export type BuiltinTargetConfig = z.infer<typeof config>;

/** Keep in step with masked_paths[] and readonly_paths[] in ./harden.c. */
const BUILTIN_MASKED_PATHS = [
  '/proc/kcore',
  '/proc/keys',
  '/proc/timer_list',
  '/proc/sched_debug',
  '/proc/latency_stats',
  '/proc/scsi',
  '/proc/acpi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
const BUILTIN_READONLY_PATHS = ['/proc/sys', '/proc/sysrq-trigger', '/proc/irq', '/proc/bus'];

export const builtin: TargetDriver<BuiltinTargetConfig> = {
  kind: 'builtin',
  config,
  shorthands: { builtin: { name: 'builtin', runtime: 'builtin' } },
  delivery: 'rootfs',
  weakenings,
  async preflight() {
    if (!fs.existsSync(SHIM_BINARY)) throw new EnvError(`the shim binary is missing at ${SHIM_BINARY}: run "npm run build"`);
    if (readTrimmed('/proc/sys/user/max_user_namespaces') === '0') {
      throw new EnvError('user namespaces are disabled (user.max_user_namespaces = 0); the built-in runtime needs them');
    }
  },
  create(cfg, ctx) {
    const cgroups = detectCgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    return new BuiltinTarget(cfg.name, { shimPath: SHIM_BINARY, files: projectProbeFiles(), runDir: ctx.runDir, cgroups, observe: ctx.observe });
  },
  spec(cfg, argv) {
    return {
      ...baseSpec(cfg, argv),
      leakHostFd: cfg.leakHostFd ?? false,
      cgroupfs: cfg.cgroupfs ?? 'ro',
      ...(cfg.seccompNativeOnly ? { seccompNativeOnly: true } : {}),
    };
  },
  request(cfg, spec) {
    const r = requestFromSpec(cfg, spec);
    // --keep-caps keeps what the shim was started with: every capability in a new user namespace,
    // the harness's bounding set in the host's.
    if (spec.caps === 'all' && spec.share.includes('user')) {
      const held = harnessBoundingCaps();
      r.caps = { value: { add: held.filter((c) => !DEFAULT_CAPS.includes(c)), drop: DEFAULT_CAPS.filter((c) => !held.includes(c)) }, source: 'user config' };
    }
    // The shim sets no supplementary groups (setgroups(0, NULL)) and runs the probe as root inside.
    r.user = { value: { uid: 0, gid: 0, groups: [] }, source: 'isoprobe' };
    // Its root, masked and read-only paths are mounts of its own mount namespace (shim.c setup_root).
    if (!spec.share.includes('mnt')) {
      r.readonlyRootfs = { value: true, source: 'isoprobe' };
      r.maskedPaths = { value: [...BUILTIN_MASKED_PATHS], source: 'isoprobe' };
      r.readonlyPaths = { value: [...BUILTIN_READONLY_PATHS], source: 'isoprobe' };
    }
    return r;
  },
  describe(cfg) {
    const cgroupfs = cfg.cgroupfs ?? 'ro';
    return [
      ...describeBase(cfg, { share: 'isoprobe', root: 'isoprobe', caps: 'isoprobe', limits: 'isoprobe', seccomp: 'isoprobe', 'no-new-privs': 'isoprobe' }),
      { setting: 'cgroupfs', value: cgroupfs, source: cgroupfs === 'ro' ? 'isoprobe' : 'user config' },
      ...(cfg.leakHostFd ? [{ setting: 'leak-host-fd', value: 'true', source: 'user config' as const }] : []),
    ];
  },
  // Its processes, mounts, cgroups and run directories are the host sweep's (host/reap.ts cleanHost).
  async clean() {
    return [];
  },
};
