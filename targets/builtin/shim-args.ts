/** Translates a ContainerSpec into isoprobe-shim's command line (pure, unit-tested). */
import type { ContainerSpec } from '../../model/spec.js';
import { cgroupfsArgs, type CgroupfsMount } from './cgroupfs.js';

export function shimArgs(spec: ContainerSpec, rootfs: string, scratch?: string, cgroupfs: CgroupfsMount[] = []): string[] {
  const args: string[] = [];
  for (const ns of spec.share) args.push('--share', ns);
  // The second of a pair of siblings (engine/cross.ts) enters the first's namespaces, and its user
  // namespace with them: only the owner of a namespace can use it (proc, lo, a hostname).
  const join = spec.joinSibling;
  if (join) {
    const joined = [...join.namespaces, ...(spec.share.includes('user') ? [] : ['user'])];
    for (const ns of joined) args.push('--join', `${ns}:/proc/${join.pid}/ns/${ns}`);
  }
  args.push('--rootfs', rootfs);
  if (scratch) args.push('--scratch', scratch);
  args.push('--hostname', spec.hostname);
  if (spec.rootChange === 'chroot') args.push('--chroot');
  if (spec.caps === 'all') args.push('--keep-caps');
  if (spec.seccomp === 'none') args.push('--no-seccomp');
  else if (spec.seccompNativeOnly) args.push('--seccomp-native-only');
  if (spec.noNewPrivs === false) args.push('--allow-new-privs');
  if (spec.leakHostFd) args.push('--leak-host-fd');
  args.push('--cgroupfs', spec.cgroupfs ?? 'ro', ...cgroupfsArgs(cgroupfs));
  args.push('--time-offsets', `${spec.timeOffsets.monotonicSec},${spec.timeOffsets.boottimeSec}`);
  args.push('--', ...containerArgv(spec));
  return args;
}

/**
 * With the host's mount namespace there is no root change: the shim only chdir()s into the
 * rootfs, so an absolute program path becomes relative to it.
 */
export function containerArgv(spec: ContainerSpec): string[] {
  const [prog, ...rest] = spec.argv;
  if (!spec.share.includes('mnt') || !prog.startsWith('/')) return spec.argv;
  return [`./${prog.slice(1)}`, ...rest];
}
