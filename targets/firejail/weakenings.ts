/**
 * firejail's negative controls, as data: each drops lines of the profile firejail reads as root
 * (server.profile), through firejail's own `--ignore=` (./argv.ts settingArgs). Each is the
 * built-in runtime's weakening of the same settings, so it must flip the checks that name that
 * one, where they pass on the default firejail target. firejail leaves the host's network, user,
 * cgroup and time namespaces shared by default already, and always makes the others, so there are
 * no namespace controls; no_new_privs cannot be turned off alone (firejail sets it while it loads
 * any seccomp filter). Nor is `caps: "all"` one: every check the built-in `caps=all` flips fails on
 * default firejail already (its filter keeps CAP_SYS_PTRACE, CAP_SYS_TIME, CAP_NET_ADMIN, CAP_BPF
 * ...), but security.ptrace-refused, which firejail's seccomp filter holds whatever the
 * capabilities (test/integration/firejail.test.ts runs it as a setting).
 */
import type { Weakening } from '../../model/weakening.js';

export const FIREJAIL_WEAKENINGS: readonly Weakening[] = [{ kind: 'firejail', settings: { seccomp: 'none' } }];
