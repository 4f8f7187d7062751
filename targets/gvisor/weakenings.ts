/**
 * runsc's flags that weaken the sandbox in this version (`runsc flags`, 20221219) and that some
 * check can observe, as data; test/integration/gvisor.test.ts runs each and it must flip exactly
 * the checks naming it.
 *  - `--network=host`: the workload uses the host's network stack; the Sentry stays in the host's
 *    user namespace as root (it needs the host's network capabilities).
 *  - `--rootless`: the Sentry runs as the caller (root here) instead of nobody.
 *  - `--ignore-cgroups`: no cgroup for the sandbox, so none of its limits.
 * Not here: `--host-uds`, `--host-fifo` (they open host sockets and fifos only on paths bound into
 * the container, and the bundle binds none but /scratch); `--file-access=shared`, `--overlay2=none`
 * (no check writes to a host path it could observe); `--TESTONLY-unsafe-nonroot` (refuses to start
 * as root here: "cannot read client sync file").
 */
import type { Weakening } from '../../model/weakening.js';

/**
 * As Docker sends it for runsc with the host's network: config.json without a network namespace
 * (with one, runsc --network=host puts the Sentry in that new, empty one), and without a user
 * namespace, which 20221219 refuses with the host's network ("error setting up chroot: error
 * converting mounts: operation not permitted"): the Sentry then stays in the host's.
 */
export const HOST_NETWORK: Weakening = {
  kind: 'gvisor',
  settings: {
    flags: ['--network=host'],
    specPatch: { linux: { namespaces: ['pid', 'mount', 'uts', 'ipc', 'time', 'cgroup'].map((type) => ({ type })), uidMappings: null, gidMappings: null } },
  },
};

export const GVISOR_WEAKENINGS: readonly Weakening[] = [
  HOST_NETWORK,
  { kind: 'gvisor', settings: { flags: ['--rootless'] } },
  { kind: 'gvisor', settings: { flags: ['--ignore-cgroups'] } },
];
