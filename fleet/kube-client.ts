/**
 * KubeApi (./kube-api.ts) over @kubernetes/client-node, the only file that imports it (the CLI
 * loads this one with import(), so no other command pays for the package's start-up). The
 * kubeconfig is --kubeconfig FILE, else the client's own default (KUBECONFIG, ~/.kube/config, the
 * service account of a pod), minus its last resort: with none of these it would talk to
 * http://localhost:8080, which is no one's cluster, so that is an EnvError here.
 *
 * Every call has a deadline, and every failure becomes one line (an EnvError) naming the server
 * and what was asked: not reachable (with the system's reason), 401, 403 (the verb and resource,
 * and the ClusterRole that grants them), 409 (an object that exists already), any other status
 * with the API server's own message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiException, BatchV1Api, CoreV1Api, KubeConfig, type V1Job, type V1Namespace, type V1Pod } from '@kubernetes/client-node';
import { DeadlineError, secondsText, withDeadline } from '../model/deadline.js';
import { EnvError } from '../model/errors.js';
import { CLIENT_CLUSTER_ROLE, type JobState, type KubeApi, type KubeObject, type NamespaceState, type PodState } from './kube-api.js';

/** One API call; a log read of a few lines, a list of at most P Jobs. */
export const CALL_MS = 30_000;
/** Where a pod's service account token is (client-node's in-cluster configuration). */
const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

const REACH: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name did not resolve',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'no answer in time',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'a self-signed certificate the kubeconfig does not trust',
  SELF_SIGNED_CERT_IN_CHAIN: 'a certificate chain the kubeconfig does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'a certificate the kubeconfig does not trust',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: "its certificate does not name the server's host",
};

export function kubeClient(kubeconfigPath?: string): KubeApi {
  const kc = loadConfig(kubeconfigPath);
  const cluster = kc.getCurrentCluster();
  const where = kubeconfigPath ? `--kubeconfig ${kubeconfigPath}` : 'the kubeconfig';
  if (!cluster) throw new EnvError(`${where} has no cluster for its current context "${kc.getCurrentContext()}"`);
  const server = cluster.server;
  let core: CoreV1Api;
  let batch: BatchV1Api;
  try {
    core = kc.makeApiClient(CoreV1Api);
    batch = kc.makeApiClient(BatchV1Api);
  } catch (e) {
    throw new EnvError(`${where}: ${(e as Error).message}`);
  }
  const call = async <T>(verb: string, resource: string, namespace: string | undefined, fn: () => Promise<T>): Promise<T> => {
    const what = `${verb} ${resource}${namespace ? ` in namespace ${namespace}` : ''}`;
    try {
      return await withDeadline(fn(), CALL_MS, what);
    } catch (e) {
      throw apiError(server, what, verb, resource, e);
    }
  };
  const gone = (e: unknown) => {
    if (!(e instanceof EnvError && (e as { status?: number }).status === 404)) throw e;
  };
  return {
    server,
    create: (o) => create(call, core, batch, o),
    listJobs: async (namespace, labelSelector) =>
      (await call('list', 'jobs', namespace, () => batch.listNamespacedJob({ namespace, labelSelector }))).items.map(jobState),
    listPods: async (namespace, labelSelector) =>
      (await call('list', 'pods', namespace, () => core.listNamespacedPod({ namespace, labelSelector }))).items.map(podState),
    readPodLog: (namespace, name, container, tailLines) =>
      call('get', 'pods/log', namespace, () => core.readNamespacedPodLog({ name, namespace, container, tailLines })),
    deleteJob: (namespace, name) =>
      call('delete', 'jobs', namespace, () => batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' })).then(() => {}, gone),
    listNamespaces: async (labelSelector) =>
      (await call('list', 'namespaces', undefined, () => core.listNamespace({ labelSelector }))).items.map(namespaceState),
    deleteNamespace: (name) =>
      call('delete', 'namespaces', undefined, () => core.deleteNamespace({ name, propagationPolicy: 'Background' })).then(() => {}, gone),
  };
}

type Call = <T>(verb: string, resource: string, namespace: string | undefined, fn: () => Promise<T>) => Promise<T>;

/** The plan's kinds, each through its typed call (no discovery round trip, and nothing else can be created). */
async function create(call: Call, core: CoreV1Api, batch: BatchV1Api, o: KubeObject): Promise<void> {
  const namespace = o.metadata?.namespace ?? '';
  // The plan's objects are kubernetes-models' plain JSON, which client-node serialises field by field.
  const body = o as never;
  switch (o.kind) {
    case 'Namespace':
      await call('create', 'namespaces', undefined, () => core.createNamespace({ body }));
      return;
    case 'ServiceAccount':
      await call('create', 'serviceaccounts', namespace, () => core.createNamespacedServiceAccount({ namespace, body }));
      return;
    case 'ConfigMap':
      await call('create', 'configmaps', namespace, () => core.createNamespacedConfigMap({ namespace, body }));
      return;
    case 'Job':
      await call('create', 'jobs', namespace, () => batch.createNamespacedJob({ namespace, body }));
      return;
  }
}

function loadConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  const source = file ?? defaultSource();
  try {
    if (source === 'in-cluster') kc.loadFromCluster();
    else kc.loadFromFile(source);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new EnvError(`cannot read the kubeconfig ${source}: ${err.code ?? err.message.split('\n')[0]}`);
  }
  return kc;
}

/** What KubeConfig.loadFromDefault would read, without its fallback to http://localhost:8080. */
function defaultSource(): string {
  const env = process.env.KUBECONFIG?.split(path.delimiter).find((f) => f !== '');
  if (env) return env;
  const home = path.join(os.homedir(), '.kube', 'config');
  if (fs.existsSync(home)) return home;
  if (fs.existsSync(IN_CLUSTER_TOKEN)) return 'in-cluster';
  throw new EnvError(`no kubeconfig: KUBECONFIG is not set, ${home} does not exist and this is not a pod (give --kubeconfig FILE)`);
}

/** One line for a failed call; `status` kept for the callers that tolerate a 404. */
function apiError(server: string, what: string, verb: string, resource: string, e: unknown): EnvError {
  const err = new EnvError(apiMessage(server, what, verb, resource, e));
  if (e instanceof ApiException) Object.assign(err, { status: e.code });
  return err;
}

function apiMessage(server: string, what: string, verb: string, resource: string, e: unknown): string {
  if (e instanceof DeadlineError) return `the Kubernetes API server at ${server} did not answer '${what}' within ${secondsText(e.ms)}`;
  if (e instanceof ApiException) {
    const said = statusMessage(e.body);
    if (e.code === 401) return `the Kubernetes API server at ${server} did not accept the kubeconfig's credentials (401) to ${what}`;
    if (e.code === 403)
      return `the Kubernetes API server at ${server} forbids ${verb} on ${resource} (${what}; 403${said ? `: ${said}` : ''}): bind the ClusterRole ${CLIENT_CLUSTER_ROLE} (client/clusterrole.json)`;
    if (e.code === 409) return `the Kubernetes API server at ${server} refused to ${what}: it exists already (409${said ? `: ${said}` : ''})`;
    return `the Kubernetes API server at ${server} answered HTTP ${e.code} to ${what}${said ? `: ${said}` : ''}`;
  }
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? (err.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code && code in REACH) return `cannot reach the Kubernetes API server at ${server} (${what}): ${REACH[code]}`;
  return `cannot ${what} on the Kubernetes API server at ${server}: ${(err.message ?? String(e)).split('\n')[0]}`;
}

/** The API server's Status.message in an error's body (JSON text), on one line. */
function statusMessage(body: unknown): string {
  let v: unknown = body;
  if (typeof body === 'string') {
    try {
      v = JSON.parse(body);
    } catch {
      return body.split('\n')[0]!.slice(0, 300);
    }
  }
  const m = (v as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? m.split('\n')[0]! : '';
}

function jobState(j: V1Job): JobState {
  return {
    name: j.metadata?.name ?? '',
    labels: j.metadata?.labels ?? {},
    active: j.status?.active ?? 0,
    succeeded: j.status?.succeeded ?? 0,
    failed: j.status?.failed ?? 0,
    conditions: (j.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    })),
  };
}

function namespaceState(n: V1Namespace): NamespaceState {
  return { name: n.metadata?.name ?? '', annotations: n.metadata?.annotations ?? {}, phase: n.status?.phase ?? 'Active' };
}

function podState(p: V1Pod): PodState {
  const c = p.status?.containerStatuses?.find((s) => s.name === 'observer') ?? p.status?.containerStatuses?.[0];
  const t = c?.state?.terminated;
  const waiting = c?.state?.waiting?.reason;
  const created = p.metadata?.creationTimestamp;
  return {
    name: p.metadata?.name ?? '',
    labels: p.metadata?.labels ?? {},
    phase: p.status?.phase ?? 'Unknown',
    ...(created ? { created: new Date(created).toISOString() } : {}),
    ...(p.status?.reason ? { reason: p.status.reason } : {}),
    ...(p.status?.message ? { message: p.status.message } : {}),
    ...(t || waiting
      ? { container: { ...(waiting ? { waiting } : {}), ...(t ? { terminated: { exitCode: t.exitCode, ...(t.reason ? { reason: t.reason } : {}) } } : {}) } }
      : {}),
  };
}
