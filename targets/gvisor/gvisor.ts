/**
 * gVisor's runsc as a target, run as its users run one container: `runsc run` on a bundle
 * isoprobe writes (the OCI targets' bundle, targets/common/oci-config.ts), with runsc's own flags
 * before the verb and a state root of isoprobe's own. The pid runsc reports is the Sentry's (the
 * sandbox process), not the workload's, which is no host process: so this target gives no
 * `observed` evidence, and gives `sandbox` instead, the host's view of the Sentry and its gofer
 * (targets/common/gvisor-sandbox.ts), taken while the probe is held.
 */
import os from 'node:os';
import path from 'node:path';
import type { CgroupLayout } from '../../host/cgroup.js';
import { journal } from '../../host/journal.js';
import { mergePatch } from '../../model/merge-patch.js';
import type { SandboxFacts } from '../../model/sandbox.js';
import type { ContainerSpec, RunOutcome } from '../../model/spec.js';
import type { ProbeFiles, RunHooks, Target, TargetCapabilities } from '../../model/target.js';
import { harnessBoundingCaps } from '../common/config.js';
import { observeBootedSandbox, withSandbox } from '../common/gvisor-sandbox.js';
import { GVISOR_OWN_KERNEL, GVISOR_PROVIDES, runscGlobalFlags, runscNetwork, runscPlatform } from '../common/gvisor.js';
import { runLifecycle } from '../common/lifecycle.js';
import { buildRootfs, makeBundle, writeConfig } from '../common/oci-bundle.js';
import { ociConfig } from '../common/oci-config.js';
import { runtimeVersion, startContainer } from '../common/oci-runtime-cli.js';
import { holdProbe } from '../common/observe.js';

export interface GvisorOptions {
  binary: string;
  /** runsc's flags of the target's config (isoprobe adds --root, and --network=none where they name no network). */
  flags: string[];
  /** runsc's state root, isoprobe's own (./clean.ts lists only it). */
  stateRoot: string;
  runDir: string;
  cgroups: CgroupLayout;
  files: ProbeFiles;
  specPatch?: Record<string, unknown>;
  timeoutMs?: number;
  observe?: boolean;
}

let containerSeq = 0;

export class GvisorTarget implements Target {
  readonly runtime = 'gvisor';
  readonly provides = GVISOR_PROVIDES;
  readonly capabilities: TargetCapabilities = {
    timeOffsets: true,
    lsmProfile: { applied: false, why: 'runsc applies no AppArmor or SELinux label to its sandbox unless config.json names one (a specPatch can)' },
    ownKernel: GVISOR_OWN_KERNEL,
  };
  private rootfs: string | null = null;

  constructor(
    readonly name: string,
    private readonly opts: GvisorOptions,
  ) {}

  private get global(): string[] {
    return runscGlobalFlags(this.opts.flags, this.opts.stateRoot);
  }

  async info(): Promise<Record<string, string>> {
    let version: string;
    try {
      version = runtimeVersion(this.opts.binary);
    } catch (e) {
      version = `unknown (${(e as Error).message})`;
    }
    const net = runscNetwork(this.opts.flags);
    const platform = runscPlatform(this.opts.flags);
    return {
      runtime: 'gvisor',
      binary: this.opts.binary,
      version,
      platform: `${platform.value}${platform.source === 'runtime default' ? " (runsc's default)" : ''}`,
      network: `${net.value} (${net.source === 'isoprobe' ? 'asked by isoprobe' : 'user config'})`,
      flags: this.global.join(' '),
      evidence:
        "runsc's pid is the Sentry's, not the workload's: host-side checks read the Sentry and gofer (sandbox evidence), none compares in-sandbox ids with the host's",
      cgroupMode: this.opts.cgroups.mode,
      kernel: os.release(),
      ...(this.opts.specPatch ? { specPatch: JSON.stringify(this.opts.specPatch) } : {}),
    };
  }

  async run(asked: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    const spec = { ...asked, argv: holdProbe(asked.argv) };
    const id = `isoprobe-${process.pid}-${journal().id}-${++containerSeq}-${this.name}`;
    const mapping = { hostBase: 100_000, count: 65_536 };
    const owner = spec.share.includes('user') ? 0 : mapping.hostBase;
    const bundle = makeBundle(path.join(this.opts.runDir, id), owner, owner);
    let sandbox: SandboxFacts | null = null;
    try {
      const generated = ociConfig(spec, {
        rootfs: this.sharedRootfs(),
        scratch: bundle.scratch,
        idMapping: mapping,
        cgroupsPath: `/${id}`,
        hostCaps: harnessBoundingCaps(),
      });
      writeConfig(bundle, this.opts.specPatch ? mergePatch(generated, this.opts.specPatch) : generated);
      const observe = this.opts.observe ?? true;
      const outcome = await runLifecycle(
        async () => {
          const c = await startContainer(this.opts.binary, bundle.dir, id, {
            target: this.name,
            timeoutMs: this.opts.timeoutMs ?? 60_000,
            cgroupsPath: `/${id}`,
            global: this.global,
            journal: { kind: 'gvisor', binary: this.opts.binary, root: this.opts.stateRoot, id, cgroupsPath: `/${id}` },
          });
          // While the probe is held: the Sentry and its gofer as the host sees them.
          if (observe) sandbox = await observeBootedSandbox(c.pid);
          return { ...c, scratch: bundle.scratch };
        },
        { cgroups: this.opts.cgroups, observe, hooks },
      );
      return withSandbox(outcome, sandbox);
    } finally {
      await bundle.remove();
    }
  }

  private sharedRootfs(): string {
    this.rootfs ??= buildRootfs(path.join(this.opts.runDir, `${this.name}-rootfs`), this.opts.files);
    return this.rootfs;
  }
}
