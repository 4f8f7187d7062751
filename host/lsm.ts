/**
 * Whether the host enables a labelling LSM (AppArmor, SELinux), read from the host side: a
 * container's view of /sys may be masked or another's.
 */
import path from 'node:path';
import type { HostLsm } from '../model/lsm.js';
import { readTrimmed } from './files.js';

const read = (root: string, file: string): string | null => readTrimmed(path.join(root, file));

/**
 * AppArmor is enabled when the module says so *and* the kernel's LSM list names it (the module can
 * be built in yet left out of `lsm=`); SELinux when the list names it and selinuxfs is mounted.
 * @param root the host's root directory ('/' in a run; a fixture tree in tests)
 */
export function readHostLsm(root = '/'): HostLsm {
  const list = read(root, 'sys/kernel/security/lsm');
  const names = list === null ? [] : list.split(',');
  const aaParam = read(root, 'sys/module/apparmor/parameters/enabled');
  const seEnforce = read(root, 'sys/fs/selinux/enforce');
  const evidence =
    `/sys/kernel/security/lsm: ${list ?? 'unreadable'}; /sys/module/apparmor/parameters/enabled: ${aaParam ?? 'absent'}; ` +
    `/sys/fs/selinux/enforce: ${seEnforce ?? 'absent'}`;
  if (aaParam === 'Y' && names.includes('apparmor')) return { active: 'apparmor', evidence };
  if (seEnforce !== null && names.includes('selinux')) return { active: 'selinux', evidence };
  return { active: null, evidence };
}
