/**
 * A Kubernetes node's runtime through CRI as a target: each container is a pod sandbox plus the
 * probe container in it, configured as kubelet would (./pod-config.ts), through the run's CRI
 * service (./service.ts). The probe is held on a file in a directory the host mounts into it (no
 * CRI attach: that needs the runtime's streaming server), observed through the pid the runtime
 * gives in ContainerStatus's verbose info, and its output read back from the CRI log file in the
 * pod's log directory (./cri-log.ts). The pod sandbox goes with the container (RemovePodSandbox
 * removes both), registered for removal at its birth.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CgroupLayout } from '../../host/cgroup.js';
import { own } from '../../host/journal.js';
import { readHostLsm } from '../../host/lsm.js';
import { journal } from '../../host/journal.js';
import type { ContainerSpec, RunOutcome } from '../../model/spec.js';
import type { Profile } from '../../model/results.js';
import { TargetError, type ProbeFiles, type RunHooks, type Target, type TargetCapabilities } from '../../model/target.js';
import { runLifecycle, type Exit, type Held } from '../common/lifecycle.js';
import { holdProbe } from '../common/observe.js';
import { CRI_BOUNDS_MS, CriError, type Json } from './client.js';
import { bridgeFiltering } from './cni.js';
import { parseCriLog } from './cri-log.js';
import { containerConfig, patchedConfigs, podConfig, podSecurityFor, type Patches } from './pod-config.js';
import { RUN_LABEL, service, TARGET_LABEL, type Service } from './service.js';
import { removeSandbox } from './sandboxes.js';

export const HOLD_DIR = '/isoprobe-hold';
const HOLD_FILE = 'go';
const POLL_MS = 20;
/** From StartContainer to the probe's end: its own bounds (30 s hold, bounded facts) are shorter. */
const RUN_MS = 90_000;

export interface CriOptions {
  endpoint?: string;
  runtimeHandler: string;
  patches: Patches;
  runDir: string;
  cgroups: CgroupLayout;
  files: ProbeFiles;
  profile?: Profile;
  observe?: boolean;
}

let seq = 0;

export class CriTarget implements Target {
  readonly runtime = 'cri';
  readonly provides = ['container', 'reference', 'sentinels', 'observed', 'after', 'enforcement', 'siblings'] as const;
  /**
   * containerd 1.6 puts a container that names no AppArmor profile under its default one
   * (cri-containerd.apparmor.d) where AppArmor is enabled, as kubelet's nodes run it; elsewhere
   * (no AppArmor, as on the project's VM) nothing confines it. No SELinux labels (enable_selinux off).
   */
  readonly capabilities: TargetCapabilities = {
    timeOffsets: false,
    lsmProfile:
      readHostLsm().active === 'apparmor'
        ? { applied: true }
        : { applied: false, why: "the host enables no AppArmor, where containerd's default profile would apply; the pod names no profile" },
  };

  /** Pod sandboxes a second sibling may join (./driver.ts joinSibling: two containers in one pod), by sandbox id. */
  private readonly pods = new Map<string, { pod: Json; container: string }>();

  constructor(
    readonly name: string,
    private readonly opts: CriOptions,
  ) {}

  private svc(): Promise<Service> {
    return service(this.opts.endpoint, this.opts.files, this.opts.runDir);
  }

  async info(): Promise<Record<string, string>> {
    const s = await this.svc();
    return {
      runtime: 'cri',
      endpoint: this.opts.endpoint ?? `${s.endpoint} (started by isoprobe)`,
      cri: `${s.version.runtimeName} ${s.version.runtimeVersion} (CRI ${s.version.runtimeApiVersion})`,
      ...(s.daemon ? { containerd: s.daemon } : {}),
      runtimeHandler: this.opts.runtimeHandler || '(default: runc)',
      podSecurity: podSecurityFor(this.opts.profile) === 'restricted' ? 'Pod Security Standard restricted (the profile)' : 'a plain pod (meets baseline)',
      cgroupDriver: `cgroupfs, parent ${s.cgroupRoot}/kubepods/besteffort/pod<uid>`,
      ...(s.containerd ? { podNetwork: `CNI bridge ${s.containerd.network.bridge}, ${s.containerd.network.subnet}; ${bridgeFiltering()}` } : {}),
      ...(this.opts.patches.podConfig ? { podConfig: JSON.stringify(this.opts.patches.podConfig) } : {}),
      ...(this.opts.patches.containerConfig ? { containerConfig: JSON.stringify(this.opts.patches.containerConfig) } : {}),
    };
  }

  async run(spec: ContainerSpec, hooks?: RunHooks): Promise<RunOutcome> {
    const s = await this.svc();
    return runLifecycle(() => this.start(s, spec), { cgroups: this.opts.cgroups, observe: this.opts.observe, hooks });
  }

  /** The configs this target sends for one container (the pod's patches and the container's merged). */
  configs(
    s: Pick<Service, 'images' | 'cgroupRoot'>,
    spec: ContainerSpec,
    names: { pod: string; uid: string; dir: string; container?: string },
  ): { pod: Json; container: Json } {
    const security = podSecurityFor(this.opts.profile);
    const run = journal().id;
    const labels = { [RUN_LABEL]: run, [TARGET_LABEL]: this.name };
    const pod = podConfig({ name: names.pod, uid: names.uid, run, cgroupRoot: s.cgroupRoot, logDirectory: path.join(names.dir, 'logs'), security, labels });
    const container = containerConfig(
      {
        name: names.container ?? 'probe',
        image: s.images.probe,
        argv: holdProbe(spec.argv),
        envs: { ISOPROBE_HOLD_FILE: `${HOLD_DIR}/${HOLD_FILE}` },
        mounts: [
          { containerPath: '/scratch', hostPath: path.join(names.dir, 'scratch'), readonly: false },
          { containerPath: HOLD_DIR, hostPath: path.join(names.dir, 'hold'), readonly: true },
        ],
        security,
        labels,
      },
      pod,
    );
    return patchedConfigs(pod, container, this.opts.patches);
  }

  private async start(s: Service, spec: ContainerSpec): Promise<Held> {
    const id = `${++seq}-${randomBytes(3).toString('hex')}`;
    // kubelet's hostname is the pod's name: the spec's; the uid makes each sandbox unique.
    const podName = (spec.hostname || 'isoprobe')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 63);
    const dir = path.join(this.opts.runDir, `cri-${this.name}-${id}`);
    const uid = randomUUID();
    // The second of a sibling pair joins the first's pod (its ref): a second container in it, as a
    // pod with two containers has; a joined pid namespace is the first container's (TARGET).
    const joined = spec.joinSibling?.ref ? this.pods.get(spec.joinSibling.ref.split('/')[0]!) : undefined;
    // A container's name is unique in its pod; its log is then the pod's <name>/0.log.
    const generated = this.configs(s, spec, { pod: podName, uid, dir, ...(joined ? { container: 'probe-2' } : {}) });
    if (spec.joinSibling && !joined) throw new TargetError(this.name, `no pod sandbox ${spec.joinSibling.ref ?? '(none named)'} of the first sibling to join`);
    const pod = joined ? joined.pod : generated.pod;
    const container = generated.container;
    if (joined && spec.joinSibling!.namespaces.includes('pid')) {
      const ns = ((container.linux as Json).securityContext as Json).namespaceOptions as Json;
      Object.assign(ns, { pid: 'TARGET', targetId: joined.container });
    }
    const runAs =
      numberAt(container, ['linux', 'securityContext', 'runAsUser', 'value']) ?? numberAt(pod, ['linux', 'securityContext', 'runAsUser', 'value']) ?? 0;
    fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'hold'), { recursive: true, mode: 0o755 });
    fs.mkdirSync(path.join(dir, 'scratch'), { mode: 0o700 });
    fs.chownSync(path.join(dir, 'scratch'), runAs, runAs);
    const client = s.client;
    let sandbox: string | null = joined ? spec.joinSibling!.ref!.split('/')[0]! : null;
    let cid: string | null = null;
    let creating: Promise<string> | null = null;
    // Registered before the runtime is asked: a Ctrl-C during RunPodSandbox waits for its answer, then removes it.
    // A joining container goes alone; the pod goes with the container that made it.
    const remove = own(
      { kind: 'dir', path: dir },
      `${joined ? 'container in' : 'pod sandbox'} ${podName} of ${this.name}`,
      async () => {
        if (joined) {
          if (cid) await client.removeContainer(cid).catch((e: CriError) => (e.notFound ? undefined : Promise.reject(e)));
        } else {
          const made = sandbox ?? (await creating?.catch(() => null)) ?? null;
          if (made) {
            this.pods.delete(made);
            await removeSandbox(client, made);
          }
        }
        fs.rmSync(dir, { recursive: true, force: true });
      },
      { deadlineMs: 2 * CRI_BOUNDS_MS.stop },
    );
    const fail = (what: string, e: unknown): never => {
      throw new TargetError(this.name, `${what}: ${e instanceof CriError ? e.message : (e as Error).message}`);
    };
    try {
      if (!sandbox) {
        creating = client.runPodSandbox(pod, this.opts.runtimeHandler);
        sandbox = await creating.catch((e) => fail('RunPodSandbox', e));
      }
      cid = await client.createContainer(sandbox, container, pod).catch((e) => fail('CreateContainer', e));
      if (!joined) this.pods.set(sandbox, { pod, container: cid });
      await client.startContainer(cid).catch((e) => fail('StartContainer', e));
      const status = await client.containerStatus(cid).catch((e) => fail('ContainerStatus', e));
      const pid = pidOf(status.info);
      const deadline = Date.now() + RUN_MS;
      const logFile = path.join(dir, 'logs', ...String(container.logPath).split('/'));
      const ran = cid;
      return {
        pid: status.status.state === 'CONTAINER_RUNNING' ? pid : 0,
        ref: `${sandbox}/${cid}`,
        scratch: path.join(dir, 'scratch'),
        release: () => fs.writeFileSync(path.join(dir, 'hold', HOLD_FILE), 'g'),
        wait: async (): Promise<Exit> => {
          for (;;) {
            const st = await client.containerStatus(ran).catch((e) => fail('ContainerStatus', e));
            if (st.status.state === 'CONTAINER_EXITED') {
              const streams = parseCriLog(readOr(st.status.logPath || logFile));
              const killed = st.status.reason === 'OOMKilled' ? 'SIGKILL' : st.status.exitCode > 128 ? signalName(st.status.exitCode - 128) : null;
              return {
                exitCode: killed ? null : st.status.exitCode,
                signal: killed,
                stdout: streams.stdout,
                stderr: streams.stderr,
              };
            }
            if (Date.now() > deadline) throw new TargetError(this.name, `the probe container did not exit within ${RUN_MS / 1000} s`);
            await new Promise((r) => setTimeout(r, POLL_MS));
          }
        },
        remove,
      };
    } catch (e) {
      // The first failure says why; a removal failing after it (a runtime that stopped answering) must not replace it.
      await remove().catch(() => {});
      throw e;
    }
  }
}

function randomUUID(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function numberAt(o: Json, keys: string[]): number | undefined {
  let v: unknown = o;
  for (const k of keys) v = v !== null && typeof v === 'object' ? (v as Json)[k] : undefined;
  return typeof v === 'number' ? v : undefined;
}

/** containerd's verbose ContainerStatus info: {"info": "{\"pid\": N, ...}"}. */
export function pidOf(info: Record<string, string>): number {
  try {
    const pid = (JSON.parse(info.info ?? '{}') as { pid?: unknown }).pid;
    return typeof pid === 'number' && pid > 0 ? pid : 0;
  } catch {
    return 0;
  }
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

const SIGNALS: Record<number, string> = { 9: 'SIGKILL', 15: 'SIGTERM', 6: 'SIGABRT', 11: 'SIGSEGV', 2: 'SIGINT', 1: 'SIGHUP' };
function signalName(n: number): string {
  return SIGNALS[n] ?? `SIG${n}`;
}
