/**
 * nspawn's negative controls, as data, each through nspawn's own options: every capability
 * (`--capability=all`), no seccomp filter (SYSTEMD_SECCOMP=0) and the host's network namespace,
 * which is nspawn's default (`--private-network` is what the isolated variant asks). Each is the
 * built-in runtime's weakening of the same name, so it must flip the checks that name that one:
 * caps and seccomp against the default nspawn target, share=net against the `share: []` one.
 * nspawn cannot share its mount, pid, IPC, UTS or cgroup namespaces, and makes no user or time one.
 */
import type { Weakening } from '../../model/weakening.js';

export const NSPAWN_WEAKENINGS: readonly Weakening[] = [
  { kind: 'nspawn', settings: { caps: 'all' } },
  { kind: 'nspawn', settings: { seccomp: 'none' } },
  { kind: 'nspawn', settings: { share: ['net'] } },
];
