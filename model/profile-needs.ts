/**
 * What each profile needs a target's runtime to be asked for, setting by setting, in isoprobe's
 * own values (model/spec.ts DEFAULT_SPEC). An engine target left at its defaults (Docker, and
 * every engine target after it) asks for these when its config says `"request": "profile"`, each
 * one it can express, with source 'isoprobe': the question "can this runtime deliver the profile
 * when asked?" apart from "what does it give by default?". Read off the profiles the catalogue's
 * checks require (checks/*.ts `profiles`): baseline the five classic namespaces, Docker's default
 * capabilities and a seccomp filter; restricted adds the user and cgroup namespaces, no_new_privs
 * and the three limits; strict adds the time namespace and its offsets.
 */
import type { RequestValues } from './request.js';
import type { Profile } from './results.js';
import { DEFAULT_SPEC } from './spec.js';

export type ProfileNeeds = Partial<RequestValues>;

const BASELINE: ProfileNeeds = {
  'ns.pid': 'new',
  'ns.mnt': 'new',
  'ns.net': 'new',
  'ns.uts': 'new',
  'ns.ipc': 'new',
  caps: { add: [], drop: [] },
  seccomp: 'default',
};

const RESTRICTED: ProfileNeeds = {
  ...BASELINE,
  'ns.user': 'new',
  'ns.cgroup': 'new',
  noNewPrivs: true,
  'limits.pids': DEFAULT_SPEC.limits.pids!,
  'limits.memory': DEFAULT_SPEC.limits.memoryBytes!,
  'limits.cpu': DEFAULT_SPEC.limits.cpus!,
};

const STRICT: ProfileNeeds = { ...RESTRICTED, 'ns.time': 'new', timeOffsets: { ...DEFAULT_SPEC.timeOffsets } };

/** An agent or CI sandbox: no host processes, host IPC or network in sight; the filesystem is shared on purpose. */
const SANDBOX: ProfileNeeds = { 'ns.pid': 'new', 'ns.ipc': 'new', 'ns.net': 'new', noNewPrivs: true };

export const PROFILE_NEEDS: Readonly<Record<Profile, ProfileNeeds>> = { baseline: BASELINE, restricted: RESTRICTED, strict: STRICT, sandbox: SANDBOX };
