/**
 * gVisor (runsc) as a driver: one container per `runsc run` on a bundle isoprobe writes, the way
 * its users run one (./gvisor.ts). Its own settings are runsc's global flags (`flags`, raw, as
 * `hostConfig` is for Docker) and a merge patch over config.json; isoprobe adds `--network=none`
 * where the flags name no network, and says so in the request and the settings
 * (targets/common/gvisor.ts NETWORK_NONE_WHY).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import { findBinary, lookupBinary } from '../../host/which.js';
import type { TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import { baseSpec, describeBase, harnessBoundingCaps, pivotRootOnly, rawObject, targetSchema } from '../common/config.js';
import { runscRequest, runscSettings } from '../common/gvisor.js';
import { ociRequest } from '../common/oci-request.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { cleanGvisor } from './clean.js';
import { GvisorTarget } from './gvisor.js';
import { GVISOR_WEAKENINGS } from './weakenings.js';

/**
 * runsc's state root, one per run in the run's directory: `runsc list` there shows only that
 * run's sandboxes (never another runsc user's), the journal names it for the reaper, and it goes
 * with the run directory.
 */
export function runscStateRoot(runDir: string): string {
  return path.join(runDir, 'runsc');
}

const config = targetSchema('gvisor', {
  binary: z.string().min(1).default('runsc'),
  /** runsc cannot be asked to share a host namespace through config.json: its weakenings are its flags. */
  share: z.array(z.never()).default([]),
  rootChange: pivotRootOnly,
  /** runsc's own global flags, before the verb (e.g. ["--network=host"], ["--platform=kvm"]). */
  flags: z.array(z.string()).default([]),
  /** An RFC 7386 JSON merge patch applied to the generated config.json. */
  specPatch: rawObject.optional(),
});

export type GvisorTargetConfig = z.infer<typeof config>;

export const gvisor: TargetDriver<GvisorTargetConfig> = {
  kind: 'gvisor',
  config,
  shorthands: { runsc: { name: 'runsc', runtime: 'gvisor' } },
  delivery: 'rootfs',
  weakenings: GVISOR_WEAKENINGS,
  async preflight(cfgs) {
    for (const c of cfgs) {
      const r = lookupBinary(c.binary);
      if ('notExecutable' in r) throw new EnvError(`runsc of target "${c.name}" cannot be run: ${r.notExecutable} ${r.why}`);
      if ('missing' in r) throw new EnvError(missingBinary(c.binary, c.name));
    }
  },
  create(cfg, ctx) {
    if (!findBinary(cfg.binary)) throw new EnvError(missingBinary(cfg.binary, cfg.name));
    const stateRoot = runscStateRoot(ctx.runDir);
    fs.mkdirSync(stateRoot, { recursive: true, mode: 0o700 });
    return new GvisorTarget(cfg.name, {
      binary: cfg.binary,
      flags: cfg.flags,
      stateRoot,
      runDir: ctx.runDir,
      cgroups: detectCgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8')),
      files: projectProbeFiles(),
      specPatch: cfg.specPatch,
      observe: ctx.observe,
    });
  },
  spec: baseSpec,
  // The bundle's request, then what runsc's flags decide over it (the network).
  request: (cfg, spec) => ({ ...ociRequest(cfg, spec, harnessBoundingCaps()), ...runscRequest(cfg.flags) }),
  describe(cfg) {
    return [
      ...describeBase(cfg, { share: 'isoprobe', root: 'isoprobe', caps: 'isoprobe', limits: 'isoprobe', seccomp: 'isoprobe', 'no-new-privs': 'isoprobe' }),
      ...runscSettings(cfg.flags),
      ...(cfg.specPatch ? [{ setting: 'specPatch', value: JSON.stringify(cfg.specPatch), source: 'user config' as const }] : []),
    ];
  },
  clean: (ctx) => cleanGvisor(ctx.entries, ctx.keep),
};

function missingBinary(binary: string, target: string): string {
  return `runsc "${binary}" of target "${target}" is not installed (not found in PATH; Debian: apt-get install runsc)`;
}
