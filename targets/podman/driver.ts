/**
 * Podman as a driver: `--runtime podman` (rootful) and `--runtime podman-rootless` (as the
 * unprivileged user of scripts/rootless-user.sh), Podman as its users get it: its own defaults
 * (never Docker's), the config's options, `"request": "profile"` and raw HostConfig and
 * container fields as for Docker, and what this host needs for any container to start (./create.ts),
 * each shown as isoprobe's request with its reason.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import { findBinary } from '../../host/which.js';
import type { Setting, TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import type { Profile } from '../../model/results.js';
import { pivotRootOnly, targetSchema } from '../common/config.js';
import { containerFields, engineSettings, engineSpec, missingCaps, needsOf, pascalCase, userSetting } from '../common/engine-api/driver-parts.js';
import { parseDockerRequest, userFields } from '../common/engine-api/request.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { cleanPodman } from './clean.js';
import { harnessNofile, ownNetworkMode, PODMAN_NPROC, podmanCreate, type PodmanAsk } from './create.js';
import { ENGINE_CONF } from './dirs.js';
import { PodmanTarget } from './podman.js';
import { rootlessUser } from './user.js';
import { weakenings } from './weakenings.js';

/** What Podman can share with the host through the compat API's modes (as Docker; never mnt or time). */
export const PODMAN_SHAREABLE = ['pid', 'net', 'ipc', 'uts', 'cgroup', 'user'] as const;

const API = "the Docker Engine API (Podman's compat API)";

/** HostConfig fields Podman 4.3's compat API accepts and ignores: sent, they could only pass where they should fail. */
export const IGNORED_FIELDS = ['Runtime'] as const;

const config = targetSchema('podman', {
  share: z.array(z.enum(PODMAN_SHAREABLE)).default([]),
  rootChange: pivotRootOnly,
  /** Rootless: the service runs as the unprivileged user (scripts/rootless-user.sh). */
  rootless: z.boolean().default(false),
  request: z.literal('profile').optional(),
  hostConfig: pascalCase('HostConfig', API)
    .refine((o) => !IGNORED_FIELDS.some((f) => f in o), {
      message: `Podman 4.3 ignores HostConfig.Runtime (its OCI runtime is containers.conf's, runc here)`,
    })
    .optional(),
  container: containerFields(API).optional(),
  /** A running service's unix socket, used as it is; absent: isoprobe starts its own. */
  socket: z.string().startsWith('/', "an absolute path to the service's unix socket").optional(),
  joinSibling: z
    .array(z.enum(['pid', 'ipc', 'net'], { error: "a podman sibling joins the first's pid, ipc and net namespaces (container:<name>)" }))
    .min(1)
    .optional(),
});

export type PodmanTargetConfig = z.infer<typeof config>;

export function podmanAsk(cfg: PodmanTargetConfig, profile: Profile | undefined, missing: string[] = missingCaps(), nofile = harnessNofile()): PodmanAsk {
  return {
    missingCaps: missing,
    needs: needsOf(cfg, profile),
    user: { noNewPrivs: cfg.noNewPrivs, limits: cfg.limits },
    hostConfig: cfg.hostConfig,
    container: cfg.container,
    rootless: cfg.rootless,
    nofile,
  };
}

/** isoprobe's own requests for this host (./create.ts, ./dirs.ts), each with its reason. */
function ownSettings(cfg: PodmanTargetConfig): Setting[] {
  const isoprobe = (setting: string, value: string): Setting => ({ setting, value, source: 'isoprobe' });
  const rows = [
    isoprobe('oci-runtime', `${ENGINE_CONF.runtime} (containers.conf of isoprobe's own: Podman's default crun refuses hybrid cgroups)`),
    isoprobe('cgroup-manager', `${ENGINE_CONF.cgroup_manager} (no systemd)`),
  ];
  const hc = cfg.hostConfig ?? {};
  if (!('NetworkMode' in hc) && !cfg.share.includes('net') && !cfg.joinSibling?.includes('net')) {
    const why = cfg.rootless
      ? "what podman run gives a rootless user; the compat API's bridge needs a rootless CNI namespace that fails here"
      : 'rootful CNI bridge would leave cni-podman0, iptables chains and /var/lib/cni state on the host';
    rows.push(isoprobe('network', `${ownNetworkMode(cfg.rootless)} (${why})`));
  }
  if (!cfg.rootless && !('Ulimits' in hc)) {
    rows.push(
      isoprobe(
        'rlimits',
        `nofile=${harnessNofile()} nproc=${PODMAN_NPROC} (Podman's nofile 1048576 is above the harness's hard limit, and raising it needs CAP_SYS_RESOURCE)`,
      ),
    );
  }
  return rows;
}

export const podman: TargetDriver<PodmanTargetConfig> = {
  kind: 'podman',
  config,
  shorthands: {
    podman: { name: 'podman', runtime: 'podman' },
    'podman-rootless': { name: 'podman-rootless', runtime: 'podman', rootless: true },
  },
  delivery: 'image',
  weakenings,
  async preflight(cfgs) {
    if (cfgs.some((c) => !c.socket) && !findBinary('podman')) throw new EnvError('podman is not installed (apt-get install podman)');
    if (cfgs.some((c) => c.rootless && !c.socket)) {
      rootlessUser();
      for (const b of ['newuidmap', 'newgidmap', 'slirp4netns', 'setpriv']) {
        if (!findBinary(b)) throw new EnvError(`podman-rootless needs ${b} (apt-get install uidmap slirp4netns util-linux)`);
      }
    }
    for (const c of cfgs) if (c.socket && !fs.existsSync(c.socket)) throw new EnvError(`${c.name}: no Podman service at ${c.socket}`);
  },
  create(cfg, ctx) {
    const cgroups = detectCgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    return new PodmanTarget(cfg.name, {
      ...(cfg.socket ? { socket: cfg.socket } : {}),
      cgroups,
      files: projectProbeFiles(),
      ask: podmanAsk(cfg, ctx.profile),
      observe: ctx.observe,
    });
  },
  spec(cfg, argv, profile) {
    return engineSpec(cfg, argv, profile);
  },
  request(cfg, spec, profile) {
    const create = podmanCreate(spec, spec.argv, podmanAsk(cfg, profile), { name: 'request', image: 'probe', labels: {} });
    return parseDockerRequest(create, userFields(cfg, cfg.hostConfig, cfg.container)).request;
  },
  describe(cfg) {
    const { base, asked } = engineSettings(cfg, "Podman's compat API");
    return [...base, ...(cfg.rootless ? [userSetting('rootless', 'true')] : []), ...ownSettings(cfg), ...asked];
  },
  clean(ctx) {
    return cleanPodman(ctx);
  },
};
