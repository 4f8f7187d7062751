/**
 * Any wrapper command line as a driver (issue 13): `{"runtime": "command", "argv": [...]}` with
 * placeholders (./placeholders.ts) where the probe and its arguments go. isoprobe adds only what
 * observation needs: `--nonce=<nonce>` first in {args} (to find the probe's pid, ./locate.ts),
 * the probe's --wait-stdin hold, and the workspace as the wrapper's cwd. The wrapper's settings
 * are its argv: nothing else can be asked of it, so the request is empty and the common options
 * that would ask for something (caps, seccomp, no_new_privs) are refused.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import { lookupBinary } from '../../host/which.js';
import type { TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import { NAMESPACES } from '../../model/spec.js';
import { baseSpec, pivotRootOnly, targetSchema } from '../common/config.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { cleanCommand } from './clean.js';
import { CommandTarget } from './command.js';
import { argvProblem } from './placeholders.js';
import { COMMAND_WEAKENINGS, UNSHARE_ARGV } from './weakenings.js';

const argv = z.array(z.string()).superRefine((a, ctx) => {
  const why = argvProblem(a);
  if (why !== null) ctx.addIssue({ code: 'custom', message: why });
});

const config = targetSchema('command', {
  /** The wrapper's command line, placeholders and all. */
  argv,
  /** Variables for the wrapper's environment, beside PATH and HOME. */
  env: z.record(z.string(), z.string()).default({}),
  /** Where {probe} points: "host", a copy of the probe in the run directory; "template", /isoprobe/probe inside {rootfs}. */
  rootfs: z.enum(['host', 'template']).default('host'),
  /** A command target shares what its argv shares. */
  share: z.array(z.enum(NAMESPACES)).max(0, 'a command target shares what its argv shares: change argv').default([]),
  rootChange: pivotRootOnly,
})
  .refine((c) => c.caps === 'default', { path: ['caps'], message: 'a command target cannot be asked for capabilities: change argv' })
  .refine((c) => c.seccomp !== 'none', { path: ['seccomp'], message: 'a command target cannot be asked for a seccomp filter: change argv' })
  .refine((c) => c.noNewPrivs !== false, { path: ['noNewPrivs'], message: 'a command target cannot be asked for no_new_privs: change argv' });

export type CommandTargetConfig = z.infer<typeof config>;

export const command: TargetDriver<CommandTargetConfig> = {
  kind: 'command',
  config,
  shorthands: { command: { name: 'command', runtime: 'command', argv: UNSHARE_ARGV } },
  delivery: 'rootfs',
  weakenings: COMMAND_WEAKENINGS,
  async preflight(cfgs) {
    for (const c of cfgs) {
      const r = lookupBinary(c.argv[0]);
      if ('notExecutable' in r) throw new EnvError(`target "${c.name}": wrapper ${r.notExecutable} ${r.why}`);
      if ('missing' in r) throw new EnvError(`target "${c.name}": wrapper "${c.argv[0]}" not found${c.argv[0].includes('/') ? '' : ' in PATH'}`);
    }
  },
  create(cfg, ctx) {
    const r = lookupBinary(cfg.argv[0]);
    if (!('found' in r)) throw new EnvError(`target "${cfg.name}": wrapper "${cfg.argv[0]}" cannot be run`);
    const cgroups = detectCgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    return new CommandTarget(cfg.name, {
      binary: r.found,
      argv: cfg.argv,
      env: cfg.env,
      rootfs: cfg.rootfs,
      runDir: ctx.runDir,
      cgroups,
      files: projectProbeFiles(),
      observe: ctx.observe,
    });
  },
  spec(cfg, argvOfProbe) {
    return { ...baseSpec(cfg, argvOfProbe), limits: {} };
  },
  request() {
    // Nothing is asked of the wrapper beyond its own command line, which the user wrote.
    return {};
  },
  describe(cfg) {
    return [
      { setting: 'argv', value: cfg.argv.join(' '), source: 'user config' },
      { setting: 'rootfs', value: cfg.rootfs, source: cfg.rootfs === 'host' ? 'isoprobe' : 'user config' },
      {
        setting: 'environment',
        value: ['PATH', 'HOME', ...Object.keys(cfg.env)].join(','),
        source: Object.keys(cfg.env).length > 0 ? 'user config' : 'isoprobe',
      },
      { setting: 'observation', value: '--nonce=<nonce> before the probe subcommand; --wait-stdin; cwd = {workspace}', source: 'isoprobe' },
      { setting: 'limits', value: 'none asked (a wrapper is its argv)', source: 'runtime default' },
    ];
  },
  clean: cleanCommand,
};
