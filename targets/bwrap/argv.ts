/**
 * bubblewrap's command line for one probe container (pure, unit-tested). isoprobe runs bwrap the
 * way its users run one command isolated: every namespace bwrap supports (`--unshare-all`), tied
 * to the caller's life (`--die-with-parent`), a root of its own bound read-only, a fresh /proc, a
 * minimal /dev and a tmpfs /tmp. It hardens nothing beyond that: as root bwrap keeps every
 * capability and applies no seccomp filter unless the command line says so, and isoprobe does not
 * say so (a user's `args` can, e.g. `--cap-drop ALL`: they come after isoprobe's options).
 *
 * Why each option: --die-with-parent makes a killed run take its sandboxes with it; the rootfs is
 * the shared read-only template, so /tmp is a tmpfs (most bwrap lines give one) where the probe can
 * mount; /scratch is the one writable bind, whose files the host inspects; --hostname is the
 * spec's, as every target gets; --json-status-fd is observation only (the sandbox's host pid).
 * bwrapOptions, beside the builder, describes the same command line with who asked for each part.
 */
import type { Namespace } from '../../model/spec.js';
import path from 'node:path';
import { PROBE_PATH, SCRATCH_DIR } from '../../model/target.js';

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
  user: '--unshare-user-try',
  ipc: '--unshare-ipc',
  pid: '--unshare-pid',
  net: '--unshare-net',
  uts: '--unshare-uts',
  cgroup: '--unshare-cgroup-try',
};

/** The fd bwrap writes its JSON status documents to (`--json-status-fd`): the fourth stdio entry of the spawn. */
export const STATUS_FD = 3;

/**
 * rootfs "host" (the sandbox profile's line, docs/sandbox-profile.md): the host's / bound
 * read-only, as agent and CI sandboxes bind it. Nothing can be added at the top of a read-only
 * host root, so isoprobe's two paths move into the /tmp tmpfs: the probe's directory and the
 * scratch directory, and the probe's argv names them there (relocate()).
 */
export const HOST_ROOT_PROBE_DIR = '/tmp/isoprobe';
export const HOST_ROOT_SCRATCH = `/tmp/${SCRATCH_DIR}`;

/** An argv's isoprobe paths (/isoprobe/…, /scratch/…) as they are under a host root. */
export function relocate(argv: readonly string[]): string[] {
  const probeDir = path.dirname(PROBE_PATH);
  return argv.map((a) =>
    a === `/${SCRATCH_DIR}` || a.startsWith(`/${SCRATCH_DIR}/`)
      ? `/tmp${a}`
      : a.startsWith(`${probeDir}/`)
        ? `${HOST_ROOT_PROBE_DIR}${a.slice(probeDir.length)}`
        : a,
  );
}

export interface BwrapPaths {
  /** Host directory bound read-only as the sandbox's root (targets/common/rootfs.ts template). */
  rootfs: string;
  /** Host directory bound writable at /scratch: files the probe creates there are stat()ed by the host. */
  scratch: string;
}

export interface BwrapRequest {
  share: readonly BwrapShareable[];
  /** "template": the project's rootfs; "host": the host's / read-only (docs/sandbox-profile.md). */
  rootfs?: 'template' | 'host';
  /** A host directory bound writable at the same path: the workload's workspace. */
  workspace?: string;
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
  const host = req.rootfs === 'host';
  return [
    ...namespaceArgs(req.share),
    '--die-with-parent',
    '--ro-bind',
    host ? '/' : paths.rootfs,
    '/',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    ...(host ? ['--ro-bind', path.join(paths.rootfs, path.dirname(PROBE_PATH)), HOST_ROOT_PROBE_DIR] : []),
    '--bind',
    paths.scratch,
    host ? HOST_ROOT_SCRATCH : `/${SCRATCH_DIR}`,
    ...(req.workspace ? ['--bind', req.workspace, req.workspace] : []),
    // bwrap refuses --hostname without a uts namespace of its own.
    ...(req.share.includes('uts') ? [] : ['--hostname', req.hostname]),
    '--json-status-fd',
    String(STATUS_FD),
    ...req.args,
    '--',
    ...(host ? relocate(req.argv) : req.argv),
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
  const byUser = (b: boolean): OptionSource => (b ? 'user config' : 'isoprobe');
  const utsShared = req.share.includes('uts');
  const opts: BwrapOption[] = [
    // The settings every kind describes, in bwrap's terms.
    { setting: 'share', value: req.share.join(',') || 'none', source: byUser(req.share.length > 0) },
    { setting: 'root', value: 'pivot_root', source: 'runtime default' },
    { setting: 'caps', value: "all of root's (bwrap drops none without --cap-drop)", source: 'runtime default' },
    { setting: 'limits', value: 'none (bwrap makes no cgroup)', source: 'runtime default' },
    { setting: 'seccomp', value: 'none (bwrap loads a filter only with --seccomp)', source: 'runtime default' },
    { setting: 'no-new-privs', value: 'true (bwrap always sets it)', source: 'runtime default' },
    // The command line.
    { setting: 'namespaces', value: `${namespaceArgs(req.share).join(' ')} (mnt always new, time never)`, source: byUser(req.share.length > 0) },
    { setting: 'lifetime', value: '--die-with-parent', source: 'isoprobe' },
    req.rootfs === 'host'
      ? {
          setting: 'mounts',
          value: `--ro-bind / / --proc /proc --dev /dev --tmpfs /tmp --ro-bind <probe dir> ${HOST_ROOT_PROBE_DIR} --bind <scratch> ${HOST_ROOT_SCRATCH}`,
          source: 'user config',
        }
      : { setting: 'mounts', value: `--ro-bind <rootfs> / --proc /proc --dev /dev --tmpfs /tmp --bind <scratch> /${SCRATCH_DIR}`, source: 'isoprobe' },
    ...(req.workspace ? [{ setting: 'workspace', value: `--bind ${req.workspace} ${req.workspace}`, source: 'user config' as const }] : []),
    { setting: 'hostname', value: utsShared ? "the host's" : `--hostname ${req.hostname}`, source: byUser(utsShared) },
    { setting: 'observation', value: `--json-status-fd ${STATUS_FD}`, source: 'isoprobe' },
    { setting: 'environment', value: "PATH, and the sandbox profile's decoy secrets, in bwrap's own environment", source: 'isoprobe' },
  ];
  if (req.args.length > 0) opts.push({ setting: 'args', value: req.args.join(' '), source: 'user config' });
  return opts;
}
