/**
 * runsc's own flags as every runsc-running target reads them (the gvisor target's `flags`, a
 * Docker daemon's registered runtimeArgs): what isoprobe adds and why, the network and platform
 * they select, and the settings they weaken. Pure: no host access.
 */
import type { Setting } from '../../model/driver.js';
import type { Request } from '../../model/request.js';

/**
 * Why isoprobe asks for `--network=none` when the target's flags name no network: runsc
 * 20221219's default (`sandbox`) refuses to start here ("cannot run with network enabled in root
 * network namespace"; upstream changed that check in release-20240807). `none` still gives the
 * sandbox its own network stack, with only loopback.
 */
export const NETWORK_NONE_WHY =
  'runsc 20221219 refuses its default --network=sandbox on this kernel ("cannot run with network enabled in root network namespace"); none gives the sandbox its own netstack with loopback only';

/** The value of a runsc flag (`--name=v`, `-name=v`, `--name v`; a bare boolean flag is "true"); the last one wins, as Go's flag package does. */
export function flagValue(flags: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < flags.length; i++) {
    const m = /^--?([A-Za-z0-9_-]+)(?:=(.*))?$/.exec(flags[i]);
    if (!m || m[1] !== name) continue;
    if (m[2] !== undefined) value = m[2];
    else if (BOOLEAN_FLAGS.has(name)) value = 'true';
    else value = flags[++i];
  }
  return value;
}

/** The runsc flags isoprobe reads that take no value (Go's flag package: `-x` means `-x=true`). */
const BOOLEAN_FLAGS = new Set(['rootless', 'ignore-cgroups', 'oci-seccomp', 'TESTONLY-unsafe-nonroot', 'overlay', 'net-raw']);

/** The network the flags select, and whether isoprobe chose it (the target named none). */
export function runscNetwork(flags: readonly string[]): { value: string; source: 'isoprobe' | 'user config' } {
  const v = flagValue(flags, 'network');
  return v === undefined ? { value: 'none', source: 'isoprobe' } : { value: v, source: 'user config' };
}

/** The flags runsc is run with: its state root, isoprobe's network where the user named none, then the user's. */
export function runscGlobalFlags(userFlags: readonly string[], stateRoot: string): string[] {
  const net = runscNetwork(userFlags);
  return ['--root', stateRoot, ...(net.source === 'isoprobe' ? ['--network=none'] : []), ...userFlags];
}

/** runsc 20221219's default platform is ptrace (`runsc flags`); the sandbox then traces stub processes of its own. */
export function runscPlatform(flags: readonly string[]): { value: string; source: 'runtime default' | 'user config' } {
  const v = flagValue(flags, 'platform');
  return v === undefined ? { value: 'ptrace', source: 'runtime default' } : { value: v, source: 'user config' };
}

/** What the flags ask of runsc, as the target's settings: the network with who chose it and why, then the user's flags verbatim. */
export function runscSettings(userFlags: readonly string[]): Setting[] {
  const net = runscNetwork(userFlags);
  const platform = runscPlatform(userFlags);
  return [
    { setting: 'runsc --network', value: net.source === 'isoprobe' ? `none (${NETWORK_NONE_WHY})` : net.value, source: net.source },
    { setting: 'runsc --platform', value: platform.value, source: platform.source },
    ...(userFlags.length > 0 ? [{ setting: 'runsc flags', value: userFlags.join(' '), source: 'user config' as const }] : []),
  ];
}

/**
 * The request settings runsc's flags decide over the bundle's: the workload's network is the
 * sandbox's netstack (`none`, `sandbox`) or the host's (`host`), whatever config.json lists.
 */
export function runscRequest(userFlags: readonly string[]): Request {
  const net = runscNetwork(userFlags);
  return { 'ns.net': { value: net.value === 'host' ? 'host' : 'new', source: net.source } };
}

/**
 * What a target running runsc can give the checks: no `observed` (the host pid is the Sentry's,
 * not the workload's) and no `siblings` (the pair's exchange reads the workload's root through
 * /proc/<pid>/cwd, engine/cross.ts), `sandbox` instead (model/sandbox.ts).
 */
export const GVISOR_PROVIDES = ['container', 'reference', 'sentinels', 'sandbox', 'after', 'enforcement'] as const;

/** TargetCapabilities.ownKernel of a target running runsc. */
export const GVISOR_OWN_KERNEL = "the workload's system calls are served by gVisor's Sentry, a kernel of the sandbox's own";

/** A Docker (or CRI) runtime name that is runsc: by name, or by the binary the daemon registered for it. */
export function isRunscRuntime(name: string | undefined, registeredPath?: string): boolean {
  if (name === undefined) return false;
  return name === 'runsc' || (registeredPath !== undefined && /(^|\/)runsc$/.test(registeredPath));
}

/** The one line a daemon that lacks a runtime a target names is refused with, at preflight. */
export function unregisteredRuntime(daemon: string, runtime: string, target: string, registered: string[]): string {
  const hint = runtime === 'runsc' ? ' (register it with runtimeArgs ["--network=none"], as scripts/docker-up.sh does)' : '';
  return `${daemon} does not register the runtime "${runtime}" that target "${target}" asks for (registered: ${registered.join(', ') || 'none'})${hint}`;
}
