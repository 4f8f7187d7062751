/**
 * LXC as a target: each container is one `lxc-execute` of a configuration isoprobe writes
 * (./conf.ts) over a root directory of its own, built from the project's rootfs template, in
 * isoprobe's own lxcpath inside the run directory. The lifecycle is the common one
 * (targets/common/lifecycle.ts). LXC can be asked for cgroup limits and time offsets: both are
 * sent, as isoprobe's request.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CgroupLayout } from '../../host/cgroup.js';
import { readOrNull } from '../../host/files.js';
import { intend, own } from '../../host/journal.js';
import type { ContainerSpec, RunOutcome } from '../../model/spec.js';
import type { ProbeFiles, RunHooks, Target, TargetCapabilities } from '../../model/target.js';
import { runLifecycle } from '../common/lifecycle.js';
import { holdProbe } from '../common/observe.js';
import { buildTemplate, makeScratch } from '../common/rootfs.js';
import { cgroupResources, containerCgroups, killCgroups, relativeCgroup, removeCgroups } from './cgroup.js';
import { type IdRange, type LxcShareable, lxcConfig } from './conf.js';
import { startSandbox } from './sandbox.js';

export interface LxcOptions {
  binary: string;
  /** Per-run directory (under /run/isoprobe); removed by the run's cleanup. */
  runDir: string;
  cgroups: CgroupLayout;
  /** Every mounted cgroup hierarchy (./cgroup.ts lxcHierarchies). */
  hierarchies: readonly string[];
  files: ProbeFiles;
  share: readonly LxcShareable[];
  idmap: { uid: IdRange; gid: IdRange } | null;
  caps: 'default' | 'all';
  seccomp: 'default' | 'none';
  noNewPrivs: boolean;
  config: readonly string[];
  timeoutMs?: number;
  observe?: boolean;
}

let containerSeq = 0;

/**
 * A container name of this run's own: "isoprobe-<run dir's name>-lxc-<n>". The kind is in it: the
 * name is also the container's directory and cgroup beside other kinds' (nspawn's machines).
 */
export function containerName(runDir: string, seq: number): string {
  return `isoprobe-${path.basename(runDir).replace(/[^A-Za-z0-9-]/g, '-')}-lxc-${seq}`;
}

/** AppArmor is in force when its module says so; LXC then loads the profile it generates. */
function apparmorEnabled(): boolean {
  return (readOrNull('/sys/module/apparmor/parameters/enabled') ?? '').trim() === 'Y';
}

export class LxcTarget implements Target {
  readonly runtime = 'lxc';
  readonly provides = ['container', 'reference', 'sentinels', 'observed', 'after', 'enforcement', 'siblings'] as const;
  readonly capabilities: TargetCapabilities = {
    timeOffsets: true,
    lsmProfile: apparmorEnabled()
      ? { applied: true }
      : { applied: false, why: 'LXC generates an AppArmor profile (lxc.apparmor.profile = generated), but AppArmor is not enabled on this host' },
  };

  constructor(
    readonly name: string,
    private readonly opts: LxcOptions,
  ) {}

  async info(): Promise<Record<string, string>> {
    return { runtime: 'lxc', binary: this.opts.binary, version: lxcVersion(this.opts.binary), cgroupMode: this.opts.cgroups.mode, kernel: os.release() };
  }

  async run(spec: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    const name = containerName(this.opts.runDir, ++containerSeq);
    const lxcpath = path.join(this.opts.runDir, 'lxc');
    const root = path.join(this.opts.runDir, name);
    const scratch = path.join(this.opts.runDir, `${name}-scratch`);
    const configFile = path.join(this.opts.runDir, `${name}.conf`);
    const cgroups = containerCgroups(this.opts.hierarchies, name);
    // Journalled before LXC makes them: a SIGKILL mid-creation leaves them to the reaper.
    const intent = intend([...cgroupResources(cgroups), { kind: 'lxc', lxcpath, name }]);
    const removeOwn = own(intent, `cgroups of ${name}`, async () => {
      killCgroups(cgroups);
      await removeCgroups(cgroups);
    });
    try {
      // Searchable by the container's mapped root (idmap): LXC opens it from inside the user namespace.
      fs.mkdirSync(lxcpath, { recursive: true, mode: 0o711 });
      buildTemplate(root, this.opts.files);
      const rootId = this.opts.idmap?.uid.start ?? 0;
      makeScratch(scratch, rootId, this.opts.idmap?.gid.start ?? 0);
      const conf = lxcConfig(
        {
          hostname: spec.hostname,
          share: this.opts.share,
          idmap: this.opts.idmap,
          caps: this.opts.caps,
          seccomp: this.opts.seccomp,
          noNewPrivs: this.opts.noNewPrivs,
          limits: spec.limits,
          timeOffsets: spec.timeOffsets,
          env: spec.env ?? {},
          config: this.opts.config,
        },
        { root, scratch, cgroup: relativeCgroup(name) },
        this.opts.cgroups,
      );
      fs.writeFileSync(configFile, conf, { mode: 0o600 });
      return await runLifecycle(
        () =>
          startSandbox({
            target: this.name,
            binary: this.opts.binary,
            name,
            lxcpath,
            configFile,
            argv: holdProbe(spec.argv),
            scratch,
            cgroups,
            timeoutMs: this.opts.timeoutMs ?? 60_000,
          }),
        { cgroups: this.opts.cgroups, observe: this.opts.observe, hooks },
      );
    } finally {
      await removeOwn();
      for (const p of [root, scratch, configFile, path.join(lxcpath, name)]) fs.rmSync(p, { recursive: true, force: true });
    }
  }
}

export function lxcVersion(binary: string): string {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  return r.error ? `unknown (${r.error.message})` : r.stdout.split('\n')[0]?.trim() || 'unknown';
}
