/**
 * Every check names the request settings its verdict depends on (Check.settings), so results can
 * say who asked for each: a new check cannot forget, and a negative control that weakens a setting
 * the check does not name means the declaration is wrong.
 */
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { SETTING_KEYS, type SettingKey } from '../../model/request.js';
import { NAMESPACES } from '../../model/spec.js';
import { weakeningLabel, type Weakening } from '../../model/weakening.js';

/**
 * The checks that depend on no requested setting, each with its reason. Anything else must name
 * at least one.
 */
const NO_SETTINGS: Record<string, string> = {
  'security.lsm-confined': 'the LSM profile is no request setting; the target says whether it applies one',
  'escape.cve-2024-21626': "leaked fds and the cwd are the runtime's own doing",
  'agent.env-decoys-withheld': "the wrapper's environment is no request setting: the decoys are planted in it, and the wrapper passes it on or not",
};

const DOCKER_NS_MODES: Record<string, SettingKey> = {
  PidMode: 'ns.pid',
  NetworkMode: 'ns.net',
  IpcMode: 'ns.ipc',
  UTSMode: 'ns.uts',
  CgroupnsMode: 'ns.cgroup',
  UsernsMode: 'ns.user',
};
const DOCKER_FIELDS: Record<string, SettingKey[]> = {
  CapAdd: ['caps'],
  CapDrop: ['caps'],
  PidsLimit: ['limits.pids'],
  Memory: ['limits.memory'],
  MemorySwap: ['limits.memory'],
  NanoCpus: ['limits.cpu'],
  MaskedPaths: ['maskedPaths'],
  ReadonlyPaths: ['readonlyPaths'],
};

/**
 * The request settings a weakening changes, as far as they are request settings at all: a root
 * change by chroot, a device, a bind mount or an AppArmor option is none. Privileged modes change
 * everything at once and say nothing about one check's settings, so they map to none here.
 */
function weakened(w: Weakening): SettingKey[] {
  if (w.note === 'privileged' || (w.settings.hostConfig as Record<string, unknown> | undefined)?.Privileged) return [];
  const s = w.settings;
  const keys: SettingKey[] = [];
  // share: the host's namespace; joinSibling (the cross area's controls): a sibling container's.
  for (const ns of [...((s.share as string[] | undefined) ?? []), ...((s.joinSibling as string[] | undefined) ?? [])]) keys.push(`ns.${ns}` as SettingKey);
  if (s.caps !== undefined) keys.push('caps');
  if (s.seccomp !== undefined) keys.push('seccomp');
  if (s.noNewPrivs !== undefined) keys.push('noNewPrivs');
  if (s.limits !== undefined) keys.push('limits.pids', 'limits.memory', 'limits.cpu');
  for (const [field, value] of Object.entries((s.hostConfig as Record<string, unknown> | undefined) ?? {})) {
    if (DOCKER_NS_MODES[field]) keys.push(DOCKER_NS_MODES[field]);
    keys.push(...(DOCKER_FIELDS[field] ?? []));
    if (field === 'SecurityOpt') {
      for (const opt of value as string[]) {
        if (opt.startsWith('seccomp')) keys.push('seccomp');
        if (opt.startsWith('no-new-privileges')) keys.push('noNewPrivs');
      }
    }
  }
  return keys;
}

describe('check settings (provenance)', () => {
  it('every catalogue check declares the settings its verdict depends on', () => {
    const undeclared = CATALOGUE.filter((c) => c.settings === undefined).map((c) => c.id);
    expect(undeclared).to.deep.equal([]);
  });

  it('only the listed checks depend on no setting, and each listed one exists and names none', () => {
    const empty = CATALOGUE.filter((c) => c.settings?.length === 0).map((c) => c.id);
    expect(empty.sort()).to.deep.equal(Object.keys(NO_SETTINGS).sort());
  });

  it('names only known setting keys, each once', () => {
    for (const c of CATALOGUE) {
      const s = c.settings ?? [];
      expect(
        s.filter((k) => !SETTING_KEYS.includes(k)),
        c.id,
      ).to.deep.equal([]);
      expect(new Set(s).size, `${c.id} names a setting twice`).to.equal(s.length);
    }
  });

  it('every own-namespace check depends on its namespace setting', () => {
    for (const ns of NAMESPACES) {
      const own = CATALOGUE.filter((c) => c.id.endsWith('.own-ns') && c.title.includes(` ${ns} namespace`));
      expect(own.map((c) => c.settings)).to.deep.equal([[`ns.${ns}`]]);
    }
  });

  it('each negative control that changes a request setting changes one the check names', () => {
    const wrong = CATALOGUE.flatMap((c) =>
      c.negativeControls
        .filter((w) => weakened(w).length > 0 && !weakened(w).some((k) => c.settings?.includes(k)))
        .map((w) => `${c.id}: ${weakeningLabel(w)} changes ${weakened(w).join(', ')}, the check names ${c.settings?.join(', ') || 'none'}`),
    );
    expect(wrong).to.deep.equal([]);
  });

  it('the mapping of controls to settings covers the common ones (else the test above proves nothing)', () => {
    const mapped = CATALOGUE.flatMap((c) => c.negativeControls.flatMap(weakened));
    expect([...new Set(mapped)]).to.include.members(['ns.pid', 'ns.net', 'ns.mnt', 'caps', 'seccomp', 'noNewPrivs', 'limits.pids', 'maskedPaths']);
  });
});
