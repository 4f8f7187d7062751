/**
 * The built-in runtime: isoprobe-shim does the single-threaded work inside, this class does what
 * needs the host from outside (id maps, cgroups, the rootfs) and hands the shim, held at READY,
 * to targets/common/lifecycle.ts, which observes the container while it is set up but not yet
 * running the probe.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { intend, journal, own } from '../../host/journal.js';
import type { ContainerSpec, RunOutcome } from '../../model/spec.js';
import { SCRATCH_DIR, TargetError, type ProbeFiles, type RunHooks, type Target } from '../../model/target.js';
import type { CgroupLayout } from '../../host/cgroup.js';
import { runLifecycle } from '../common/lifecycle.js';
import { defaultSeccomp } from '../common/oci-seccomp.js';
import { cgroupPaths, createCgroup, type CgroupPlacement } from './cgroup.js';
import { cgroupfsMounts, describeCgroupfs, type CgroupfsMount } from './cgroupfs.js';
import { DEFAULT_ID_MAPPING, writeIdMaps, type IdMapping } from './idmap.js';
import { buildTemplate, instantiate, makeScratch } from '../common/rootfs.js';
import { startShim } from './shim-session.js';
import { shimArgs } from './shim-args.js';

export interface BuiltinOptions {
  shimPath: string;
  /** The project's binaries, copied into the shared rootfs template (targets/common/rootfs.ts). */
  files: ProbeFiles;
  /** Per-run directory (under /run/isoprobe); removed by the run's cleanup. */
  runDir: string;
  cgroups: CgroupLayout;
  /** The host's mountinfo, whose cgroup hierarchies are shown inside (default: read at construction). */
  hostMountinfo?: string;
  idMapping?: IdMapping;
  timeoutMs?: number;
  /** Skip host-side observation (the benchmark measures the bare runtime). */
  observe?: boolean;
}

let containerSeq = 0;

interface FsLayout {
  rootfs: string;
  /** Host path of the container's scratch directory. */
  scratch: string;
  /** Set when the shim must bind `scratch` over the rootfs's scratch mount point. */
  scratchMount?: string;
}

export class BuiltinTarget implements Target {
  readonly runtime = 'builtin';
  readonly provides = ['container', 'reference', 'sentinels', 'observed', 'after', 'enforcement', 'siblings'] as const;
  readonly capabilities = {
    timeOffsets: true,
    lsmProfile: { applied: false as const, why: 'the built-in runtime loads no AppArmor/SELinux profile (isoprobe ships no policy)' },
  };
  private template: string | null = null;
  private readonly cgroupfs: CgroupfsMount[];

  constructor(
    readonly name: string,
    private readonly opts: BuiltinOptions,
  ) {
    this.cgroupfs = cgroupfsMounts(opts.hostMountinfo ?? fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  }

  async info(): Promise<Record<string, string>> {
    return {
      runtime: 'builtin',
      shim: this.opts.shimPath,
      cgroupMode: this.opts.cgroups.mode,
      kernel: os.release(),
      cgroupfs: describeCgroupfs(this.cgroupfs),
    };
  }

  async run(spec: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    const mapping = this.opts.idMapping ?? DEFAULT_ID_MAPPING;
    // The run's id in the cgroup name: people can tell whose it is (the journal tells the reaper).
    const id = `${this.name}-${process.pid}-${journal().id}-${++containerSeq}`;
    const mine = path.join(this.opts.runDir, id);
    const files = intend({ kind: 'dir', path: mine });
    const layout = this.layoutFor(spec, mine, mapping);
    const removeOwn = own(files, `container files ${mine}`, () => fs.rmSync(mine, { recursive: true, force: true }));
    let cgroup: CgroupPlacement | null = null;
    // Journalled before they are made: a SIGKILL mid-creation leaves them to the reaper.
    const paths = cgroupPaths(this.opts.cgroups, id);
    const parents = [...new Set(paths.map((p) => path.dirname(p)))].map((p) => ({ kind: 'cgroup' as const, path: p, shared: true as const }));
    const intent = intend([...parents, ...paths.map((p) => ({ kind: 'cgroup' as const, path: p }))]);
    try {
      cgroup = createCgroup(this.opts.cgroups, id, spec.limits);
      const placed = cgroup;
      const removeCgroup = own(intent, `cgroup ${paths.join(',')}`, () => placed.remove());
      try {
        return await this.runIn(spec, layout, cgroup, mapping, hooks);
      } finally {
        await removeCgroup();
      }
    } catch (e) {
      if (e instanceof TargetError) throw e;
      throw new TargetError(this.name, (e as Error).message);
    } finally {
      await removeOwn();
    }
  }

  private async runIn(spec: ContainerSpec, fsLayout: FsLayout, cgroup: CgroupPlacement, mapping: IdMapping, hooks?: RunHooks): Promise<RunOutcome> {
    // A sibling that joins another's namespaces joins its (already mapped) user namespace too.
    const newUserNs = !spec.share.includes('user') && !spec.joinSibling;
    const args = shimArgs(spec, fsLayout.rootfs, fsLayout.scratchMount, this.cgroupfs);
    const outcome = await runLifecycle(
      async () => {
        const shim = await startShim(
          this.opts.shimPath,
          args,
          {
            onPid: (pid) => {
              if (newUserNs) writeIdMaps(pid, mapping);
              cgroup.join(pid);
            },
          },
          { target: this.name, timeoutMs: this.opts.timeoutMs ?? 60_000, env: spec.env },
        );
        // The shim holds itself at READY (every namespace made, the probe not exec'd): no --wait-stdin.
        return { ...shim, scratch: fsLayout.scratch, placement: cgroup };
      },
      { cgroups: this.opts.cgroups, observe: this.opts.observe, hooks, declaredSeccomp: declaredSeccomp(spec) },
    );
    for (const [controller, reason] of Object.entries(cgroup.unsupported)) outcome.hostFacts.cgroup.limits[`${controller}:unsupported`] = reason;
    return outcome;
  }

  /** The shared read-only template plus a scratch bind, or a private copy for a shared mount ns. */
  private layoutFor(spec: ContainerSpec, own: string, m: IdMapping): FsLayout {
    const template = this.sharedTemplate();
    if (spec.share.includes('mnt')) {
      instantiate(template, own, m.hostBase, m.hostBase);
      return { rootfs: own, scratch: path.join(own, SCRATCH_DIR) };
    }
    makeScratch(own, m.hostBase, m.hostBase);
    return { rootfs: template, scratch: own, scratchMount: own };
  }

  private sharedTemplate(): string {
    if (!this.template) {
      this.template = path.join(this.opts.runDir, `${this.name}-template`);
      const dir = this.template;
      const intent = intend({ kind: 'dir', path: dir });
      buildTemplate(dir, this.opts.files);
      own(intent, `template ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
    }
    return this.template;
  }
}

/**
 * What the shim is declared to install: the deny list of ./harden.c in its OCI form (the same
 * list runc and crun are given), or nothing when the config asks for no filter. The native-only
 * weakening declares the same list: it stands for a runtime whose filter lets other ABIs past it.
 */
function declaredSeccomp(spec: ContainerSpec) {
  if (spec.seccomp === 'none') return { source: 'seccomp: none (no filter)', by: 'user' as const, profile: null };
  return {
    source: "isoprobe's deny list (targets/builtin/harden.c; its OCI form, targets/common/oci-seccomp.ts)",
    by: 'isoprobe' as const,
    profile: defaultSeccomp(),
  };
}
