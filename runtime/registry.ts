/** Turns a validated target config into a Target: the one place that knows every runtime. */
import fs from 'node:fs';
import { SHIM_BINARY } from '../core/paths.js';
import type { TargetConfig } from '../core/targets-config.js';
import { BuiltinTarget } from './builtin/builtin.js';
import { detectCgroupLayout } from './builtin/cgroup.js';
import type { Target } from './target.js';

export interface TargetContext {
  /** Per-run directory for rootfs copies and bundles; removed by the run's cleanup. */
  runDir: string;
}

export function createTarget(cfg: TargetConfig, ctx: TargetContext): Target {
  switch (cfg.runtime) {
    case 'builtin': {
      const layout = detectCgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
      return new BuiltinTarget(cfg.name, { shimPath: SHIM_BINARY, runDir: ctx.runDir, cgroups: layout });
    }
  }
}
