/**
 * The built-in targets used by the integration tests: the isolated one and one weakening per
 * negative control named in the catalogue ("builtin share=pid", "builtin root=chroot", ...).
 */
import type { Check, Requirement } from '../../model/check.js';
import type { CheckResult } from '../../model/results.js';
import { NAMESPACES } from '../../model/spec.js';
import type { TargetConfig } from '../../targets/registry.js';

export interface Variant {
  /** The words the catalogue's negativeControl uses for this weakening. */
  label: string;
  target: TargetConfig;
}

const base = { runtime: 'builtin' as const, share: [], rootChange: 'pivot_root' as const, caps: 'default' as const, limits: 'default' as const };

export const ISOLATED: TargetConfig = { ...base, name: 'builtin' };

export const VARIANTS: Variant[] = [
  ...NAMESPACES.map((ns) => ({ label: `builtin share=${ns}`, target: { ...base, name: `builtin-share-${ns}`, share: [ns] } })),
  { label: 'builtin root=chroot', target: { ...base, name: 'builtin-chroot', rootChange: 'chroot' } },
  { label: 'builtin caps=all', target: { ...base, name: 'builtin-allcaps', caps: 'all' } },
  { label: 'builtin limits=none', target: { ...base, name: 'builtin-nolimits', limits: 'none' } },
  { label: 'builtin seccomp=none', target: { ...base, name: 'builtin-noseccomp', seccomp: 'none' } },
  { label: 'builtin no-new-privs=off', target: { ...base, name: 'builtin-nonnp', noNewPrivs: false } },
  { label: 'builtin leak-fd=on', target: { ...base, name: 'builtin-leakfd', leakHostFd: true } },
  { label: 'builtin cgroupfs=rw', target: { ...base, name: 'builtin-cgroupfs-rw', cgroupfs: 'rw' } },
  // The nearest to Docker's --privileged this host allows: host user and cgroup namespaces, every
  // capability, no seccomp filter, no no_new_privs, and a writable cgroupfs.
  { label: 'builtin privileged', target: { ...base, name: 'builtin-privileged', share: ['user', 'cgroup'], caps: 'all', seccomp: 'none', noNewPrivs: false, cgroupfs: 'rw' } },
];

/**
 * Checks whose declared negative controls include this weakening: they must fail on it. A control
 * matches its label exactly or followed by a note in parentheses ("builtin share=mnt (host /proc)");
 * "X with Y" is another weakening, which X alone need not flip.
 */
export function checksFlippedBy(label: string, catalogue: readonly Check[]): string[] {
  return catalogue
    .filter((c) => c.negativeControl.split(';').some((n) => n.trim() === label || n.trim().startsWith(`${label} (`)))
    .map((c) => c.id);
}

/**
 * Checks of a setting the built-in runtime cannot be asked for, so no built-in variant can flip
 * them: on every built-in target they skip, for the requirements listed (the host lacks the kernel
 * feature, or it has it and the runtime applies none). Their negative controls are Docker ones,
 * exercised in docker.test.ts. The OCI bundle isoprobe writes asks for none of them either
 * (oci.test.ts accepts the same skips on runc). Keep this list minimal: each entry says why.
 */
export const NOT_ON_BUILTIN: Record<string, { requirements: Requirement[]; why: string }> = {
  'security.lsm-confined': {
    requirements: ['lsm', 'target-feature'],
    why: 'the shim loads no AppArmor/SELinux profile and the OCI bundle names none (isoprobe ships no policy); Docker apparmor=unconfined and --privileged flip it',
  },
};

/** A result that is the documented skip of a NOT_ON_BUILTIN check (the reason is shown beside it). */
export function documentedSkip(c: CheckResult): boolean {
  const allowed = NOT_ON_BUILTIN[c.id]?.requirements ?? [];
  return c.status === 'skip' && allowed.includes(c.requirement as Requirement);
}
