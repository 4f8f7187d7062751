/**
 * bubblewrap's command line for one probe container (pure, unit-tested). isoprobe runs bwrap the
 * way its users run one command isolated: every namespace bwrap supports (`--unshare-all`), tied
 * to the caller's life (`--die-with-parent`), a root of its own bound read-only, a fresh /proc, a
 * minimal /dev and a tmpfs /tmp. It asks for nothing bwrap would not do by default beyond that:
 * as root bwrap keeps every capability and applies no seccomp filter unless the command line says
 * so, and isoprobe does not say so (a user's `args` can: they come last, so they can also undo).
 *
 * What each option is for, and who asked for it, is listed once (BWRAP_OPTIONS) so that the
 * driver's description of the settings is the command line's, not a second account of it.
 */
import type { Namespace } from '../../model/spec.js';
import { SCRATCH_DIR } from '../../model/target.js';

/**
 * The namespaces bwrap can leave shared with the host, in the order `--unshare-all` makes them.
 * bwrap always makes a mount namespace (it needs one to build the root) and never a time one.
 */
export const BWRAP_SHAREABLE = ['user', 'ipc', 'pid', 'net', 'uts', 'cgroup'] as const satisfies readonly Namespace[];
export type BwrapShareable = (typeof BWRAP_SHAREABLE)[number];

/**
 * What `--unshare-all` stands for, one namespace each (bwrap(1)): the `-try` forms go on without
 * that namespace where the kernel refuses it, as `--unshare-all` does.
 */
const UNSHARE_FLAG: Record<BwrapShareable, string> = {
  user: '--unshare-user-try', ipc: '--unshare-ipc', pid: '--unshare-pid', net: '--unshare-net', uts: '--unshare-uts', cgroup: '--unshare-cgroup-try',
};

/** The fd bwrap writes its JSON status documents to (`--json-status-fd`): the fourth stdio entry of the spawn. */
export const STATUS_FD = 3;

export interface BwrapPaths {
  /** Host directory bound read-only as the sandbox's root (targets/common/rootfs.ts template). */
  rootfs: string;
  /** Host directory bound writable at /scratch: files the probe creates there are stat()ed by the host. */
  scratch: string;
}

export interface BwrapRequest {
  share: readonly BwrapShareable[];
  hostname: string;
  /** The user's raw extra arguments (config `args`), after isoprobe's and before `--`. */
  args: readonly string[];
  argv: readonly string[];
}

/**
 * The namespace options: `--unshare-all`, with bwrap's own `--share-net` for the network (the one
 * namespace it can keep while unsharing all), else the single flags of the others.
 */
export function namespaceArgs(share: readonly BwrapShareable[]): string[] {
  if (share.length === 0) return ['--unshare-all'];
  if (share.length === 1 && share[0] === 'net') return ['--unshare-all', '--share-net'];
  return BWRAP_SHAREABLE.filter((ns) => !share.includes(ns)).map((ns) => UNSHARE_FLAG[ns]);
}

export function bwrapArgv(req: BwrapRequest, paths: BwrapPaths): string[] {
  return [
    ...namespaceArgs(req.share),
    '--die-with-parent',
    '--ro-bind', paths.rootfs, '/',
    '--proc', '/proc',
    '--dev', '/dev',
    '--tmpfs', '/tmp',
    '--bind', paths.scratch, `/${SCRATCH_DIR}`,
    // bwrap refuses --hostname without a uts namespace of its own.
    ...(req.share.includes('uts') ? [] : ['--hostname', req.hostname]),
    '--json-status-fd', String(STATUS_FD),
    ...req.args,
    '--', ...req.argv,
  ];
}

export type OptionSource = 'isoprobe' | 'user config' | 'runtime default';

export interface BwrapOption {
  setting: string;
  value: string;
  source: OptionSource;
}

/**
 * The settings of one bwrap target, each with who asked for it: the options isoprobe passes,
 * what bwrap does (or does not do) when not asked, and the user's raw arguments. Kept beside the
 * builder above: a change to one is a change to the other.
 */
export function bwrapOptions(req: Omit<BwrapRequest, 'argv'>): BwrapOption[] {
  const shared = req.share.length > 0;
  const opts: BwrapOption[] = [
    { setting: 'namespaces', value: namespaceArgs(req.share).join(' '), source: shared ? 'user config' : 'isoprobe' },
    { setting: 'mnt namespace', value: 'always new (bwrap builds the root in one)', source: 'runtime default' },
    { setting: 'time namespace', value: 'none (bwrap cannot make one)', source: 'runtime default' },
    { setting: 'lifetime', value: '--die-with-parent', source: 'isoprobe' },
    { setting: 'root', value: '--ro-bind <rootfs> / (the probe\'s rootfs, read-only)', source: 'isoprobe' },
    { setting: 'mounts', value: `--proc /proc --dev /dev --tmpfs /tmp --bind <scratch> /${SCRATCH_DIR}`, source: 'isoprobe' },
    { setting: 'hostname', value: req.share.includes('uts') ? 'the host\'s (uts shared)' : `--hostname ${req.hostname}`, source: req.share.includes('uts') ? 'user config' : 'isoprobe' },
    { setting: 'observation', value: `--json-status-fd ${STATUS_FD} (the sandbox's host pid)`, source: 'isoprobe' },
    { setting: 'caps', value: 'all of root\'s: bwrap drops none for root unless given --cap-drop', source: 'runtime default' },
    { setting: 'seccomp', value: 'none: bwrap loads a filter only when given --seccomp', source: 'runtime default' },
    { setting: 'no-new-privs', value: 'true: bwrap always sets it', source: 'runtime default' },
    { setting: 'limits', value: 'none: bwrap makes no cgroup', source: 'runtime default' },
    { setting: 'environment', value: 'PATH only (bwrap passes its caller\'s environment through)', source: 'isoprobe' },
  ];
  if (req.args.length > 0) opts.push({ setting: 'args', value: req.args.join(' '), source: 'user config' });
  return opts;
}
