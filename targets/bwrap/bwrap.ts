/**
 * bubblewrap as a target: each container is one `bwrap` process running the probe in a sandbox
 * built from the project's rootfs template (read-only, shared by the target's containers) and a
 * scratch directory of its own. The lifecycle is the common one (targets/common/lifecycle.ts);
 * bwrap supplies only the start (./sandbox.ts). It makes no cgroup, so the host sees the sandbox
 * in the harness's own cgroup, and it cannot be asked for limits or time offsets: the target
 * says so in its capabilities, and those checks skip.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CgroupLayout } from '../../host/cgroup.js';
import type { ContainerSpec, RunOutcome } from '../../model/spec.js';
import type { ProbeFiles, RunHooks, Target, TargetCapabilities } from '../../model/target.js';
import { runLifecycle } from '../common/lifecycle.js';
import { holdProbe } from '../common/observe.js';
import { buildTemplate, makeScratch } from '../common/rootfs.js';
import { bwrapArgv, type BwrapShareable } from './argv.js';
import { startSandbox } from './sandbox.js';

export interface BwrapOptions {
  /** The bwrap binary's path (found in PATH by the driver). */
  binary: string;
  /** Per-run directory (under /run/isoprobe); removed by the run's cleanup. */
  runDir: string;
  cgroups: CgroupLayout;
  files: ProbeFiles;
  /** The user's raw extra bwrap arguments. */
  args: readonly string[];
  /** "host": the host's / read-only (./argv.ts relocate). */
  rootfsMode?: 'template' | 'host';
  workspace?: string;
  timeoutMs?: number;
  /** Host-side observation (targets/common/lifecycle.ts); default true. */
  observe?: boolean;
}

let sandboxSeq = 0;

export class BwrapTarget implements Target {
  readonly runtime = 'bwrap';
  readonly provides = ['container', 'reference', 'sentinels', 'observed', 'after', 'enforcement', 'siblings'] as const;
  readonly capabilities: TargetCapabilities = {
    timeOffsets: false,
    lsmProfile: { applied: false, why: 'bwrap applies an LSM label only when given --exec-label, and isoprobe ships no policy' },
    cgroupLimits: { settable: false, why: "bwrap makes no cgroup: its sandboxes run in their caller's" },
  };
  private rootfs: string | null = null;

  constructor(
    readonly name: string,
    private readonly opts: BwrapOptions,
  ) {}

  async info(): Promise<Record<string, string>> {
    return { runtime: 'bwrap', binary: this.opts.binary, version: bwrapVersion(this.opts.binary), cgroupMode: this.opts.cgroups.mode, kernel: os.release() };
  }

  run(spec: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    const id = `bwrap-${++sandboxSeq}`;
    const scratch = path.join(this.opts.runDir, `${this.name}-${id}-scratch`);
    // Container root is host root (bwrap maps uid 0 to 0 when run by root), so root owns it.
    makeScratch(scratch, 0, 0);
    const argv = bwrapArgv(
      {
        share: spec.share as BwrapShareable[],
        hostname: spec.hostname,
        args: this.opts.args,
        rootfs: this.opts.rootfsMode,
        workspace: this.opts.workspace,
        argv: holdProbe(spec.argv),
      },
      { rootfs: this.template(), scratch },
    );
    return runLifecycle(
      () =>
        startSandbox(argv, {
          target: this.name,
          binary: this.opts.binary,
          scratch,
          runDir: this.opts.runDir,
          timeoutMs: this.opts.timeoutMs ?? 60_000,
          env: spec.env,
        }),
      {
        cgroups: this.opts.cgroups,
        observe: this.opts.observe,
        hooks,
      },
    ).finally(() => fs.rmSync(scratch, { recursive: true, force: true }));
  }

  private template(): string {
    if (this.rootfs === null) {
      const dir = path.join(this.opts.runDir, `${this.name}-rootfs`);
      buildTemplate(dir, this.opts.files);
      this.rootfs = dir;
    }
    return this.rootfs;
  }
}

export function bwrapVersion(binary: string): string {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  return r.error ? `unknown (${r.error.message})` : r.stdout.trim() || 'unknown';
}
