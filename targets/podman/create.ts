/**
 * A podman target's config → the compat API's create options, pure. What Docker's translation
 * sends (../common/engine-api/host-config.ts: only what observation and the config ask for),
 * plus what isoprobe must set for a container to start here at all, each shown as isoprobe's
 * request (./driver.ts describe) and never over what the config asks:
 *   - rootful, rlimits: Podman gives a container `nofile` 1048576, above the hard limit its
 *     service inherits (20000 on the project's VM), and raising it needs CAP_SYS_RESOURCE, which
 *     is in no bounding set here ("setrlimit RLIMIT_NOFILE: Operation not permitted"). So nofile
 *     is the harness's own hard limit; once any Ulimits are sent, Podman 4.3 also raises nproc to
 *     1048576, so nproc is sent as the 32768 it gives otherwise (the limit it sets on itself).
 *   - the network: rootful Podman's default network is a CNI bridge with NAT (cni-podman0,
 *     iptables chains, /var/lib/cni state left on the host), so rootful containers get "none" (a
 *     network namespace of their own with only lo); rootless, the compat API's default "bridge"
 *     needs a rootless CNI namespace that fails here, so they get "slirp4netns", what `podman
 *     run` gives a rootless user.
 */
import type Dockerode from 'dockerode';
import fs from 'node:fs';
import { createOptions, mergeHostConfig, translateHostConfig, type CreateInputs, type DockerAsk, type HostConfig } from '../common/engine-api/host-config.js';
import { parseLimits } from '../../model/parse/limits.js';
import type { ContainerSpec } from '../../model/spec.js';

/** The nproc limit Podman 4.3 sets on itself, and gives a container when no Ulimits are sent. */
export const PODMAN_NPROC = 32768;

export interface PodmanAsk extends DockerAsk {
  rootless: boolean;
  /** The harness's hard RLIMIT_NOFILE (what the service it starts inherits). */
  nofile: number;
}

/** The harness's hard RLIMIT_NOFILE, from /proc/self/limits. */
export function harnessNofile(text = fs.readFileSync('/proc/self/limits', 'utf8')): number {
  const hard = parseLimits(text).nofile?.hard;
  return typeof hard === 'number' ? hard : 1_048_576;
}

/** The network mode isoprobe asks for, by mode (see the file's comment). */
export function ownNetworkMode(rootless: boolean): string {
  return rootless ? 'slirp4netns' : 'none';
}

/** isoprobe's own HostConfig fields for this host, where neither the spec nor the config sets them. */
export function podmanOwn(ask: Pick<PodmanAsk, 'rootless' | 'nofile'>, translated: HostConfig): HostConfig {
  const own: HostConfig = {};
  if (translated.NetworkMode === undefined) own.NetworkMode = ownNetworkMode(ask.rootless);
  if (!ask.rootless) {
    own.Ulimits = [
      { Name: 'nofile', Soft: ask.nofile, Hard: ask.nofile },
      { Name: 'nproc', Soft: PODMAN_NPROC, Hard: PODMAN_NPROC },
    ];
  }
  return own;
}

/** The final create request: Docker's translation, isoprobe's own fields for this host, then the config's raw fields over them. */
export function podmanCreate(
  spec: ContainerSpec,
  argv: string[],
  ask: PodmanAsk,
  c: Omit<CreateInputs, 'hostConfig' | 'container'>,
): Dockerode.ContainerCreateOptions {
  const translated = translateHostConfig(spec, ask);
  const hostConfig = mergeHostConfig({ ...translated, ...podmanOwn(ask, translated) }, ask.hostConfig);
  return createOptions(argv, { ...c, hostConfig, container: ask.container });
}
