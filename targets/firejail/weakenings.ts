/**
 * firejail's negative controls, as data: each drops lines of the profile firejail reads as root
 * (server.profile), through firejail's own `--ignore=` (./argv.ts settingArgs). Each is the
 * built-in runtime's weakening of the same settings, so it must flip the checks that name that
 * one, where they pass on the default firejail target. firejail leaves the host's network, user,
 * cgroup and time namespaces shared by default already, and always makes the others, so there are
 * no namespace controls; no_new_privs cannot be turned off alone (firejail sets it while it loads
 * any seccomp filter).
 */
import type { Weakening } from '../../model/weakening.js';

export const FIREJAIL_WEAKENINGS: readonly Weakening[] = [
  { kind: 'firejail', settings: { seccomp: 'none' } },
  { kind: 'firejail', settings: { caps: 'all' } },
];
