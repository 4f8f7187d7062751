/**
 * The unprivileged account podman-rootless runs as: created by scripts/rootless-user.sh (an
 * account with subordinate uid and gid ranges), never by a run. A missing account or range is an
 * environment error naming that script.
 */
import fs from 'node:fs';
import { EnvError } from '../../model/errors.js';

/** The account's name; ISOPROBE_ROOTLESS_USER names another (the script reads the same variable). */
export const ROOTLESS_USER = process.env.ISOPROBE_ROOTLESS_USER || 'isoprobe-rootless';
export const SETUP_SCRIPT = 'scripts/rootless-user.sh';

export interface PodmanUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** passwd(5) line of `name`, or null. */
export function passwdEntry(text: string, name: string): PodmanUser | null {
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 7) return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
  }
  return null;
}

/** Whether subuid(5)/subgid(5) text gives `name` (or its uid) a range. */
export function hasRange(text: string, user: PodmanUser): boolean {
  return text.split('\n').some((l) => {
    const [who, , count] = l.split(':');
    return (who === user.name || who === String(user.uid)) && Number(count) > 0;
  });
}

const read = (f: string) => {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};

export function rootlessUser(name = ROOTLESS_USER): PodmanUser {
  const user = passwdEntry(read('/etc/passwd'), name);
  const fix = `run 'bash ${SETUP_SCRIPT}' as root`;
  if (!user) throw new EnvError(`podman-rootless: no user "${name}" (${fix})`);
  for (const f of ['/etc/subuid', '/etc/subgid']) {
    if (!hasRange(read(f), user)) throw new EnvError(`podman-rootless: user "${name}" has no range in ${f} (${fix})`);
  }
  return user;
}
