/**
 * firejail as a target: each container is one `firejail` process running the probe in a sandbox
 * over the host's own root (./argv.ts). There is no rootfs: the probe binary is copied once into a
 * directory of the run, and each container gets a workspace directory of its own, its working
 * directory, whose `scratch` subdirectory is the spec's scratch. The lifecycle is the common one
 * (targets/common/lifecycle.ts); firejail supplies only the start (./sandbox.ts). It makes no
 * cgroup and cannot be asked for time offsets: the target says so in its capabilities, and those
 * checks skip.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CgroupLayout } from '../../host/cgroup.js';
import type { ContainerSpec, RunOutcome } from '../../model/spec.js';
import { SCRATCH_DIR, type ProbeFiles, type RunHooks, type Target, type TargetCapabilities } from '../../model/target.js';
import { runLifecycle } from '../common/lifecycle.js';
import { holdProbe } from '../common/observe.js';
import { makeScratch } from '../common/rootfs.js';
import { firejailArgv, type FirejailRequest } from './argv.js';
import { startSandbox } from './sandbox.js';

export interface FirejailOptions {
  /** The firejail binary's path (found in PATH by the driver). */
  binary: string;
  /** Per-run directory (under /run/isoprobe); removed by the run's cleanup. */
  runDir: string;
  cgroups: CgroupLayout;
  files: ProbeFiles;
  /** The typed settings and the user's raw extra arguments. */
  settings: Omit<FirejailRequest, 'hostname' | 'argv'>;
  timeoutMs?: number;
  /** Host-side observation (targets/common/lifecycle.ts); default true. */
  observe?: boolean;
}

let sandboxSeq = 0;

export class FirejailTarget implements Target {
  readonly runtime = 'firejail';
  readonly provides = ['container', 'reference', 'sentinels', 'observed', 'after', 'enforcement', 'siblings'] as const;
  readonly capabilities: TargetCapabilities = {
    timeOffsets: false,
    lsmProfile: { applied: false, why: "server.profile leaves firejail's apparmor line commented out, and isoprobe ships no policy" },
    cgroupLimits: { settable: false, why: "firejail makes no cgroup: its sandboxes run in their caller's" },
  };
  private probe: string | null = null;

  constructor(
    readonly name: string,
    private readonly opts: FirejailOptions,
  ) {}

  async info(): Promise<Record<string, string>> {
    return {
      runtime: 'firejail',
      binary: this.opts.binary,
      version: firejailVersion(this.opts.binary),
      cgroupMode: this.opts.cgroups.mode,
      kernel: os.release(),
    };
  }

  run(spec: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    const id = `firejail-${++sandboxSeq}`;
    const workspace = path.join(this.opts.runDir, `${this.name}-${id}-ws`);
    const scratch = path.join(workspace, SCRATCH_DIR);
    fs.mkdirSync(workspace, { mode: 0o755 });
    // The sandbox's root is the host's root (firejail maps no users), so root owns it.
    makeScratch(scratch, 0, 0);
    const probe = this.probePath();
    const argv = firejailArgv({ ...this.opts.settings, hostname: spec.hostname, argv: holdProbe(spec.argv) }, { probe, workspace });
    return runLifecycle(
      () =>
        startSandbox(argv, {
          target: this.name,
          binary: this.opts.binary,
          probe,
          scratch,
          runDir: this.opts.runDir,
          timeoutMs: this.opts.timeoutMs ?? 60_000,
          env: spec.env,
        }),
      { cgroups: this.opts.cgroups, observe: this.opts.observe, hooks },
    ).finally(() => fs.rmSync(workspace, { recursive: true, force: true }));
  }

  /** The probe binary in a host directory of the run, copied once per target. */
  private probePath(): string {
    if (this.probe === null) {
      const dir = path.join(this.opts.runDir, `${this.name}-probe`);
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      const probe = path.join(dir, 'probe');
      fs.copyFileSync(this.opts.files.probe, probe);
      fs.chmodSync(probe, 0o755);
      this.probe = probe;
    }
    return this.probe;
  }
}

/** `firejail --version`'s first line ("firejail version 0.9.72"). */
export function firejailVersion(binary: string): string {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  return r.error ? `unknown (${r.error.message})` : r.stdout.trim().split('\n')[0] || 'unknown';
}
