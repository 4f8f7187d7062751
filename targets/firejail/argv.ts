/**
 * firejail's command line for one probe sandbox (pure, unit-tested). isoprobe runs firejail the
 * way its users run one command isolated: `firejail [options] -- COMMAND`, with the profile
 * firejail picks by itself. Run by root, that is /etc/firejail/server.profile (not
 * default.profile, which is a regular user's: measured with firejail 0.9.72, Debian), which asks
 * for `caps` (firejail's default capability filter), `seccomp`, `protocol`, `nonewprivs`,
 * `restrict-namespaces`, `private`, `private-dev`, `private-tmp`, `disable-mnt` among others.
 * firejail always makes mount, pid and UTS namespaces and, as root, an IPC one; it keeps the
 * host's network (no `--net`), user, cgroup and time namespaces. The sandbox's root is the host's
 * own root with firejail's mounts over it: there is no rootfs to build, so the probe binary sits in
 * a host directory of the run (the `probe` path given here) and the scratch directory is a host
 * directory too.
 *
 * Why each option isoprobe adds: --quiet keeps firejail's own messages ("Reading profile ...", and
 * "The new log directory is ..." which as root it prints on the command's stdout) out of the
 * probe's document; --hostname is the spec's, as every target gets; --private-cwd makes the
 * workspace the probe's working directory, where it creates `scratch/owned-*` (relative paths),
 * whose owner the host stats. firejailOptions, beside the builder, describes the same command
 * line with who asked for each part.
 */
import { CAP_NAMES } from '../../model/parse/status.js';
import { PROBE_PATH, SCRATCH_DIR } from '../../model/target.js';

/** firejail's `--net=none` (a network namespace with only loopback), or its default: the host's network. */
export const FIREJAIL_NET = ['host', 'none'] as const;
export type FirejailNet = (typeof FIREJAIL_NET)[number];

/**
 * The profile lines that load a seccomp filter (each is one, measured from Seccomp_filters in
 * /proc/<pid>/status: 5 with all three, 0 with none): the syscall filter, the socket-family one
 * and the namespace one. "No seccomp" is ignoring all three.
 */
export const SECCOMP_LINES = ['seccomp', 'protocol', 'restrict-namespaces'] as const;

export interface FirejailRequest {
  hostname: string;
  net: FirejailNet;
  /**
   * Ignore the profile's `caps` line and keep every capability: without `--caps.keep` firejail
   * still drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH of a root sandbox that reads a profile
   * (measured with firejail 0.9.72; its caps.c, caps_drop_dac_override).
   */
  capsAll: boolean;
  /** Ignore the profile's seccomp lines (SECCOMP_LINES). */
  seccompNone: boolean;
  /** Ignore the profile's `nonewprivs` line (firejail sets no_new_privs anyway while it loads a seccomp filter). */
  noNewPrivsOff: boolean;
  /** The user's raw extra arguments (config `args`), after isoprobe's and before `--`. */
  args: readonly string[];
  argv: readonly string[];
}

export interface FirejailPaths {
  /** Host path of the probe binary (a directory of the run). */
  probe: string;
  /** Host directory that is the probe's working directory; its `scratch` subdirectory is the spec's scratch. */
  workspace: string;
}

/** Every capability by firejail's names for them (`firejail --debug-caps`: the kernel's, lower-case, no CAP_). */
export const ALL_CAPS = CAP_NAMES.map((c) => c.replace(/^CAP_/, '').toLowerCase()).join(',');

/** The typed settings as firejail options: `--ignore=LINE` drops a line of the profile. */
export function settingArgs(req: Pick<FirejailRequest, 'net' | 'capsAll' | 'seccompNone' | 'noNewPrivsOff'>): string[] {
  return [
    ...(req.net === 'none' ? ['--net=none'] : []),
    ...(req.capsAll ? ['--ignore=caps', `--caps.keep=${ALL_CAPS}`] : []),
    ...(req.seccompNone ? SECCOMP_LINES.map((l) => `--ignore=${l}`) : []),
    ...(req.noNewPrivsOff ? ['--ignore=nonewprivs'] : []),
  ];
}

export function firejailArgv(req: FirejailRequest, paths: FirejailPaths): string[] {
  const [first, ...rest] = req.argv;
  return [
    '--quiet',
    `--hostname=${req.hostname}`,
    `--private-cwd=${paths.workspace}`,
    ...settingArgs(req),
    ...req.args,
    '--',
    // The spec's argv names the probe by its path in a container's root; here it is a host path.
    first === undefined ? paths.probe : probeHostPath(first, paths.probe),
    ...rest,
  ];
}

/** The container path of the probe (model/target.ts PROBE_PATH) becomes the host one; any other command is left as it is. */
function probeHostPath(arg: string, probe: string): string {
  return arg === PROBE_PATH ? probe : arg;
}

export type OptionSource = 'isoprobe' | 'user config' | 'runtime default';

export interface FirejailOption {
  setting: string;
  value: string;
  source: OptionSource;
}

/** The settings of one firejail target, each with who asked for it. Kept beside the builder above. */
export function firejailOptions(req: Omit<FirejailRequest, 'argv'>): FirejailOption[] {
  const by = (user: boolean, dflt: OptionSource): OptionSource => (user ? 'user config' : dflt);
  const opts: FirejailOption[] = [
    {
      setting: 'share',
      value: `user,cgroup,time${req.net === 'host' ? ',net' : ''} (firejail makes mnt, pid, uts and ipc only)`,
      source: by(req.net !== 'host', 'runtime default'),
    },
    { setting: 'root', value: "none: the host's root with firejail's mounts over it", source: 'runtime default' },
    {
      setting: 'caps',
      value: req.capsAll ? '--ignore=caps --caps.keep=<every capability>' : "server.profile's `caps` (firejail's default filter)",
      source: by(req.capsAll, 'runtime default'),
    },
    { setting: 'limits', value: 'none (firejail makes no cgroup unless asked)', source: 'runtime default' },
    {
      setting: 'seccomp',
      value: req.seccompNone ? SECCOMP_LINES.map((l) => `--ignore=${l}`).join(' ') : "server.profile's seccomp, protocol and restrict-namespaces filters",
      source: by(req.seccompNone, 'runtime default'),
    },
    {
      setting: 'no-new-privs',
      value: req.noNewPrivsOff ? '--ignore=nonewprivs' : "true (server.profile's nonewprivs)",
      source: by(req.noNewPrivsOff, 'runtime default'),
    },
    { setting: 'profile', value: "/etc/firejail/server.profile (firejail's choice for root)", source: 'runtime default' },
    { setting: 'net', value: req.net === 'none' ? '--net=none' : "the host's (no --net)", source: by(req.net !== 'host', 'runtime default') },
    { setting: 'quiet', value: '--quiet', source: 'isoprobe' },
    { setting: 'hostname', value: `--hostname=${req.hostname}`, source: 'isoprobe' },
    { setting: 'workspace', value: `--private-cwd=<workspace> (scratch: <workspace>/${SCRATCH_DIR})`, source: 'isoprobe' },
    { setting: 'command', value: 'the probe from a host directory of the run', source: 'isoprobe' },
    { setting: 'environment', value: 'PATH only', source: 'isoprobe' },
  ];
  if (req.args.length > 0) opts.push({ setting: 'args', value: req.args.join(' '), source: 'user config' });
  return opts;
}
