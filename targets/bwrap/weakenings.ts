/**
 * bwrap's negative controls, as data: each leaves one namespace unshared that `--unshare-all`
 * would make (BWRAP_SHAREABLE: the net one through bwrap's own `--share-net`, the others by
 * listing the remaining `--unshare-*` flags). Each is the built-in runtime's weakening of the
 * same name (`builtin share=<ns>`), so it must flip the checks that name that one, where they pass
 * on the default bwrap target. bwrap cannot share the mount namespace and never makes a time
 * namespace, so there are no controls for those; nor for capabilities or seccomp, which bwrap as
 * root leaves wide open by default already.
 */
import type { Weakening } from '../../model/weakening.js';
import { BWRAP_SHAREABLE } from './argv.js';
import {
  BWRAP_SANDBOX_HOST_RUN,
  BWRAP_SANDBOX_HOST_VARTMP,
  BWRAP_SANDBOX_KEEP_ENV,
  BWRAP_SANDBOX_RO_WORKSPACE,
  BWRAP_SANDBOX_SHARE_NET,
} from '../../model/sandbox-controls.js';

export const BWRAP_WEAKENINGS: readonly Weakening[] = BWRAP_SHAREABLE.map((ns) => ({ kind: 'bwrap', settings: { share: [ns] } }));

/**
 * The sandbox profile's controls (checks/controls.ts, docs/sandbox-profile.md): the passing line
 * `rootfs: host` with `--clearenv --tmpfs /var/tmp --tmpfs /run`, each with one thing given
 * back. test/integration/agent.test.ts runs them under --profile sandbox.
 */
export const BWRAP_SANDBOX_WEAKENINGS: readonly Weakening[] = [
  BWRAP_SANDBOX_HOST_VARTMP,
  BWRAP_SANDBOX_SHARE_NET,
  BWRAP_SANDBOX_HOST_RUN,
  BWRAP_SANDBOX_KEEP_ENV,
  BWRAP_SANDBOX_RO_WORKSPACE,
];
