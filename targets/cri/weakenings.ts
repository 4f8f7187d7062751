/**
 * The cri target's negative controls, as data: merge patches over the generated configs, each the
 * pod-spec field a Kubernetes user would set (hostPID, hostIPC, hostNetwork, privileged, a seccomp
 * profile, added capabilities) as kubelet translates it. Each is the twin of a Docker weakening
 * (the same containerd and runc underneath, the same isolation turned off), so it must flip the
 * checks that name that one, where they pass on the reference cri target
 * (test/integration/cri.test.ts). kubelet sends seccomp Unconfined for a plain pod: the seccomp
 * control is judged against a reference that asks for RuntimeDefault (the restricted profile's).
 */
import type { Weakening } from '../../model/weakening.js';

const podNs = (k: string) => ({ podConfig: { linux: { securityContext: { namespaceOptions: { [k]: 'NODE' } } } } });
const containerSc = (sc: Record<string, unknown>) => ({ containerConfig: { linux: { securityContext: sc } } });

export interface CriWeakening {
  weakening: Weakening;
  /** The Docker weakenings of the same effect: the checks naming them are the ones this one flips. */
  twins: Weakening[];
  /** Twins that apply only where the pod has the host's cgroup namespace (containerd 1.6 on a hybrid or v1 host). */
  withHostCgroupns?: Weakening[];
  /** Checks a twin names that this one does not flip here, each with the measured reason. */
  except?: Record<string, string>;
}

const docker = (hostConfig: Record<string, unknown>): Weakening => ({ kind: 'docker', settings: { hostConfig } });
const joinBuiltin = (ns: string): Weakening => ({ kind: 'builtin', settings: { joinSibling: [ns] } });
const JOIN_DOCKER_IPC: Weakening = { kind: 'docker', settings: { joinSibling: ['ipc'] } };

const SYS_ADMIN = docker({ CapAdd: ['SYS_ADMIN'] });
const SYS_ADMIN_IN_HOST_CGROUPNS = docker({ CapAdd: ['SYS_ADMIN'], CgroupnsMode: 'host' });

export const CRI_WEAKENINGS: readonly CriWeakening[] = [
  { weakening: { kind: 'cri', settings: podNs('pid'), note: 'hostPID' }, twins: [docker({ PidMode: 'host' })] },
  { weakening: { kind: 'cri', settings: podNs('ipc'), note: 'hostIPC' }, twins: [docker({ IpcMode: 'host' })] },
  // kubelet: a host-network pod has the host's UTS namespace too. Docker's host network is not
  // named by cross.net-reachable (its default bridge lets siblings reach each other already); the
  // built-in runtime's shared network is, and is this one's effect on two pods.
  {
    weakening: { kind: 'cri', settings: podNs('network'), note: 'hostNetwork' },
    twins: [docker({ NetworkMode: 'host' }), docker({ UTSMode: 'host' }), { kind: 'builtin', settings: { share: ['net'] } }],
  },
  {
    weakening: {
      kind: 'cri',
      settings: { ...containerSc({ privileged: true }), podConfig: { linux: { securityContext: { privileged: true } } } },
      note: 'privileged',
    },
    // What Docker's --privileged implies, as the docker tests list it: every capability, no seccomp, host devices, /proc unmasked.
    twins: [
      docker({ Privileged: true }),
      docker({ SecurityOpt: ['seccomp=unconfined'] }),
      SYS_ADMIN,
      docker({ CapAdd: ['SYS_PTRACE'] }),
      docker({ CapAdd: ['SYS_TIME'] }),
      docker({ Devices: [{ PathOnHost: '/dev/loop0', PathInContainer: '/dev/loop0', CgroupPermissions: 'rwm' }] }),
      docker({ MaskedPaths: [], ReadonlyPaths: [] }),
    ],
    withHostCgroupns: [SYS_ADMIN_IN_HOST_CGROUPNS],
    except: {
      'security.sys-readonly':
        "containerd 1.6 keeps /sys read-only for a privileged container in a pod's own network namespace (measured: statvfs ST_RDONLY, access W_OK EROFS)",
    },
  },
  {
    weakening: { kind: 'cri', settings: containerSc({ seccomp: { profileType: 'Unconfined' } }), note: 'seccomp Unconfined' },
    twins: [docker({ SecurityOpt: ['seccomp=unconfined'] })],
  },
  {
    weakening: { kind: 'cri', settings: containerSc({ capabilities: { addCapabilities: ['SYS_ADMIN'], dropCapabilities: [] } }), note: 'add SYS_ADMIN' },
    twins: [SYS_ADMIN],
    withHostCgroupns: [SYS_ADMIN_IN_HOST_CGROUPNS],
  },
  // The cross area's: the sibling pair as two containers of one pod (./cri.ts), which share the
  // pod's network, IPC and UTS namespaces by design, and its /dev/shm (containerd binds the
  // sandbox's into each, as Docker's IpcMode container: does); with pid, the first's pid namespace too.
  {
    weakening: { kind: 'cri', settings: { joinSibling: ['net', 'ipc', 'uts'] }, note: 'one pod' },
    twins: [...(['net', 'ipc', 'uts'] as const).map(joinBuiltin), JOIN_DOCKER_IPC],
  },
  {
    weakening: { kind: 'cri', settings: { joinSibling: ['net', 'ipc', 'uts', 'pid'] }, note: 'one pod, shared pid' },
    twins: [...(['net', 'ipc', 'uts', 'pid'] as const).map(joinBuiltin), JOIN_DOCKER_IPC],
  },
];

export const weakenings: Weakening[] = CRI_WEAKENINGS.map((w) => w.weakening);
