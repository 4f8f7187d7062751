/** The environment fingerprint: the facts that explain a run's skips and differences. */
import fs from 'node:fs';
import os from 'node:os';
import { detectCgroupLayout } from './cgroup.js';
import { readOrNull, readTrimmed } from './files.js';
import { isolationToolVersions } from './tool-versions.js';

const read = (file: string): string => readTrimmed(file) ?? 'absent';

export function environmentFingerprint(): Record<string, string> {
  return {
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    cgroupMode: detectCgroupLayout(readOrNull('/proc/self/mountinfo') ?? '').mode,
    'user.max_user_namespaces': read('/proc/sys/user/max_user_namespaces'),
    'kernel.unprivileged_userns_clone': read('/proc/sys/kernel/unprivileged_userns_clone'),
    lsm: read('/sys/kernel/security/lsm'),
    apparmor: read('/sys/module/apparmor/parameters/enabled'),
    timeNamespaces: fs.existsSync('/proc/self/ns/time') ? 'supported' : 'absent',
    node: process.version,
    hostname: os.hostname(),
    ...isolationToolVersions(),
  };
}
