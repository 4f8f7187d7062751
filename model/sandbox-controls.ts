/**
 * The sandbox profile's negative controls as data (docs/sandbox-profile.md), in model/ so that
 * both the checks naming them (checks/agent.ts) and bwrap's list of weakenings
 * (targets/bwrap/weakenings.ts) read the one definition.
 */
import type { Weakening } from './weakening.js';
/**
 * The sandbox profile's bwrap line (docs/sandbox-profile.md): the host's / read-only, the decoy
 * directory's /var/tmp and the host's /run hidden, the environment cleared. Each control below is
 * that line with one thing given back; BWRAP_SANDBOX_LINE itself passes every agent check.
 */
export const BWRAP_SANDBOX_ARGS = ['--clearenv', '--tmpfs', '/var/tmp', '--tmpfs', '/run'] as const;
export const BWRAP_SANDBOX_LINE = { rootfs: 'host', args: [...BWRAP_SANDBOX_ARGS] } as const;
function bwrapSandbox(settings: Record<string, unknown>, note: string): Weakening {
  return { kind: 'bwrap', settings: { rootfs: 'host', ...settings }, note };
}
/** The host's /var/tmp bound writable again: the decoy secrets and the outside directory are in reach. */
export const BWRAP_SANDBOX_HOST_VARTMP = bwrapSandbox({ args: [...BWRAP_SANDBOX_ARGS, '--bind', '/var/tmp', '/var/tmp'] }, 'sandbox-host-var-tmp');
/** The host's network namespace kept (--share-net). */
export const BWRAP_SANDBOX_SHARE_NET = bwrapSandbox({ share: ['net'], args: [...BWRAP_SANDBOX_ARGS] }, 'sandbox-share-net');
/** The host's /run left visible (read-only): its sockets still answer a connect. */
export const BWRAP_SANDBOX_HOST_RUN = bwrapSandbox({ args: ['--clearenv', '--tmpfs', '/var/tmp'] }, 'sandbox-host-run');
/** The environment passed on as bwrap does without --clearenv. */
export const BWRAP_SANDBOX_KEEP_ENV = bwrapSandbox({ args: ['--tmpfs', '/var/tmp', '--tmpfs', '/run'] }, 'sandbox-keep-env');
/** The workspace made read-only after it is bound. */
export const BWRAP_SANDBOX_RO_WORKSPACE = bwrapSandbox({ args: [...BWRAP_SANDBOX_ARGS, '--remount-ro', '/tmp/scratch'] }, 'sandbox-ro-workspace');
