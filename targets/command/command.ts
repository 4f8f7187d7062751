/**
 * A user's wrapper command line as a target: each container is one run of that command line, its
 * placeholders filled in (./placeholders.ts), the probe found by its nonce (./locate.ts) and
 * observed through the common lifecycle (targets/common/lifecycle.ts). isoprobe cannot tell the
 * wrapper anything beyond its command line, so it cannot ask for cgroup limits or time offsets
 * (those checks skip with target-feature), nor an LSM profile; what the wrapper does is what is
 * measured.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CgroupLayout } from '../../host/cgroup.js';
import type { ContainerSpec, RunOutcome } from '../../model/spec.js';
import { PROBE_PATH, SCRATCH_DIR, type ProbeFiles, type RunHooks, type Target, type TargetCapabilities } from '../../model/target.js';
import { runLifecycle } from '../common/lifecycle.js';
import { holdProbe } from '../common/observe.js';
import { buildTemplate, makeScratch } from '../common/rootfs.js';
import { startContainer, wrapperEnv } from './container.js';
import { fileId, nonceArg } from './locate.js';
import { expandArgv, uses } from './placeholders.js';

/** Where {probe} points: a copy of the probe on the host, or the probe inside the rootfs template (for a wrapper that makes {rootfs} its root). */
export type ProbeRoot = 'host' | 'template';

export interface CommandOptions {
  /** The wrapper binary: argv[0] resolved in PATH by the driver. */
  binary: string;
  /** The config's argv, placeholders unexpanded. */
  argv: readonly string[];
  env: Record<string, string>;
  rootfs: ProbeRoot;
  /** Per-run directory (under /run/isoprobe); removed by the run's cleanup. */
  runDir: string;
  cgroups: CgroupLayout;
  files: ProbeFiles;
  timeoutMs?: number;
  observe?: boolean;
}

let containerSeq = 0;

export class CommandTarget implements Target {
  readonly runtime = 'command';
  readonly provides = ['container', 'reference', 'sentinels', 'observed', 'after', 'enforcement', 'siblings'] as const;
  readonly capabilities: TargetCapabilities = {
    timeOffsets: false,
    lsmProfile: { applied: false, why: 'a command target is its argv: isoprobe asks its wrapper for no LSM profile' },
    cgroupLimits: {
      settable: false,
      why: 'a command target is its argv: isoprobe cannot ask its wrapper for cgroup limits (a wrapper that sets some is measured, not asked)',
    },
  };
  private template: string | null = null;
  private hostProbe: string | null = null;

  constructor(
    readonly name: string,
    private readonly opts: CommandOptions,
  ) {}

  async info(): Promise<Record<string, string>> {
    return {
      runtime: 'command',
      binary: this.opts.binary,
      argv: this.opts.argv.join(' '),
      version: wrapperVersion(this.opts.binary),
      cgroupMode: this.opts.cgroups.mode,
      kernel: os.release(),
    };
  }

  run(spec: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    const id = `c${++containerSeq}`;
    const nonce = randomBytes(8).toString('hex');
    // The workspace is the wrapper's cwd; the probe's relative scratch/ (engine/run.ts) is in it.
    const workspace = path.join(this.opts.runDir, `${this.name}-${id}`);
    const scratch = path.join(workspace, SCRATCH_DIR);
    fs.mkdirSync(workspace, { mode: 0o755 });
    makeScratch(scratch, 0, 0);
    const held = holdProbe(spec.argv);
    const rootfs = uses(this.opts.argv, 'rootfs') || this.opts.rootfs === 'template' ? this.rootfsTemplate() : '';
    const probeFile = this.opts.rootfs === 'template' ? path.join(rootfs, PROBE_PATH) : this.probeCopy();
    const args = expandArgv(this.opts.argv, {
      probe: this.opts.rootfs === 'template' ? PROBE_PATH : probeFile,
      // The nonce before the subcommand: the probe ignores it (probes/main.c), the host finds it by it.
      args: [nonceArg(nonce), ...held.slice(1)],
      workspace,
      rootfs,
      nonce,
    });
    return runLifecycle(
      () =>
        startContainer({
          target: this.name,
          binary: this.opts.binary,
          args: args.slice(1),
          env: wrapperEnv(this.opts.env, spec.env),
          workspace,
          scratch,
          runDir: this.opts.runDir,
          nonce,
          probe: fileId(probeFile),
          held: held.includes('--wait-stdin'),
          timeoutMs: this.opts.timeoutMs ?? 60_000,
        }),
      { cgroups: this.opts.cgroups, observe: this.opts.observe, hooks },
    ).finally(() => fs.rmSync(workspace, { recursive: true, force: true }));
  }

  private rootfsTemplate(): string {
    if (this.template === null) {
      const dir = path.join(this.opts.runDir, `${this.name}-rootfs`);
      buildTemplate(dir, this.opts.files);
      this.template = dir;
    }
    return this.template;
  }

  /** The probe on the host, for a wrapper that runs it from the host's file system: in the run directory, root's, mode 0755. */
  private probeCopy(): string {
    if (this.hostProbe === null) {
      const file = path.join(this.opts.runDir, `${this.name}-probe`);
      fs.copyFileSync(this.opts.files.probe, file);
      fs.chmodSync(file, 0o755);
      this.hostProbe = file;
    }
    return this.hostProbe;
  }
}

/** The wrapper's `--version` first line, where it has one (unshare, bwrap, firejail do); shown, never compared. */
export function wrapperVersion(binary: string): string {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  if (r.error || r.status !== 0) return 'unknown';
  return (r.stdout || r.stderr).trim().split('\n')[0] || 'unknown';
}
