/**
 * The labels on every object a fleet run writes: `app.kubernetes.io/managed-by` (the
 * recommended label, so a cluster's tooling can tell isoprobe's objects from a user's) and the
 * run's nonce, by which one run's objects are listed and deleted together (docs/scale-out.md).
 */
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const RUN_LABEL = 'isoprobe.run';
/** observer | subject */
export const ROLE_LABEL = 'isoprobe.role';
export const SUBJECT_LABEL = 'isoprobe.subject';
/** A node's position in the run's order (a label: node names may be longer than a label value's 63 characters). */
export const NODE_INDEX_LABEL = 'isoprobe.node-index';
/** The node's name, as an annotation for the same reason. */
export const NODE_ANNOTATION = 'isoprobe.node';
export const NOTE_ANNOTATION = 'isoprobe.note';
/**
 * On the namespace `--apply` creates: when its run's own bound has passed (RFC 3339). A client
 * deletes its namespace before then, so one past it was left by a client that was SIGKILLed or
 * lost its connection, and the next `--apply` deletes it (fleet/apply.ts reapExpired).
 */
export const EXPIRES_ANNOTATION = 'isoprobe.expires';

export function fleetLabels(nonce: string): Record<string, string> {
  return { [MANAGED_BY]: 'isoprobe', [RUN_LABEL]: nonce };
}
