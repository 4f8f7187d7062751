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

export const BWRAP_WEAKENINGS: readonly Weakening[] = BWRAP_SHAREABLE.map((ns) => ({ kind: 'bwrap', settings: { share: [ns] } }));
