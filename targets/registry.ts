/** Turns a validated target config into a Target: the one place that knows every runtime. */
import fs from 'node:fs';
import { EnvError } from '../model/errors.js';
import { SHIM_BINARY } from '../host/paths.js';
import type { TargetConfig } from './config.js';
import { BuiltinTarget } from './builtin/builtin.js';
import { detectCgroupLayout } from '../host/cgroup.js';
import { DOCKER_SOCKET, dockerClient, pingDaemon } from './docker/daemon.js';
import { DockerTarget } from './docker/docker.js';
import { OciTarget } from './oci/oci.js';
import type { Target } from '../model/target.js';

export interface TargetContext {
  /** Per-run directory for rootfs copies and bundles; removed by the run's cleanup. */
  runDir: string;
}

export function createTarget(cfg: TargetConfig, ctx: TargetContext): Target {
  const cgroups = detectCgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  switch (cfg.runtime) {
    case 'builtin':
      return new BuiltinTarget(cfg.name, { shimPath: SHIM_BINARY, runDir: ctx.runDir, cgroups });
    case 'docker':
      // A last guard: preflightTargets() asks the daemon itself, before the run starts anything.
      if (!fs.existsSync(DOCKER_SOCKET)) throw new EnvError(`no Docker daemon at ${DOCKER_SOCKET} (start dockerd)`);
      return new DockerTarget(cfg.name, {
        docker: dockerClient(DOCKER_SOCKET), socketPath: DOCKER_SOCKET, cgroups, hostConfig: cfg.hostConfig, dockerRuntime: cfg.dockerRuntime,
      });
    case 'oci':
      // A last guard, as for Docker.
      if (!findBinary(cfg.binary)) throw new EnvError(missingBinary(cfg.binary, cfg.name));
      return new OciTarget(cfg.name, { binary: cfg.binary, runDir: ctx.runDir, cgroups, specPatch: cfg.specPatch });
  }
}

/**
 * What the targets need from the host, checked before anything of the run exists: no Docker
 * daemon answering, or a runtime binary not installed, is an EnvError (exit 2, one line). To be
 * awaited by the orchestrator before it arms sentinels or starts any target: an error raised
 * once one target runs would leave that target working past the run's cleanup.
 */
export async function preflightTargets(cfgs: TargetConfig[]): Promise<void> {
  if (cfgs.some((c) => c.runtime === 'docker')) await pingDaemon(dockerClient(DOCKER_SOCKET), DOCKER_SOCKET);
  for (const c of cfgs) {
    if (c.runtime === 'oci' && !findBinary(c.binary)) throw new EnvError(missingBinary(c.binary, c.name));
  }
}

function missingBinary(binary: string, target: string): string {
  return `the OCI runtime "${binary}" of target "${target}" is not installed (not found in PATH)`;
}

/** A path, or a name looked up in PATH as execvp would. */
export function findBinary(binary: string): string | null {
  const candidates = binary.includes('/') ? [binary] : (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').map((d) => `${d}/${binary}`);
  return candidates.find((f) => {
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return fs.statSync(f).isFile();
    } catch {
      return false;
    }
  }) ?? null;
}
