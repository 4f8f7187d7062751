/**
 * What isoprobe sends a CRI runtime for one target, as kubelet would for a pod with one container
 * (pure: ../../test/targets/cri tests it). kubelet sets every namespace mode itself, where the CRI
 * default (POD, enum 0) is not the pod default: network and IPC are the pod's (POD), the pid
 * namespace is the container's own (CONTAINER) unless shareProcessNamespace, NODE for hostX.
 * kubelet sends seccomp Unconfined unless the pod asks for RuntimeDefault (or the node runs with
 * --seccomp-default), the default masked and read-only /proc paths, no_new_privs only when
 * allowPrivilegeEscalation is false, a cgroup parent kubepods/<qos>/pod<uid> under its cgroup
 * root (cgroupfs driver: a path), a log directory per pod and log path per container, and its
 * io.kubernetes.* labels. A BestEffort pod (no requests or limits) gets cpu shares 2 and an OOM
 * score of 1000, no memory, cpu or pids limit of its own.
 *
 * The run's profile maps to the Pod Security Standards where they correspond: baseline is what a
 * plain pod already satisfies (kubelet's defaults above); restricted adds what that standard
 * requires of a pod (seccomp RuntimeDefault, all capabilities dropped, allowPrivilegeEscalation
 * false, runAsNonRoot with a non-root uid). Then the target's merge patches (RFC 7386, field names
 * as the proto's JSON mapping spells them) over the generated configs.
 */
import { mergePatch } from '../../model/merge-patch.js';
import type { Profile } from '../../model/results.js';
import type { Json } from './client.js';

/** kubelet's defaults for procMount Default (k8s.io/kubernetes pkg/securitycontext, 1.30). */
export const KUBELET_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const KUBELET_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The uid and gid a restricted pod runs as (runAsNonRoot needs one the image does not name). */
export const NON_ROOT = 65534;

export type PodSecurity = 'plain' | 'restricted';

/** Pod Security Standards by profile: a plain pod meets baseline; restricted and strict ask for restricted. */
export function podSecurityFor(profile: Profile | undefined): PodSecurity {
  return profile === 'restricted' || profile === 'strict' ? 'restricted' : 'plain';
}

export interface PodInput {
  /** Pod name (DNS label), also its hostname. */
  name: string;
  uid: string;
  run: string;
  /** kubelet's --cgroup-root: the run's own, so nothing of a real node's kubepods is touched. */
  cgroupRoot: string;
  logDirectory: string;
  security: PodSecurity;
  /** Labels beside kubelet's: isoprobe's run and target. */
  labels: Record<string, string>;
}

export interface ContainerInput {
  name: string;
  image: string;
  argv: string[];
  envs: Record<string, string>;
  mounts: { containerPath: string; hostPath: string; readonly: boolean }[];
  security: PodSecurity;
  labels: Record<string, string>;
}

const ns = { network: 'POD', pid: 'CONTAINER', ipc: 'POD' };

function seccomp(security: PodSecurity): Json {
  return { profileType: security === 'restricted' ? 'RuntimeDefault' : 'Unconfined' };
}

export function podConfig(p: PodInput): Json {
  const kube = { 'io.kubernetes.pod.name': p.name, 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': p.uid };
  const restricted = p.security === 'restricted';
  return {
    metadata: { name: p.name, uid: p.uid, namespace: 'default', attempt: 0 },
    hostname: p.name,
    logDirectory: p.logDirectory,
    labels: { ...kube, ...p.labels },
    annotations: { 'kubernetes.io/config.source': 'api' },
    linux: {
      cgroupParent: `${p.cgroupRoot}/kubepods/besteffort/pod${p.uid}`,
      securityContext: {
        namespaceOptions: { ...ns },
        privileged: false,
        seccomp: seccomp(p.security),
        ...(restricted ? { runAsUser: { value: NON_ROOT }, runAsGroup: { value: NON_ROOT } } : {}),
      },
      sysctls: {},
    },
  };
}

export function containerConfig(c: ContainerInput, pod: Json): Json {
  const restricted = c.security === 'restricted';
  const podLabels = (pod.labels ?? {}) as Record<string, string>;
  return {
    metadata: { name: c.name, attempt: 0 },
    image: { image: c.image },
    command: c.argv.slice(0, 1),
    args: c.argv.slice(1),
    workingDir: '',
    envs: Object.entries(c.envs).map(([key, value]) => ({ key, value })),
    mounts: c.mounts.map((m) => ({ ...m, selinuxRelabel: false, propagation: 'PROPAGATION_PRIVATE' })),
    labels: {
      'io.kubernetes.container.name': c.name,
      ...Object.fromEntries(Object.entries(podLabels).filter(([k]) => k.startsWith('io.kubernetes.pod.'))),
      ...c.labels,
    },
    annotations: { 'io.kubernetes.container.restartCount': '0', 'io.kubernetes.container.terminationMessagePolicy': 'File' },
    logPath: `${c.name}/0.log`,
    stdin: false,
    stdinOnce: false,
    tty: false,
    linux: {
      resources: { cpuShares: 2, oomScoreAdj: 1000 },
      securityContext: {
        capabilities: restricted ? { addCapabilities: [], dropCapabilities: ['ALL'] } : { addCapabilities: [], dropCapabilities: [] },
        privileged: false,
        namespaceOptions: { ...ns },
        readonlyRootfs: false,
        noNewPrivs: restricted,
        maskedPaths: [...KUBELET_MASKED_PATHS],
        readonlyPaths: [...KUBELET_READONLY_PATHS],
        seccomp: seccomp(c.security),
        ...(restricted ? { runAsUser: { value: NON_ROOT }, runAsGroup: { value: NON_ROOT } } : {}),
      },
    },
  };
}

/**
 * The pod's patch also reaches the container where kubelet derives one from the other: a pod
 * sharing the host's pid, network or IPC namespace (hostPID, hostNetwork, hostIPC) has each of
 * its containers ask for the same, and a pod's seccomp profile is its containers' default.
 */
export function inheritFromPod(container: Json, pod: Json): Json {
  const podNs = (((pod.linux as Json)?.securityContext as Json)?.namespaceOptions ?? {}) as Record<string, string>;
  const c = structuredClone(container);
  const sc = (c.linux as Json).securityContext as Json;
  const cns = sc.namespaceOptions as Record<string, string>;
  for (const k of ['network', 'pid', 'ipc'] as const) if (podNs[k] === 'NODE') cns[k] = 'NODE';
  if (podNs.pid === 'POD' && cns.pid === 'CONTAINER') cns.pid = 'POD';
  return c;
}

export interface Patches {
  podConfig?: Json;
  containerConfig?: Json;
}

/** Both configs with the target's patches merged: the pod's first, then its effect on the container, then the container's own. */
export function patchedConfigs(pod: Json, container: Json, patches: Patches): { pod: Json; container: Json } {
  const p = patches.podConfig ? (mergePatch(pod, patches.podConfig) as Json) : structuredClone(pod);
  // A host-network pod has the host's UTS namespace: kubelet sends no hostname (containerd refuses one).
  const podNs = ((p.linux as Json)?.securityContext as Json)?.namespaceOptions as Json | undefined;
  if (podNs?.network === 'NODE' && !(patches.podConfig && 'hostname' in patches.podConfig)) p.hostname = '';
  const c = inheritFromPod(container, p);
  return { pod: p, container: patches.containerConfig ? (mergePatch(c, patches.containerConfig) as Json) : c };
}
