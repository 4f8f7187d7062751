/**
 * systemd-nspawn's command line for one probe container (pure, unit-tested). isoprobe runs
 * nspawn the way its users run one command in a directory tree: `systemd-nspawn -D ROOT -- CMD`,
 * with nspawn's own defaults for everything else (measured with systemd 252: new mount, pid, IPC,
 * UTS and cgroup namespaces; the host's network, user and time ones; a broad capability set of
 * its own; its seccomp filter; no no_new_privs).
 *
 * What isoprobe adds, and why:
 *  - `--keep-unit --register=no`: nspawn normally asks systemd (over D-Bus) for a scope unit and
 *    registers the machine with systemd-machined; this host has neither (no systemd as PID 1), and
 *    without both options nspawn exits 1 with "Failed to open system bus" (measured). The container
 *    then stays in its caller's cgroup, which isoprobe makes per container in place of the scope
 *    (./cgroup.ts). On every exit nspawn 252 also says "Attempted to remove disk file system under
 *    /run/systemd/nspawn/propagate/NAME" where /run is no tmpfs; harmless, the directory goes.
 *  - `-q --console=pipe`: no banner, and the probe's stdio are the pipes isoprobe holds (the go byte
 *    on stdin, the facts on stdout), as with any other target.
 *  - `--machine`: a name of the run's own, so two containers never share nspawn's per-machine state
 *    (/run/systemd/nspawn/propagate/NAME) and a killed run's leftovers are told apart (./clean.ts).
 *  - `--hostname` (the spec's, as every target gets) and `--bind SCRATCH:/scratch`, the one
 *    directory whose files the host inspects; `--setenv` for the variables isoprobe plants.
 *  - the negative controls, as nspawn's own options (./weakenings.ts).
 * nspawnOptions, beside the builder, describes the same command line with who asked for each part.
 */
import { SCRATCH_DIR } from '../../model/target.js';

/** nspawn's `--private-network` makes the one namespace it shares by default: net. */
export const NSPAWN_SHAREABLE = ['net'] as const;
export type NspawnShareable = (typeof NSPAWN_SHAREABLE)[number];

/** What nspawn leaves shared with the host whatever it is told (no --private-users: isoprobe's root tree is not shifted). */
export const ALWAYS_SHARED = ['user', 'time'] as const;

/** Environment variable of nspawn's that turns its seccomp filter off (systemd's ENVIRONMENT.md: SYSTEMD_SECCOMP=0). */
export const SECCOMP_OFF_ENV = 'SYSTEMD_SECCOMP';

export interface NspawnPaths {
  /** Host directory that is the container's root (one per container: nspawn locks and writes it). */
  root: string;
  /** Host directory bound writable at /scratch. */
  scratch: string;
}

export interface NspawnRequest {
  /** Namespaces left shared with the host: ['net'] is nspawn's default, [] asks for --private-network. */
  share: readonly NspawnShareable[];
  machine: string;
  hostname: string;
  caps: 'default' | 'all';
  env: Readonly<Record<string, string>>;
  /** The user's raw extra arguments (config `args`), after isoprobe's and before `--`. */
  args: readonly string[];
  argv: readonly string[];
}

export function nspawnArgv(req: NspawnRequest, paths: NspawnPaths): string[] {
  return [
    '-q',
    '--keep-unit',
    '--register=no',
    '--console=pipe',
    `--machine=${req.machine}`,
    '-D',
    paths.root,
    `--hostname=${req.hostname}`,
    `--bind=${paths.scratch}:/${SCRATCH_DIR}`,
    ...(req.share.includes('net') ? [] : ['--private-network']),
    ...(req.caps === 'all' ? ['--capability=all'] : []),
    ...Object.entries(req.env).map(([k, v]) => `--setenv=${k}=${v}`),
    ...req.args,
    '--',
    ...req.argv,
  ];
}

/** nspawn's own environment: PATH, and SYSTEMD_SECCOMP=0 when the seccomp control asks for it. */
export function nspawnEnv(seccomp: 'default' | 'none'): NodeJS.ProcessEnv {
  return { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...(seccomp === 'none' ? { [SECCOMP_OFF_ENV]: '0' } : {}) };
}

export type OptionSource = 'isoprobe' | 'user config' | 'runtime default';

export interface NspawnOption {
  setting: string;
  value: string;
  source: OptionSource;
}

/** The settings of one nspawn target, each with who asked for it. Kept beside the builder: a change to one is a change to the other. */
export function nspawnOptions(req: Omit<NspawnRequest, 'argv' | 'machine' | 'env'> & { seccomp: 'default' | 'none' }): NspawnOption[] {
  const privateNet = !req.share.includes('net');
  const opts: NspawnOption[] = [
    { setting: 'share', value: [...req.share, ...ALWAYS_SHARED].join(','), source: privateNet ? 'user config' : 'runtime default' },
    { setting: 'root', value: 'pivot_root', source: 'runtime default' },
    req.caps === 'all'
      ? { setting: 'caps', value: '--capability=all', source: 'user config' }
      : { setting: 'caps', value: "nspawn's default set (CAP_SYS_ADMIN among them)", source: 'runtime default' },
    { setting: 'limits', value: 'none (cgroup properties need systemd: --property is not passed)', source: 'runtime default' },
    req.seccomp === 'none'
      ? { setting: 'seccomp', value: `none (${SECCOMP_OFF_ENV}=0)`, source: 'user config' }
      : { setting: 'seccomp', value: "nspawn's default filter", source: 'runtime default' },
    { setting: 'no-new-privs', value: 'false (nspawn sets it only with --no-new-privileges)', source: 'runtime default' },
    {
      setting: 'namespaces',
      value: `mnt,pid,ipc,uts,cgroup new${privateNet ? ', net new (--private-network)' : ''}`,
      source: privateNet ? 'user config' : 'runtime default',
    },
    { setting: 'systemd', value: '--keep-unit --register=no (no systemd, no machined on the host)', source: 'isoprobe' },
    { setting: 'cgroup', value: 'one per container, made by isoprobe in place of the scope systemd would make', source: 'isoprobe' },
    { setting: 'console', value: '-q --console=pipe', source: 'isoprobe' },
    { setting: 'machine', value: '--machine=<per container>', source: 'isoprobe' },
    { setting: 'mounts', value: `-D <root> --bind=<scratch>:/${SCRATCH_DIR}`, source: 'isoprobe' },
    { setting: 'hostname', value: `--hostname=${req.hostname}`, source: 'isoprobe' },
    { setting: 'environment', value: "PATH only, and isoprobe's planted variables through --setenv", source: 'isoprobe' },
  ];
  if (req.args.length > 0) opts.push({ setting: 'args', value: req.args.join(' '), source: 'user config' });
  return opts;
}
