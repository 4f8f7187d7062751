/**
 * Everything `isoprobe k8s` writes for one fleet run, as (path, JSON) pairs: pure, so the same
 * input gives the same files and the tests validate every object offline.
 *
 *   fleet.json                        the plan: nonce, nodes in order, parallelism, RuntimeClasses, bounds
 *   manifests/00-namespace.json       applied once, in this order, before any observer
 *   manifests/01-serviceaccount.json
 *   manifests/02-targets.json         the ConfigMap every observer mounts
 *   nodes/<node>/observer.json        that node's observer Job, created when its turn comes
 *   nodes/<node>/targets.json         the cri targets it runs (the ConfigMap's data)
 *   nodes/<node>/subjects/<key>.json  the Pods those targets stand for: never applied
 *   client/clusterrole.json           what the client applying the plan needs (./kube-api.ts): to bind, not applied
 *
 * No Role or RoleBinding for the observer: it reads and writes nothing through the API (its
 * results leave through its log), so its service account has no token and no permission.
 * One ConfigMap for all nodes: nothing a subject says depends on the node but nodeName, which CRI
 * does not carry, so every node's targets.json is the same text; immutable, so kubelets fetch it
 * once and watch nothing.
 */
import type { IConfigMap, INamespace, IPod, IServiceAccount } from 'kubernetes-models/v1';
import type { IJob } from 'kubernetes-models/batch/v1';
import { fleetLabels } from './labels.js';
import { MAX_RECORD_BYTES, RECORD_PREFIX } from './log-record.js';
import { CLIENT_CLUSTER_ROLE, clientClusterRole } from './kube-api.js';
import type { RuntimeClassRef } from './names.js';
import { CONFIG_DIR, NODE_CRI_SOCKET, OBSERVER_PROFILE, observerJob, observerName, TTL_AFTER_FINISHED_S } from './observer.js';
import { subjectPods } from './subjects.js';
import { criTargetOf, type CriTargetJson } from './translate.js';

export interface FleetInput {
  nonce: string;
  /** In the order the observers run. */
  nodes: readonly string[];
  /** node-1..N stand for nodes to be picked: names cannot be known offline. */
  placeholders: boolean;
  runtimeClasses: readonly RuntimeClassRef[];
  namespace: string;
  /** The observer's image: isoprobe installed, with node and ctr (docs/scale-out.md). */
  image: string;
  /** The probe image the cri target imports into each node's runtime (targets/cri/image.ts). */
  probeImage: string;
  timeoutS: number;
  parallelism: number;
  version: string;
}

export type FleetObject = INamespace | IServiceAccount | IConfigMap | IJob | IPod;

export interface FleetFile {
  path: string;
  /** A Kubernetes object, or isoprobe's own JSON (fleet.json, targets.json). */
  json: unknown;
  kind: 'object' | 'subject' | 'targets' | 'plan' | 'client';
}

export const CLIENT_ROLE_FILE = 'client/clusterrole.json';

export function serviceAccountOf(nonce: string): string {
  return `isoprobe-${nonce}-observer`;
}

export function targetsOf(
  input: Pick<FleetInput, 'nonce' | 'namespace' | 'probeImage' | 'runtimeClasses'>,
  node: string,
  endpoint?: string,
): { targets: CriTargetJson[] } {
  const handlers = Object.fromEntries(input.runtimeClasses.map((rc) => [rc.name, rc.handler]));
  const subjects = subjectPods({ ...input, node });
  return { targets: subjects.map((s) => criTargetOf(s.pod, { name: s.key, handlers, ...(endpoint ? { endpoint } : {}) })) };
}

export function fleetFiles(input: FleetInput): FleetFile[] {
  const labels = fleetLabels(input.nonce);
  const configMap = `isoprobe-${input.nonce}-targets`;
  const namespace: INamespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: input.namespace,
      // The observer is privileged with the host's namespaces and hostPath volumes: only the
      // privileged level of Pod Security admission lets it in (docs/scale-out.md).
      labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'privileged' },
    },
  };
  const serviceAccount: IServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: serviceAccountOf(input.nonce), namespace: input.namespace, labels },
    automountServiceAccountToken: false,
  };
  // The same for every node (see above); written per node as well, for a reader of one node.
  const targetsText = `${JSON.stringify(targetsOf(input, input.nodes[0] ?? '', `unix://${NODE_CRI_SOCKET}`), null, 2)}\n`;
  const targets: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configMap, namespace: input.namespace, labels },
    immutable: true,
    data: { 'targets.json': targetsText },
  };
  const files: FleetFile[] = [
    { path: 'manifests/00-namespace.json', json: namespace, kind: 'object' },
    { path: 'manifests/01-serviceaccount.json', json: serviceAccount, kind: 'object' },
    { path: 'manifests/02-targets.json', json: targets, kind: 'object' },
  ];
  input.nodes.forEach((node, i) => {
    const dir = `nodes/${node}`;
    const job = observerJob({ ...input, node, index: i + 1, placeholder: input.placeholders, serviceAccount: serviceAccountOf(input.nonce), configMap });
    files.push({ path: `${dir}/observer.json`, json: job, kind: 'object' });
    files.push({ path: `${dir}/targets.json`, json: JSON.parse(targetsText), kind: 'targets' });
    for (const s of subjectPods({ ...input, node })) files.push({ path: `${dir}/subjects/${s.key}.json`, json: s.pod, kind: 'subject' });
  });
  files.push({ path: CLIENT_ROLE_FILE, json: clientClusterRole(), kind: 'client' });
  files.unshift({ path: 'fleet.json', json: plan(input, files, configMap), kind: 'plan' });
  return files;
}

/** fleet.json: what a client applying the plan reads (./apply.ts does). */
export type FleetPlan = ReturnType<typeof plan>;

function plan(input: FleetInput, files: FleetFile[], configMap: string) {
  return {
    schema: 'isoprobe-fleet/1',
    tool: { name: 'isoprobe', version: input.version },
    run: input.nonce,
    namespace: input.namespace,
    selector: `app.kubernetes.io/managed-by=isoprobe,isoprobe.run=${input.nonce}`,
    nodeNames: input.placeholders ? 'placeholders: node-1..N stand for nodes to pick; replace them in each observer before creating it' : 'given',
    apply: files.filter((f) => f.path.startsWith('manifests/')).map((f) => f.path),
    parallelism: {
      observers: Math.min(input.parallelism, input.nodes.length),
      order: 'create the observer Jobs in the order of "nodes", at most this many unfinished at once; the next when one ends',
    },
    timeoutSeconds: input.timeoutS,
    ttlSecondsAfterFinished: TTL_AFTER_FINISHED_S,
    profile: OBSERVER_PROFILE,
    rbac: 'none: the observer makes no API call (CRI on its node, results in its log); its service account has no token',
    client: {
      clusterRole: CLIENT_ROLE_FILE,
      name: CLIENT_CLUSTER_ROLE,
      why: 'what the identity that applies this plan (isoprobe k8s --apply, or a client doing the same) needs; bind it, isoprobe creates no RBAC',
    },
    runtimeClasses: input.runtimeClasses.map((rc) => ({
      name: rc.name,
      handler: rc.handler,
      handlerFrom: rc.handlerGiven ? 'given' : 'assumed to be the name',
      check: `the cluster must have RuntimeClass ${rc.name} with handler ${rc.handler} (isoprobe creates none); a node whose runtime lacks the handler reports that target as one that could not run`,
    })),
    configMap: { name: configMap, mountedAt: `${CONFIG_DIR}/targets.json` },
    record: { prefix: RECORD_PREFIX.trim(), maxBytes: MAX_RECORD_BYTES, where: "the last line of each observer's log" },
    nodes: input.nodes.map((node, i) => ({
      name: node,
      index: i + 1,
      job: observerName(input.nonce, i + 1),
      observer: `nodes/${node}/observer.json`,
      targets: `nodes/${node}/targets.json`,
      subjects: files.filter((f) => f.kind === 'subject' && f.path.startsWith(`nodes/${node}/`)).map((f) => f.path),
    })),
  };
}
