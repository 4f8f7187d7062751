/**
 * Any OCI runtime binary (runc, crun, ...) as a driver: isoprobe writes the whole bundle
 * (../common/oci-config.ts), so every setting is its request or the user's (a specPatch over config.json).
 */
import fs from 'node:fs';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import { findBinary, lookupBinary } from '../../host/which.js';
import type { TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import { NAMESPACES } from '../../model/spec.js';
import { baseSpec, describeBase, harnessBoundingCaps, joinSiblingField, pivotRootOnly, rawObject, targetSchema } from '../common/config.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { OciTarget } from './oci.js';
import { ociRequest } from '../common/oci-request.js';
import { cleanJournalled } from '../common/oci-reap.js';
import { weakenings } from './weakenings.js';
import { readSeccompProfileFile } from '../common/seccomp-file.js';
import { mergePatch } from '../../model/merge-patch.js';

const config = targetSchema('oci', {
  /** The OCI runtime binary: a name looked up in PATH, or a path. */
  binary: z.string().min(1),
  share: z.array(z.enum(NAMESPACES)).default([]),
  rootChange: pivotRootOnly,
  /** An RFC 7386 JSON merge patch applied to the generated config.json. */
  specPatch: rawObject.optional(),
  /** A seccomp profile file (OCI form), written as config.json's linux.seccomp. */
  seccompProfile: z.string().min(1).optional(),
  ...joinSiblingField,
});

export type OciTargetConfig = z.infer<typeof config>;

/** The runtimes `--runtime` knows by name; `isoprobe clean` looks at their state. */
const SHORTHANDS = ['runc', 'crun'];

export const oci: TargetDriver<OciTargetConfig> = {
  kind: 'oci',
  config,
  shorthands: Object.fromEntries(SHORTHANDS.map((b) => [b, { name: b, runtime: 'oci', binary: b }])),
  delivery: 'rootfs',
  weakenings,
  async preflight(cfgs) {
    for (const c of cfgs) {
      if (c.seccompProfile) readSeccompProfileFile(c.seccompProfile, c.name);
      const r = lookupBinary(c.binary);
      if ('notExecutable' in r) throw new EnvError(`the OCI runtime of target "${c.name}" cannot be run: ${r.notExecutable} ${r.why}`);
      if ('missing' in r) throw new EnvError(missingBinary(c.binary, c.name));
    }
  },
  create(cfg, ctx) {
    // A last guard: preflight has looked for the binary before the run started anything.
    if (!findBinary(cfg.binary)) throw new EnvError(missingBinary(cfg.binary, cfg.name));
    const cgroups = detectCgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    return new OciTarget(cfg.name, {
      binary: cfg.binary,
      runDir: ctx.runDir,
      cgroups,
      files: projectProbeFiles(),
      specPatch: cfg.specPatch,
      ...(cfg.seccompProfile ? { seccompProfile: readSeccompProfileFile(cfg.seccompProfile, cfg.name) } : {}),
      observe: ctx.observe,
    });
  },
  spec: baseSpec,
  // The profile file replaces linux.seccomp; as a patch here it only has to tell the request it is the user's.
  request: (cfg, spec) =>
    ociRequest(
      cfg.seccompProfile
        ? {
            ...cfg,
            specPatch: mergePatch(cfg.specPatch ?? {}, { linux: { seccomp: readSeccompProfileFile(cfg.seccompProfile, cfg.name) } }) as Record<string, unknown>,
          }
        : cfg,
      spec,
      harnessBoundingCaps(),
    ),
  describe(cfg) {
    return [
      ...describeBase(cfg, { share: 'isoprobe', root: 'isoprobe', caps: 'isoprobe', limits: 'isoprobe', seccomp: 'isoprobe', 'no-new-privs': 'isoprobe' }),
      ...(cfg.specPatch ? [{ setting: 'specPatch', value: JSON.stringify(cfg.specPatch), source: 'user config' as const }] : []),
      ...(cfg.seccompProfile ? [{ setting: 'seccompProfile', value: cfg.seccompProfile, source: 'user config' as const }] : []),
    ];
  },
  // Only what dead runs' journals list (../common/oci-reap.ts): the shorthands' runtimes, and any other binary named there.
  async clean(ctx) {
    const binaries = [...new Set([...SHORTHANDS, ...ctx.entries.flatMap((e) => (e.kind === 'oci' ? [e.binary] : []))])];
    const items = [];
    for (const b of binaries) items.push(await cleanJournalled(b, ctx.entries, ctx.keep));
    return items;
  },
};

function missingBinary(binary: string, target: string): string {
  return `the OCI runtime "${binary}" of target "${target}" is not installed (not found in PATH)`;
}
