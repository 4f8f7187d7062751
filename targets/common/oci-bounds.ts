/**
 * How long each OCI runtime command may take (README, "Bounds"). `run` lives as long as its
 * container and keeps the target's own time limit (60 s unless configured); the others are short
 * verbs that answer in milliseconds here, so their bounds only catch a runtime that hangs (a
 * state directory on a dead mount, a stuck cgroup). A bound hit is the target's error, naming
 * the runtime and the command.
 */
export const OCI_BOUNDS_MS = {
  '--version': 5_000,
  'delete --force': 10_000,
  'list --quiet': 10_000,
} as const;
