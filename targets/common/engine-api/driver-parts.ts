/**
 * The parts of a driver that Docker and Podman (through its compat API) have alike: the raw
 * HostConfig and container fields of their configs, what `"request": "profile"` asks, the spec
 * they are sent, and the settings rows of what the config asked.
 */
import fs from 'node:fs';
import type { Setting, TargetConfigBase } from '../../../model/driver.js';
import { capNames, CAP_NAMES, parseStatus } from '../../../model/parse/status.js';
import { PROFILE_NEEDS, type ProfileNeeds } from '../../../model/profile-needs.js';
import type { Profile } from '../../../model/results.js';
import type { ContainerSpec } from '../../../model/spec.js';
import { baseSpec, describeBase, rawObject } from '../config.js';
import { OWNED_CONTAINER_FIELDS } from './host-config.js';

/** The config fields an Engine API target has beside the common ones. */
export interface EngineTargetConfig extends TargetConfigBase {
  request?: 'profile';
  hostConfig?: Record<string, unknown>;
  container?: Record<string, unknown>;
  socket?: string;
}

/** Raw Engine API objects: field names are PascalCase, as `api` (the engine's API) spells them. */
export function pascalCase(what: string, api: string) {
  return rawObject.refine((o) => Object.keys(o).every((k) => /^[A-Z]/.test(k)), `${what} field names are PascalCase, as ${api} spells them (e.g. "PidMode")`);
}

/** Raw container Config fields, without the probe's own (its image, command and held stdin). */
export function containerFields(api: string) {
  return pascalCase('container Config', api).refine((o) => !Object.keys(o).some((k) => OWNED_CONTAINER_FIELDS.includes(k)), {
    message: `the container fields ${OWNED_CONTAINER_FIELDS.join(', ')} are isoprobe's (the probe, its command and its held stdin)`,
  });
}

/** The profile needs the Engine API has no way to be asked for (a reader sees what `"request": "profile"` could not ask). */
export const NOT_EXPRESSIBLE: readonly string[] = ['ns.user', 'ns.time', 'timeOffsets'];

/** What the target asks for the run's profile: nothing unless its config says `"request": "profile"`. */
export function needsOf(cfg: EngineTargetConfig, profile: Profile | undefined): ProfileNeeds {
  return cfg.request === 'profile' && profile ? PROFILE_NEEDS[profile] : {};
}

/** Capabilities outside the harness's bounding set: "all" cannot include them (CAP_SYS_RESOURCE on the project's VM). */
export function missingCaps(): string[] {
  const have = new Set(capNames(parseStatus(fs.readFileSync('/proc/self/status', 'utf8')).capBnd));
  return CAP_NAMES.filter((c) => !have.has(c));
}

/** The limits and no_new_privs the config or the profile asks for; none otherwise (the engine's default). */
export function engineSpec(cfg: EngineTargetConfig, argv: string[], profile: Profile | undefined): ContainerSpec {
  const needs = needsOf(cfg, profile);
  const base = baseSpec(cfg, argv);
  const limits = cfg.limits === 'none' || needs['limits.pids'] === undefined ? {} : base.limits;
  const hostname = typeof cfg.container?.Hostname === 'string' ? cfg.container.Hostname : '';
  return { ...base, limits, noNewPrivs: cfg.noNewPrivs ?? needs.noNewPrivs ?? false, hostname };
}

/**
 * The settings rows: `base`, the common options (what nobody asks for is the engine's;
 * `"request": "profile"` makes isoprobe ask for the limits and no-new-privileges), and `asked`,
 * the config's own Engine API fields. `engine` names who cannot express NOT_EXPRESSIBLE.
 */
export function engineSettings(cfg: EngineTargetConfig, engine: string): { base: Setting[]; asked: Setting[] } {
  const asked = cfg.request === 'profile' ? ('isoprobe' as const) : ('runtime default' as const);
  const base = describeBase(cfg, {
    share: 'runtime default',
    root: 'runtime default',
    caps: 'runtime default',
    limits: asked,
    seccomp: 'runtime default',
    'no-new-privs': asked,
  });
  const nnp = base.find((r) => r.setting === 'no-new-privs')!;
  if (cfg.noNewPrivs === undefined) nnp.value = cfg.request === 'profile' ? 'profile' : 'default';
  const limits = base.find((r) => r.setting === 'limits')!;
  if (cfg.limits === 'default' && cfg.request === 'profile') limits.value = 'profile';
  return {
    base,
    asked: [
      ...(cfg.request ? [userSetting('request', `${cfg.request} (not expressible by ${engine}: ${NOT_EXPRESSIBLE.join(', ')})`)] : []),
      ...(cfg.hostConfig ? [userSetting('hostConfig', JSON.stringify(cfg.hostConfig))] : []),
      ...(cfg.container ? [userSetting('container', JSON.stringify(cfg.container))] : []),
      ...(cfg.socket ? [userSetting('socket', cfg.socket)] : []),
    ],
  };
}

export function userSetting(setting: string, value: string): Setting {
  return { setting, value, source: 'user config' };
}
