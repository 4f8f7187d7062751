/**
 * The observer: one Pod per node (in a Job of its own), privileged and in the node's pid, IPC and
 * network namespaces, that runs `isoprobe run` on the node's own CRI runtime with the subjects'
 * cri targets. It needs the node's view because the harness observes from the host: the CRI
 * socket (to make the subjects' sandboxes), /proc of the node's pid namespace (hostPID: the
 * subjects' processes, their namespaces and seccomp filters), the node's cgroupfs (their cgroups,
 * and the removal of the run's cgroup tree), and a run directory at the same path on the node and
 * in the observer, since containerd resolves the subjects' bind mounts and log directory on the
 * node. It talks to no API server: it has a service account without a token and no RBAC.
 *
 * Why a Job per node rather than one Job with parallelism: a Job's pods share one template, and
 * the observer is pinned to its node by nodeName, which an indexed Job cannot vary by index. The
 * fleet's parallelism is an order instead (../fleet.json: at most P observers at once, in the
 * order listed). A Job, not a bare Pod, for its deadline, backoffLimit 0 (a failed observer is a
 * result, not something to retry blindly) and ttlSecondsAfterFinished (a finished Job and its Pod
 * are deleted by the cluster even when the client that made them is gone).
 */
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IVolume } from 'kubernetes-models/v1';
import { fleetLabels, NODE_ANNOTATION, NODE_INDEX_LABEL, NOTE_ANNOTATION, ROLE_LABEL } from './labels.js';
import { RECORD_PREFIX } from './log-record.js';

/** containerd's default socket on a Kubernetes node (k3s has its own under /run/k3s). */
export const NODE_CRI_SOCKET = '/run/containerd/containerd.sock';
/** isoprobe's RUN_ROOT (host/paths.ts) where /run is not noexec: the journal of a killed observer stays on the node for the next to reap. */
export const RUN_DIR = '/run/isoprobe';
export const CONFIG_DIR = '/etc/isoprobe';
const OUT_DIR = '/tmp/isoprobe-out';
/** The cri target's own bound after a signal is 45 s (README, "Bounds"): its cleanup gets that and more. */
export const TERMINATION_GRACE_S = 60;
/** Long enough for a client that died to come back for the logs; then the cluster deletes Job and Pod. */
export const TTL_AFTER_FINISHED_S = 3600;
/** Every observer runs baseline: under restricted or strict the cri target itself changes the pods it sends (targets/cri/pod-config.ts podSecurityFor). */
export const OBSERVER_PROFILE = 'baseline';

export interface ObserverInput {
  nonce: string;
  namespace: string;
  node: string;
  index: number;
  /** The node name is a placeholder (node-1..N) to be replaced before the Job is created. */
  placeholder: boolean;
  image: string;
  timeoutS: number;
  serviceAccount: string;
  configMap: string;
}

/**
 * The observer's command: the run in the background so that a SIGTERM (the deadline, a deletion)
 * reaches it and its cleanup removes the sandboxes it made, then the record of its results, the
 * last line of the log; the exit code is the run's.
 */
export function observerScript(): string {
  return [
    `isoprobe run --config ${CONFIG_DIR}/targets.json --profile ${OBSERVER_PROFILE} --out ${OUT_DIR} --format json --quiet & p=$!`,
    `trap 'kill -TERM "$p"' TERM INT`,
    'wait "$p"; s=$?',
    // Interrupted by the trap, wait returns at once: the run is still cleaning up.
    'if kill -0 "$p" 2>/dev/null; then wait "$p"; s=$?; fi',
    `isoprobe k8s --record ${OUT_DIR}/results.json`,
    'exit "$s"',
  ].join('\n');
}

export function observerName(nonce: string, index: number): string {
  return `isoprobe-${nonce}-${String(index).padStart(4, '0')}`;
}

export function observerJob(o: ObserverInput): IJob {
  const labels = { ...fleetLabels(o.nonce), [ROLE_LABEL]: 'observer', [NODE_INDEX_LABEL]: String(o.index) };
  const annotations = {
    [NODE_ANNOTATION]: o.node,
    [NOTE_ANNOTATION]: `${o.placeholder ? `${o.node} is a placeholder: name a node of the cluster before creating this Job. ` : ''}Its log ends with one line starting "${RECORD_PREFIX.trim()}": the results (fleet/log-record.ts).`,
  };
  const hostPath = (name: string, path: string, type: 'Socket' | 'Directory' | 'DirectoryOrCreate'): IVolume => ({ name, hostPath: { path, type } });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: observerName(o.nonce, o.index), namespace: o.namespace, labels, annotations },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 0,
      activeDeadlineSeconds: o.timeoutS,
      ttlSecondsAfterFinished: TTL_AFTER_FINISHED_S,
      template: {
        metadata: { labels, annotations },
        spec: {
          nodeName: o.node,
          restartPolicy: 'Never',
          activeDeadlineSeconds: o.timeoutS,
          terminationGracePeriodSeconds: TERMINATION_GRACE_S,
          serviceAccountName: o.serviceAccount,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          hostPID: true,
          hostIPC: true,
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          // nodeName skips the scheduler; a NoExecute taint would still evict the observer.
          tolerations: [{ operator: 'Exists' }],
          containers: [
            {
              name: 'observer',
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', observerScript()],
              env: [
                { name: 'ISOPROBE_RUN', value: o.nonce },
                { name: 'ISOPROBE_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'NO_COLOR', value: '1' },
              ],
              securityContext: { privileged: true },
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
              volumeMounts: [
                { name: 'cri', mountPath: NODE_CRI_SOCKET },
                { name: 'cgroup', mountPath: '/sys/fs/cgroup' },
                { name: 'run', mountPath: RUN_DIR },
                { name: 'targets', mountPath: CONFIG_DIR, readOnly: true },
              ],
            },
          ],
          volumes: [
            hostPath('cri', NODE_CRI_SOCKET, 'Socket'),
            hostPath('cgroup', '/sys/fs/cgroup', 'Directory'),
            hostPath('run', RUN_DIR, 'DirectoryOrCreate'),
            { name: 'targets', configMap: { name: o.configMap } },
          ],
        },
      },
    },
  };
}
