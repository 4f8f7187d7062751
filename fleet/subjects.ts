/**
 * The subject Pods: what a user's workload gets on a node, written as the Kubernetes Pod objects
 * the run claims to test. They are never created through the API: the observer on the node runs
 * each as a cri target (./translate.ts) through the node's own CRI runtime, as kubelet would
 * have. So a Pod here says only what kubelet would turn into CRI settings; the harness's own
 * additions (the probe's command line, two bind mounts for holding and scratch, the hostname the
 * checks compare) are said in its note, not dressed up as volumes a restricted Pod may not have.
 *
 * - default: a Pod with nothing set, what a plain Deployment gets.
 * - restricted: the Pod Security Standard "restricted" as its documentation asks a Pod to meet it
 *   (runAsNonRoot with a non-root uid, seccomp RuntimeDefault at the pod level; each container
 *   allowPrivilegeEscalation false and capabilities drop ALL).
 * - runtimeclass-<name>: the default Pod with runtimeClassName, one per RuntimeClass named.
 */
import type { IPod, ISecurityContext, IPodSecurityContext } from 'kubernetes-models/v1';
import { PROBE_PATH } from '../model/target.js';
import { fleetLabels, NOTE_ANNOTATION, ROLE_LABEL, SUBJECT_LABEL } from './labels.js';
import type { RuntimeClassRef } from './names.js';

/** The uid and gid of the restricted Pod: nobody, which the probe image does not need to name. */
export const RESTRICTED_UID = 65534;

export interface SubjectInput {
  nonce: string;
  namespace: string;
  node: string;
  /** The probe image the cri target imports into the node's runtime (targets/cri/image.ts). */
  probeImage: string;
  runtimeClasses: readonly RuntimeClassRef[];
}

export interface Subject {
  /** The target's name in targets.json and the results: default, restricted, runtimeclass-<name>. */
  key: string;
  pod: IPod;
}

const NOTE =
  'Not to be applied: the isoprobe observer on this node runs this Pod through the node CRI runtime, as kubelet would, ' +
  'as the target of the same name in its targets.json. The harness adds what observing needs and a Pod would not say: ' +
  'the probe command line, read-only and scratch bind mounts from its run directory, and a hostname of its own per container.';

const RESTRICTED_POD: IPodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: RESTRICTED_UID,
  runAsGroup: RESTRICTED_UID,
  seccompProfile: { type: 'RuntimeDefault' },
};
const RESTRICTED_CONTAINER: ISecurityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

export function subjectPods(input: SubjectInput): Subject[] {
  return [
    subject(input, 'default', {}),
    subject(input, 'restricted', { pod: RESTRICTED_POD, container: RESTRICTED_CONTAINER }),
    ...input.runtimeClasses.map((rc) => subject(input, `runtimeclass-${rc.name}`, { runtimeClassName: rc.name })),
  ];
}

function subject(input: SubjectInput, key: string, extra: { pod?: IPodSecurityContext; container?: ISecurityContext; runtimeClassName?: string }): Subject {
  const pod: IPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `isoprobe-${input.nonce}-${key}`,
      namespace: input.namespace,
      labels: { ...fleetLabels(input.nonce), [ROLE_LABEL]: 'subject', [SUBJECT_LABEL]: key },
      annotations: { [NOTE_ANNOTATION]: NOTE },
    },
    spec: {
      nodeName: input.node,
      restartPolicy: 'Never',
      // A token volume and service variables would be more than the cri target gives the container.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(extra.runtimeClassName ? { runtimeClassName: extra.runtimeClassName } : {}),
      ...(extra.pod ? { securityContext: structuredClone(extra.pod) } : {}),
      containers: [
        {
          name: 'probe',
          image: input.probeImage,
          imagePullPolicy: 'Never',
          command: [PROBE_PATH, 'facts'],
          ...(extra.container ? { securityContext: structuredClone(extra.container) } : {}),
        },
      ],
    },
  };
  return { key, pod };
}
