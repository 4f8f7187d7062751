/**
 * Linux security modules that label processes (AppArmor, SELinux): what the host enables, as data,
 * and whether a process label read inside a container is a confining one (a pure judgement).
 */
export type LabellingLsm = 'apparmor' | 'selinux';

export interface HostLsm {
  /** The labelling LSM enforced on the host's processes, or null where none is enabled. */
  active: LabellingLsm | null;
  /** What the decision rests on, shown in skips and evidence. */
  evidence: string;
}

/** SELinux types that mean "not confined": the unconfined domains and Docker's --privileged (spc_t). */
export const UNCONFINED_SELINUX_TYPES = ['unconfined_t', 'spc_t', 'unconfined_service_t'];
/** AppArmor modes that confine; "complain" only logs and "unconfined" is a profile that confines nothing. */
const CONFINING_APPARMOR_MODES = ['enforce', 'kill'];

export interface Confinement {
  confined: boolean;
  /** The label as read, without the trailing newline/NUL the kernel adds. */
  label: string;
  why: string;
}

/** Judges a process label of the given LSM: "docker-default (enforce)", "unconfined", "u:r:container_t:s0". */
export function judgeLabel(lsm: LabellingLsm, raw: string): Confinement {
  const label = raw.replace(/[\0\n]+$/, '');
  if (lsm === 'apparmor') {
    const m = /^(.*?)(?: \(([\w-]+)\))?$/.exec(label)!;
    const [profile, mode] = [m[1], m[2]];
    if (profile === '' || profile === 'unconfined') return { confined: false, label, why: 'AppArmor: no profile (unconfined)' };
    const confined = mode !== undefined && CONFINING_APPARMOR_MODES.includes(mode);
    return {
      confined,
      label,
      why: `AppArmor profile "${profile}" in ${mode ?? 'no'} mode${confined ? '' : ` (confining modes: ${CONFINING_APPARMOR_MODES.join(', ')})`}`,
    };
  }
  const type = label.split(':')[2];
  if (type === undefined) return { confined: false, label, why: 'SELinux: not a user:role:type:level context' };
  const confined = !UNCONFINED_SELINUX_TYPES.includes(type);
  return { confined, label, why: `SELinux type ${type}${confined ? '' : ` is unconfined (${UNCONFINED_SELINUX_TYPES.join(', ')})`}` };
}
