/**
 * Where a Podman service of isoprobe's keeps everything (its socket, config, storage, runroot,
 * tmpdir and XDG dirs: one directory per run and mode), and how podman is invoked on it: the
 * service (./service.ts) and the reaper's CLI (./wipe.ts) alike.
 */
import path from 'node:path';
import { RUN_ROOT } from '../../host/paths.js';
import type { PodmanUser } from './user.js';

export interface ServiceDirs {
  base: string;
  socket: string;
  conf: string;
  root: string;
  runroot: string;
  tmp: string;
  /** XDG_RUNTIME_DIR and XDG_CONFIG_HOME: rootless Podman keeps its pause process's pid and its config there. */
  xdg: string;
  config: string;
  log: string;
}

export function serviceDirs(base: string): ServiceDirs {
  return {
    base,
    socket: path.join(base, 'xdg', 'podman.sock'),
    conf: path.join(base, 'containers.conf'),
    root: path.join(base, 'root'),
    // Short: Podman refuses a runroot longer than 50 characters.
    runroot: path.join(base, 'run'),
    tmp: path.join(base, 'tmp'),
    xdg: path.join(base, 'xdg'),
    config: path.join(base, 'config'),
    log: path.join(base, 'service.log'),
  };
}

/** Where a run's service lives: under RUN_ROOT rootful; in the user's home (its own files) rootless, short (the runroot's limit). */
export function serviceBase(runId: string, user?: PodmanUser): string {
  return user ? path.join(user.home, `i-${runId}`) : path.join(RUN_ROOT, `podman-${runId}`);
}

/** The engine settings of isoprobe's containers.conf: each is needed for any container to start here. */
export const ENGINE_CONF = { runtime: 'runc', cgroup_manager: 'cgroupfs', events_logger: 'file' } as const;

export function containersConf(): string {
  const lines = Object.entries(ENGINE_CONF).map(([k, v]) => `${k} = "${v}"`);
  return `# isoprobe's own (targets/podman/service.ts): crun refuses hybrid cgroups, and there is no systemd here.\n[engine]\n${lines.join('\n')}\n`;
}

/** The podman command line's global flags for this storage (the service and the reaper's CLI alike). */
export function globalFlags(d: ServiceDirs): string[] {
  return ['--root', d.root, '--runroot', d.runroot, '--tmpdir', d.tmp];
}

/** The environment Podman runs with: isoprobe's config only, the user's XDG dirs of isoprobe's own. */
export function serviceEnv(d: ServiceDirs, user?: PodmanUser): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: user?.home ?? '/root',
    CONTAINERS_CONF: d.conf,
    XDG_CONFIG_HOME: d.config,
    ...(user ? { XDG_RUNTIME_DIR: d.xdg, USER: user.name, LOGNAME: user.name } : {}),
  };
}

/** argv run as the user (setpriv execs it, so the pid is podman's own), or as it is. */
export function asUser(argv: string[], user?: PodmanUser): string[] {
  return user ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', ...argv] : argv;
}
