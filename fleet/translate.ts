/**
 * A subject Pod as the cri target config that runs it (targets/cri/driver.ts): the Pod's
 * pod-level and container settings turned into merge patches over the plain pod the cri target
 * already sends (targets/cri/pod-config.ts), the way kubelet turns a Pod into CRI requests
 * (pkg/kubelet/kuberuntime: generatePodSandboxLinuxConfig, determineEffectiveSecurityContext,
 * namespacesForPod, getSeccompProfile, in 1.30):
 *
 *   hostNetwork / hostIPC / hostPID   → namespaceOptions network / ipc / pid NODE (pod and container)
 *   shareProcessNamespace             → pid POD
 *   runtimeClassName                  → runtimeHandler, the RuntimeClass's handler
 *   securityContext (container over pod, field by field: the effective one)
 *     runAsUser / runAsGroup          → runAsUser / runAsGroup {value} (the pod's also on the sandbox)
 *     seccompProfile                  → seccomp {profileType[, localhostRef]} (the pod's also on the sandbox)
 *     privileged                      → privileged (the sandbox too, when any container is)
 *     capabilities add / drop         → capabilities addCapabilities / dropCapabilities (names as written)
 *     readOnlyRootFilesystem          → readonlyRootfs
 *     allowPrivilegeEscalation false  → noNewPrivs true
 *     procMount Unmasked              → maskedPaths and readonlyPaths empty
 *     runAsNonRoot                    → nothing sent: kubelet refuses to start a container that would
 *                                       run as uid 0, so here it needs a non-zero runAsUser
 *   sysctls                           → linux.sysctls
 *   metadata name / namespace         → the sandbox's metadata and kubelet's io.kubernetes.pod.* labels
 *
 * A field with a CRI effect not listed is refused, never dropped: a subject must not claim a
 * setting its target does not send. Fields kubelet keeps to itself (scheduling, restart, deadlines)
 * are accepted; the container's image and command are the harness's (./subjects.ts). The Pod's
 * labels are not sent: the sandbox carries the cri target's run label, by which it is reaped.
 */
import type { IPod, IPodSecurityContext, ISecurityContext } from 'kubernetes-models/v1';
import { ConfigError } from '../model/errors.js';

export type Json = Record<string, unknown>;

/** What targets.json holds for one subject (the cri driver's config, targets/cri/driver.ts). */
export interface CriTargetJson {
  name: string;
  runtime: 'cri';
  endpoint?: string;
  runtimeHandler?: string;
  podConfig?: Json;
  containerConfig?: Json;
}

export interface TranslateOptions {
  /** The target's name. */
  name: string;
  /** The node's CRI socket; absent: the cri target starts a containerd of its own (the local run). */
  endpoint?: string;
  /** RuntimeClass name → handler, for the RuntimeClasses the run references. */
  handlers: Readonly<Record<string, string>>;
}

/** kubelet's default --root-dir: a Localhost profile is a path under its seccomp directory. */
export const KUBELET_SECCOMP_ROOT = '/var/lib/kubelet/seccomp';

/** No CRI counterpart: kubelet, the scheduler or the API act on these; a value is never a container setting. */
const SPEC_OUTSIDE_CRI = new Set([
  'nodeName',
  'restartPolicy',
  'activeDeadlineSeconds',
  'terminationGracePeriodSeconds',
  'tolerations',
  'schedulerName',
  'priorityClassName',
  'serviceAccountName',
]);
const SPEC_TRANSLATED = new Set(['containers', 'hostNetwork', 'hostIPC', 'hostPID', 'shareProcessNamespace', 'runtimeClassName', 'securityContext']);
/** Only `false`: true (the API's default) mounts a token volume, or sets service variables, that the cri target does not give. */
const SPEC_ONLY_FALSE = new Set(['automountServiceAccountToken', 'enableServiceLinks']);
const POD_SC = new Set(['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seccompProfile', 'sysctls']);
const CONTAINER_SC = new Set([
  'privileged',
  'capabilities',
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'readOnlyRootFilesystem',
  'allowPrivilegeEscalation',
  'seccompProfile',
  'procMount',
]);
/** The harness's own: the probe image and its command line replace them. */
const CONTAINER_HARNESS = new Set(['name', 'image', 'imagePullPolicy', 'command', 'args', 'securityContext']);

export function criTargetOf(pod: IPod, opts: TranslateOptions): CriTargetJson {
  const where = `Pod ${pod.metadata?.name ?? '(unnamed)'}`;
  const spec = pod.spec ?? { containers: [] };
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined || SPEC_OUTSIDE_CRI.has(k) || SPEC_TRANSLATED.has(k)) continue;
    if (SPEC_ONLY_FALSE.has(k) && v === false) continue;
    throw new ConfigError(`${where}: spec.${k} has a CRI effect the cri target cannot send (it is not translated)`);
  }
  if (spec.containers.length !== 1) throw new ConfigError(`${where}: a cri target runs one container (the probe), the Pod has ${spec.containers.length}`);
  const container = spec.containers[0]!;
  for (const k of Object.keys(container))
    if (!CONTAINER_HARNESS.has(k)) throw new ConfigError(`${where}: containers[0].${k} is not translated into a cri target`);
  const podSc = spec.securityContext ?? {};
  const sc = container.securityContext ?? {};
  unknownKeys(where, 'spec.securityContext', podSc, POD_SC);
  unknownKeys(where, 'containers[0].securityContext', sc, CONTAINER_SC);
  refuseInvalid(where, sc);

  const ns: Json = {
    ...(spec.hostNetwork ? { network: 'NODE' } : {}),
    ...(spec.hostIPC ? { ipc: 'NODE' } : {}),
    ...(spec.hostPID ? { pid: 'NODE' } : spec.shareProcessNamespace ? { pid: 'POD' } : {}),
  };
  const meta = metadataOf(pod);
  const podSeccomp = seccompOf(podSc.seccompProfile);
  const sandboxSc = compact({
    ...(Object.keys(ns).length ? { namespaceOptions: ns } : {}),
    ...ids(podSc),
    ...(podSeccomp ? { seccomp: podSeccomp } : {}),
    ...(sc.privileged ? { privileged: true } : {}),
  });
  const linux = compact({ ...(sandboxSc ? { securityContext: sandboxSc } : {}), ...(podSc.sysctls?.length ? { sysctls: sysctlsOf(podSc.sysctls) } : {}) });
  const podConfig = compact({ ...meta.pod, ...(linux ? { linux } : {}) });

  const containerSc = compact({ ...(Object.keys(ns).length ? { namespaceOptions: ns } : {}), ...containerSecurity(where, podSc, sc) });
  const containerConfig = compact({ ...meta.container, ...(containerSc ? { linux: { securityContext: containerSc } } : {}) });

  const handler = spec.runtimeClassName === undefined ? undefined : opts.handlers[spec.runtimeClassName];
  if (spec.runtimeClassName !== undefined && handler === undefined) {
    throw new ConfigError(`${where}: runtimeClassName "${spec.runtimeClassName}" is not among the run's RuntimeClasses`);
  }
  return {
    name: opts.name,
    runtime: 'cri',
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(handler ? { runtimeHandler: handler } : {}),
    ...(podConfig ? { podConfig } : {}),
    ...(containerConfig ? { containerConfig } : {}),
  };
}

/** The effective container security context (container over pod), as LinuxContainerSecurityContext fields. */
function containerSecurity(where: string, podSc: IPodSecurityContext, sc: ISecurityContext): Json {
  const runAsUser = sc.runAsUser ?? podSc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? podSc.runAsGroup;
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) === true && !(typeof runAsUser === 'number' && runAsUser !== 0)) {
    // kubelet checks the image's user at start; offline only a uid given here can be checked.
    throw new ConfigError(`${where}: runAsNonRoot needs a non-zero runAsUser here (kubelet refuses a container that would run as root)`);
  }
  const seccomp = seccompOf(sc.seccompProfile ?? podSc.seccompProfile);
  return {
    ...(sc.privileged !== undefined ? { privileged: sc.privileged } : {}),
    ...(sc.capabilities ? { capabilities: { addCapabilities: [...(sc.capabilities.add ?? [])], dropCapabilities: [...(sc.capabilities.drop ?? [])] } } : {}),
    ...ids({ runAsUser, runAsGroup }),
    ...(sc.readOnlyRootFilesystem !== undefined ? { readonlyRootfs: sc.readOnlyRootFilesystem } : {}),
    ...(sc.allowPrivilegeEscalation !== undefined ? { noNewPrivs: sc.allowPrivilegeEscalation === false } : {}),
    ...(seccomp ? { seccomp } : {}),
    ...(sc.procMount === 'Unmasked' ? { maskedPaths: [], readonlyPaths: [] } : {}),
  };
}

/** What the API server refuses (pkg/apis/core/validation): a Pod it would not admit has nothing to run. */
function refuseInvalid(where: string, sc: ISecurityContext): void {
  if (sc.procMount !== undefined && sc.procMount !== 'Default' && sc.procMount !== 'Unmasked')
    throw new ConfigError(`${where}: procMount "${sc.procMount}" is neither Default nor Unmasked`);
  if (sc.allowPrivilegeEscalation !== false) return;
  if (sc.privileged) throw new ConfigError(`${where}: allowPrivilegeEscalation false with privileged true is refused by the API server`);
  if ((sc.capabilities?.add ?? []).some((c) => c.replace(/^CAP_/, '') === 'SYS_ADMIN'))
    throw new ConfigError(`${where}: allowPrivilegeEscalation false with CAP_SYS_ADMIN added is refused by the API server`);
}

function metadataOf(pod: IPod): { pod: Json; container: Json } {
  const name = pod.metadata?.name;
  const namespace = pod.metadata?.namespace;
  if (!name) return { pod: {}, container: {} };
  const labels = { 'io.kubernetes.pod.name': name, ...(namespace ? { 'io.kubernetes.pod.namespace': namespace } : {}) };
  return { pod: { metadata: { name, ...(namespace ? { namespace } : {}) }, labels }, container: { labels } };
}

function ids(sc: { runAsUser?: number; runAsGroup?: number }): Json {
  return {
    ...(sc.runAsUser !== undefined ? { runAsUser: { value: sc.runAsUser } } : {}),
    ...(sc.runAsGroup !== undefined ? { runAsGroup: { value: sc.runAsGroup } } : {}),
  };
}

function seccompOf(p: IPodSecurityContext['seccompProfile']): Json | undefined {
  if (!p) return undefined;
  if (p.type === 'Localhost') {
    if (!p.localhostProfile) throw new ConfigError('seccompProfile type Localhost needs localhostProfile');
    return { profileType: 'Localhost', localhostRef: `${KUBELET_SECCOMP_ROOT}/${p.localhostProfile}` };
  }
  if (p.type !== 'RuntimeDefault' && p.type !== 'Unconfined')
    throw new ConfigError(`seccompProfile type "${p.type}" is not RuntimeDefault, Unconfined or Localhost`);
  return { profileType: p.type };
}

function sysctlsOf(list: NonNullable<IPodSecurityContext['sysctls']>): Record<string, string> {
  return Object.fromEntries(list.map((s) => [s.name, s.value]));
}

function unknownKeys(where: string, at: string, o: object, known: Set<string>): void {
  for (const [k, v] of Object.entries(o))
    if (v !== undefined && !known.has(k)) throw new ConfigError(`${where}: ${at}.${k} is not translated into a cri target`);
}

function compact(o: Json): Json | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}
