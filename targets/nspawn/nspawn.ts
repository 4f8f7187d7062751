/**
 * systemd-nspawn as a target: each container is one `systemd-nspawn` process running the probe in
 * a directory tree of its own (nspawn locks and writes its root, so containers cannot share one),
 * built from the project's rootfs template plus the one thing nspawn asks of an OS tree, /usr
 * (systemd 252 refuses a directory without it; /etc/os-release is not needed to run a command).
 * The lifecycle is the common one (targets/common/lifecycle.ts). nspawn cannot be asked for time
 * offsets, and cgroup limits only through --property, which needs systemd: the target says so in
 * its capabilities, and those checks skip.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CgroupLayout } from '../../host/cgroup.js';
import { intend, own } from '../../host/journal.js';
import type { ContainerSpec, RunOutcome } from '../../model/spec.js';
import type { ProbeFiles, RunHooks, Target, TargetCapabilities } from '../../model/target.js';
import { runLifecycle } from '../common/lifecycle.js';
import { holdProbe } from '../common/observe.js';
import { buildTemplate, makeScratch } from '../common/rootfs.js';
import { nspawnArgv, nspawnEnv, type NspawnShareable } from './argv.js';
import { cgroupResources, containerCgroups, killCgroups, makeCgroups, removeCgroups } from './cgroup.js';
import { startSandbox } from './sandbox.js';

export interface NspawnOptions {
  binary: string;
  /** Per-run directory (under /run/isoprobe); removed by the run's cleanup. */
  runDir: string;
  cgroups: CgroupLayout;
  /** The hierarchies nspawn places itself in (./cgroup.ts nspawnHierarchies). */
  hierarchies: readonly string[];
  files: ProbeFiles;
  share: readonly NspawnShareable[];
  caps: 'default' | 'all';
  seccomp: 'default' | 'none';
  args: readonly string[];
  timeoutMs?: number;
  observe?: boolean;
}

let containerSeq = 0;

/** A machine name of this run's own: "isoprobe-<run dir's name>-<n>", within nspawn's 64 characters. */
export function machineName(runDir: string, seq: number): string {
  const run = path.basename(runDir).replace(/[^A-Za-z0-9-]/g, '-');
  const prefix = `isoprobe-${run}`.slice(0, 52);
  return `${prefix}-${seq}`;
}

export class NspawnTarget implements Target {
  readonly runtime = 'nspawn';
  readonly provides = ['container', 'reference', 'sentinels', 'observed', 'after', 'enforcement', 'siblings'] as const;
  readonly capabilities: TargetCapabilities = {
    timeOffsets: false,
    lsmProfile: { applied: false, why: 'nspawn applies an SELinux label only when given --selinux-context, and isoprobe ships no policy' },
    cgroupLimits: { settable: false, why: 'nspawn sets cgroup limits only through --property, which asks systemd for a scope: no systemd on this host' },
  };

  constructor(
    readonly name: string,
    private readonly opts: NspawnOptions,
  ) {}

  async info(): Promise<Record<string, string>> {
    return { runtime: 'nspawn', binary: this.opts.binary, version: nspawnVersion(this.opts.binary), cgroupMode: this.opts.cgroups.mode, kernel: os.release() };
  }

  async run(spec: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    const machine = machineName(this.opts.runDir, ++containerSeq);
    const root = path.join(this.opts.runDir, machine);
    const scratch = path.join(this.opts.runDir, `${machine}-scratch`);
    const cgroups = containerCgroups(this.opts.hierarchies, machine);
    // Journalled before they are made: a SIGKILL mid-creation leaves them to the reaper.
    // The machine before its nspawn exists (no pid yet): a run killed before nspawn is journalled
    // at its birth still tells the reaper which machine's state to look for (./clean.ts).
    const intent = intend([...cgroupResources(cgroups), { kind: 'nspawn', pid: 0, start: '', runDir: this.opts.runDir, machine }]);
    makeCgroups(cgroups);
    const removeOwn = own(intent, `cgroups of ${machine}`, async () => {
      killCgroups(cgroups);
      await removeCgroups(cgroups);
    });
    try {
      buildTemplate(root, this.opts.files);
      fs.mkdirSync(path.join(root, 'usr'), { mode: 0o755 });
      makeScratch(scratch, 0, 0);
      const argv = nspawnArgv(
        {
          share: this.opts.share,
          machine,
          hostname: spec.hostname,
          caps: this.opts.caps,
          env: spec.env ?? {},
          args: this.opts.args,
          argv: holdProbe(spec.argv),
        },
        { root, scratch },
      );
      return await runLifecycle(
        () =>
          startSandbox({
            target: this.name,
            binary: this.opts.binary,
            argv,
            env: nspawnEnv(this.opts.seccomp),
            machine,
            root,
            scratch,
            runDir: this.opts.runDir,
            cgroups,
            timeoutMs: this.opts.timeoutMs ?? 60_000,
          }),
        { cgroups: this.opts.cgroups, observe: this.opts.observe, hooks },
      );
    } finally {
      await removeOwn();
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(path.join(this.opts.runDir, `.#${machine}.lck`), { force: true });
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
}

export function nspawnVersion(binary: string): string {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  return r.error ? `unknown (${r.error.message})` : r.stdout.split('\n')[0]?.trim() || 'unknown';
}
