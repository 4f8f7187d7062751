/**
 * LXC's negative controls, as data, each through LXC's own configuration keys (./conf.ts): the
 * host's pid, net, IPC, UTS or cgroup namespace kept (`lxc.namespace.keep`), every capability
 * (`lxc.cap.drop =`), no seccomp filter (`lxc.seccomp.profile =`), each the built-in runtime's
 * weakening of the same name judged against the default lxc target; and the default target itself
 * is the control of the `idmap` one: without `lxc.idmap` the container is in the host's user
 * namespace (the built-in runtime's share=user).
 */
import type { Weakening } from '../../model/weakening.js';

export const LXC_WEAKENINGS: readonly Weakening[] = [
  { kind: 'lxc', settings: { share: ['pid'] } },
  { kind: 'lxc', settings: { share: ['net'] } },
  { kind: 'lxc', settings: { share: ['ipc'] } },
  { kind: 'lxc', settings: { share: ['uts'] } },
  { kind: 'lxc', settings: { share: ['cgroup'] } },
  { kind: 'lxc', settings: { caps: 'all' } },
  { kind: 'lxc', settings: { seccomp: 'none' } },
  { kind: 'lxc', settings: { idmap: false }, note: 'no-idmap' },
];
