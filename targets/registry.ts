/**
 * Every kind of target isoprobe knows, in one list: the config file's schema, the `--runtime`
 * names, preflight, creation and `isoprobe clean` all come from it. A new kind is a folder with a
 * driver.ts and one line here. The only file that imports the target folders.
 */
import type { ConfigOf, TargetDriver } from '../model/driver.js';
import { builtin } from './builtin/driver.js';
import { bwrap } from './bwrap/driver.js';
import { command } from './command/driver.js';
import { targetConfigs } from './common/config.js';
import { cri } from './cri/driver.js';
import { docker } from './docker/driver.js';
import { firejail } from './firejail/driver.js';
import { gvisor } from './gvisor/driver.js';
import { lxc } from './lxc/driver.js';
import { nspawn } from './nspawn/driver.js';
import { oci } from './oci/driver.js';
import { podman } from './podman/driver.js';

export const DRIVERS = [builtin, docker, oci, bwrap, podman, cri, gvisor, firejail, nspawn, lxc, command] as const;

export type TargetConfig = ConfigOf<(typeof DRIVERS)[number]>;

/** The driver of a config's kind, typed as the engine sees every driver. */
export function driverFor(cfg: TargetConfig): TargetDriver {
  return (DRIVERS as readonly TargetDriver[]).find((d) => d.kind === cfg.runtime)!;
}

export const { knownShorthands, parseTargetConfig, targetsFromFile, targetsFromRuntimes } = targetConfigs(DRIVERS);
