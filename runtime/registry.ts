/** Turns a validated target config into a Target: the one place that knows every runtime. */
import fs from 'node:fs';
import { EnvError } from '../core/errors.js';
import { SHIM_BINARY } from '../core/paths.js';
import type { TargetConfig } from '../core/targets-config.js';
import { BuiltinTarget } from './builtin/builtin.js';
import { detectCgroupLayout } from './builtin/cgroup.js';
import { DOCKER_SOCKET, dockerClient } from './docker/daemon.js';
import { DockerTarget } from './docker/docker.js';
import { OciTarget } from './oci/oci.js';
import type { Target } from './target.js';

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
      // Checked here, before anything is started for the run; a socket nobody answers on is found by info().
      if (!fs.existsSync(DOCKER_SOCKET)) throw new EnvError(`no Docker daemon at ${DOCKER_SOCKET} (start dockerd)`);
      return new DockerTarget(cfg.name, {
        docker: dockerClient(DOCKER_SOCKET), socketPath: DOCKER_SOCKET, cgroups, hostConfig: cfg.hostConfig, dockerRuntime: cfg.dockerRuntime,
      });
    case 'oci':
      if (!findBinary(cfg.binary)) throw new EnvError(`the OCI runtime "${cfg.binary}" of target "${cfg.name}" is not installed (not found in PATH)`);
      return new OciTarget(cfg.name, { binary: cfg.binary, runDir: ctx.runDir, cgroups, specPatch: cfg.specPatch });
  }
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
