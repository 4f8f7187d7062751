/**
 * What `isoprobe k8s --apply` asks of a Kubernetes API server, and nothing else: create the
 * plan's objects, list the observer Jobs and Pods by label, read an observer Pod's log, delete a
 * Job that outlived its bound and, at the end, the run's namespace. fleet/apply.ts is written over
 * this interface (its tests give it a fake); fleet/kube-client.ts implements it with
 * @kubernetes/client-node, turning every failure into one line that names the server, the verb
 * and the resource.
 *
 * The ClusterRole below is what the client's own identity needs for exactly these calls, written
 * into the plan's files (client/clusterrole.json) for an administrator to bind; isoprobe never
 * creates RBAC objects itself (that would need the escalate or bind verbs).
 *
 *   call                      verb    resource (API group)      why
 *   find expired runs         list    namespaces ("")           by label: left by a SIGKILLed client
 *   create the Namespace      create  namespaces ("")           the run's own, Pod Security privileged
 *   create ServiceAccount     create  serviceaccounts ("")      the observers', without a token
 *   create ConfigMap          create  configmaps ("")           targets.json
 *   create observer Jobs      create  jobs (batch)              one per node, P at a time
 *   poll the running Jobs     list    jobs (batch)              one call per interval, by label
 *   find a Job's Pod          list    pods ("")                 by label, when its Job ended
 *   read the record           get     pods/log ("")             the last lines of the observer's log
 *   stop an overdue observer  delete  jobs (batch)              its Pod gets SIGTERM and cleans up
 *   remove the run            delete  namespaces ("")           everything else goes with it
 */
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { IConfigMap, INamespace, IServiceAccount } from 'kubernetes-models/v1';
import { MANAGED_BY } from './labels.js';

/** The kinds apply creates: the plan's manifests and observers (subjects are never applied). */
export type KubeObject = INamespace | IServiceAccount | IConfigMap | IJob;

/** A Job as apply needs it: whether it ended, and how (its conditions' reasons and messages). */
export interface JobState {
  name: string;
  labels: Record<string, string>;
  active: number;
  succeeded: number;
  failed: number;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
}

/** A Pod as apply needs it, to find an observer's and say why it gave nothing. */
export interface PodState {
  name: string;
  labels: Record<string, string>;
  /** Pending | Running | Succeeded | Failed | Unknown */
  phase: string;
  /** RFC 3339, to take the newest when a Job made more than one. */
  created?: string;
  reason?: string;
  message?: string;
  /** The observer container's state: waiting (ImagePullBackOff, …) or terminated (exit code). */
  container?: { waiting?: string; terminated?: { exitCode: number; reason?: string } };
}

/** A namespace as the reaping of expired runs needs it. */
export interface NamespaceState {
  name: string;
  annotations: Record<string, string>;
  /** Active | Terminating */
  phase: string;
}

export interface KubeApi {
  /** Where the calls go (the kubeconfig's server URL), for messages. */
  readonly server: string;
  /** Creates one of the plan's objects (Namespace, ServiceAccount, ConfigMap, Job); an object that exists already is an error. */
  create(object: KubeObject): Promise<void>;
  listJobs(namespace: string, labelSelector: string): Promise<JobState[]>;
  listPods(namespace: string, labelSelector: string): Promise<PodState[]>;
  /** The last `tailLines` lines of a container's log. */
  readPodLog(namespace: string, pod: string, container: string, tailLines: number): Promise<string>;
  /** Deletes a Job and, in the background, its Pods; one already gone is not an error. */
  deleteJob(namespace: string, name: string): Promise<void>;
  listNamespaces(labelSelector: string): Promise<NamespaceState[]>;
  /** Deletes a namespace and everything in it; one already gone is not an error. */
  deleteNamespace(name: string): Promise<void>;
}

export const CLIENT_CLUSTER_ROLE = 'isoprobe-k8s-client';

/**
 * Cluster-wide because a namespace is: creating and deleting the run's namespace cannot be
 * granted inside it, and its name (isoprobe-<nonce>) is not known before the run. Every other
 * rule is used only inside the namespaces the client made.
 */
export function clientClusterRole(): IClusterRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name: CLIENT_CLUSTER_ROLE,
      labels: { [MANAGED_BY]: 'isoprobe' },
      annotations: {
        'isoprobe.note':
          'What the identity running "isoprobe k8s --apply" needs (fleet/kube-api.ts), for an administrator to bind, e.g. ' +
          `kubectl create clusterrolebinding ${CLIENT_CLUSTER_ROLE} --clusterrole=${CLIENT_CLUSTER_ROLE} --user=NAME. isoprobe never creates it.`,
      },
    },
    rules: [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['create', 'list', 'delete'] },
      { apiGroups: [''], resources: ['serviceaccounts', 'configmaps'], verbs: ['create'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'list', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ],
  };
}
