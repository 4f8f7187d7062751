/**
 * The built-in runtime: isoprobe-shim does the single-threaded work inside, this class does what
 * needs the host from outside (id maps, cgroups) and observes the container while it is set up
 * but not yet running the probe.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onCleanup } from '../../host/cleanup.js';
import { NAMESPACES, type ContainerSpec, type HostSideFacts, type RunOutcome } from '../../model/spec.js';
import { readHostClocks, statScratch } from '../../host/host-facts.js';
import { nsOwnership } from '../../host/ns.js';
import { SCRATCH_DIR, TargetError, type ProbeFiles, type Target } from '../../model/target.js';
import { readCgroupEvents, type CgroupLayout } from '../../host/cgroup.js';
import { createCgroup, type CgroupPlacement } from './cgroup.js';
import { cgroupfsMounts, describeCgroupfs, type CgroupfsMount } from './cgroupfs.js';
import { DEFAULT_ID_MAPPING, writeIdMaps, type IdMapping } from './idmap.js';
import { buildTemplate, instantiate, makeScratch } from '../common/rootfs.js';
import { runShim } from './shim-session.js';
import { shimArgs } from './shim-args.js';

export interface BuiltinOptions {
  shimPath: string;
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
  readonly provides = ['container', 'reference', 'sentinels', 'observed', 'after', 'enforcement'] as const;
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
      runtime: 'builtin', shim: this.opts.shimPath, cgroupMode: this.opts.cgroups.mode, kernel: os.release(),
      cgroupfs: describeCgroupfs(this.cgroupfs),
    };
  }

  async run(spec: ContainerSpec, files: ProbeFiles): Promise<RunOutcome> {
    const mapping = this.opts.idMapping ?? DEFAULT_ID_MAPPING;
    const id = `${this.name}-${process.pid}-${++containerSeq}`;
    const own = path.join(this.opts.runDir, id);
    const layout = this.layoutFor(spec, files, own, mapping);
    const removeOwn = onCleanup(`container files ${own}`, () => fs.rmSync(own, { recursive: true, force: true }));
    let cgroup: CgroupPlacement | null = null;
    try {
      cgroup = createCgroup(this.opts.cgroups, id, spec.limits);
      const placed = cgroup;
      const removeCgroup = onCleanup(`cgroup ${placed.paths.join(',')}`, () => placed.remove());
      try {
        return await this.runIn(spec, layout, placed, mapping);
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

  private async runIn(spec: ContainerSpec, fsLayout: FsLayout, cgroup: CgroupPlacement, mapping: IdMapping): Promise<RunOutcome> {
    const observe = this.opts.observe ?? true;
    const host: HostSideFacts = {
      ns: {}, uidMap: null, gidMap: null, createdFiles: [], hostClocks: null,
      cgroup: { version: cgroup.version, paths: cgroup.paths, limits: {} },
    };
    const newUserNs = !spec.share.includes('user');
    const result = await runShim(this.opts.shimPath, shimArgs(spec, fsLayout.rootfs, fsLayout.scratchMount, this.cgroupfs), {
      onPid: async (pid) => {
        if (newUserNs) writeIdMaps(pid, mapping);
        cgroup.join(pid);
      },
      onReady: async (pid) => {
        if (!observe) return;
        for (const ns of NAMESPACES) host.ns[ns] = nsOwnership(pid, ns);
        host.uidMap = readOrNull(`/proc/${pid}/uid_map`);
        host.gidMap = readOrNull(`/proc/${pid}/gid_map`);
        host.cgroup.limits = cgroup.readLimits();
        host.cgroup.procCgroup = readOrNull(`/proc/${pid}/cgroup`);
      },
    }, { target: this.name, timeoutMs: this.opts.timeoutMs ?? 60_000 });
    if (observe) {
      host.hostClocks = readHostClocks();
      host.createdFiles = statScratch(fsLayout.scratch);
      host.cgroup.events = readCgroupEvents(cgroup.paths); // before the cgroup is removed
    }
    for (const [controller, reason] of Object.entries(cgroup.unsupported)) host.cgroup.limits[`${controller}:unsupported`] = reason;
    return {
      hostPid: result.pid,
      exitCode: result.exitCode,
      signal: result.signal === null ? null : signalName(result.signal),
      stdout: result.stdout,
      stderr: result.stderr,
      hostFacts: host,
    };
  }

  /** The shared read-only template plus a scratch bind, or a private copy for a shared mount ns. */
  private layoutFor(spec: ContainerSpec, files: ProbeFiles, own: string, m: IdMapping): FsLayout {
    const template = this.templateFor(files);
    if (spec.share.includes('mnt')) {
      instantiate(template, own, m.hostBase, m.hostBase);
      return { rootfs: own, scratch: path.join(own, SCRATCH_DIR) };
    }
    makeScratch(own, m.hostBase, m.hostBase);
    return { rootfs: template, scratch: own, scratchMount: own };
  }

  private templateFor(files: ProbeFiles): string {
    if (!this.template) {
      this.template = path.join(this.opts.runDir, `${this.name}-template`);
      buildTemplate(this.template, files);
      const dir = this.template;
      onCleanup(`template ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
    }
    return this.template;
  }
}

function signalName(num: number): string {
  return Object.entries(os.constants.signals).find(([, n]) => n === num)?.[0] ?? `signal ${num}`;
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
