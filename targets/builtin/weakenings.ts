/**
 * The built-in runtime's negative controls that the project's tests run (test/integration/
 * builtin.test.ts): each is a target config of this kind with one isolation turned off, and must
 * make exactly the checks that name it fail. Data only.
 */
import type { Weakening } from '../../model/weakening.js';

export const weakenings: Weakening[] = [
  { kind: 'builtin', settings: { share: ['pid'] } },
  { kind: 'builtin', settings: { share: ['mnt'] } },
  { kind: 'builtin', settings: { share: ['net'] } },
  { kind: 'builtin', settings: { share: ['uts'] } },
  { kind: 'builtin', settings: { share: ['ipc'] } },
  { kind: 'builtin', settings: { share: ['user'] } },
  { kind: 'builtin', settings: { share: ['time'] } },
  { kind: 'builtin', settings: { share: ['cgroup'] } },
  { kind: 'builtin', settings: { rootChange: 'chroot' } },
  { kind: 'builtin', settings: { caps: 'all' } },
  { kind: 'builtin', settings: { limits: 'none' } },
  { kind: 'builtin', settings: { seccomp: 'none' } },
  { kind: 'builtin', settings: { seccompNativeOnly: true } },
  { kind: 'builtin', settings: { noNewPrivs: false } },
  { kind: 'builtin', settings: { leakHostFd: true } },
  { kind: 'builtin', settings: { cgroupfs: 'rw' } },
  // The nearest to Docker's --privileged this host allows: host user and cgroup namespaces, every
  // capability, no seccomp filter, no no_new_privs, and a writable cgroupfs.
  { kind: 'builtin', settings: { share: ['user', 'cgroup'], caps: 'all', seccomp: 'none', noNewPrivs: false, cgroupfs: 'rw' }, note: 'privileged' },
  // The cross area's: the second of the two sibling containers joins the first's namespace (and,
  // to use it, its user namespace); the facts container is untouched.
  { kind: 'builtin', settings: { joinSibling: ['pid'] } },
  { kind: 'builtin', settings: { joinSibling: ['ipc'] } },
  { kind: 'builtin', settings: { joinSibling: ['net'] } },
  { kind: 'builtin', settings: { joinSibling: ['uts'] } },
];
