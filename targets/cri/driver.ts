/**
 * A Kubernetes node's runtime through CRI as a driver. Each target is a pod sandbox plus the
 * probe container, configured as kubelet would for a default pod (./pod-config.ts), its profile
 * mapped to the Pod Security Standards; raw `podConfig` and `containerConfig` merge patches over
 * what it generates (protobuf JSON names: {"linux": {"securityContext": {"namespaceOptions":
 * {"pid": "NODE"}}}} is hostPID). No `endpoint`: a containerd of isoprobe's own
 * (./containerd.ts). `runtimeHandler`: a RuntimeClass handler of the runtime's config (isoprobe's
 * containerd has `runc`; why not `runsc` is said there).
 */
import fs from 'node:fs';
import { z } from 'zod';
import { detectCgroupLayout } from '../../host/cgroup.js';
import { findBinary } from '../../host/which.js';
import type { TargetDriver } from '../../model/driver.js';
import { EnvError } from '../../model/errors.js';
import { SIBLING_NAMESPACES } from '../../model/sibling.js';
import { NAMESPACES } from '../../model/spec.js';
import { baseSpec, harnessBoundingCaps, pivotRootOnly, rawObject, targetSchema } from '../common/config.js';
import { projectProbeFiles } from '../common/probe-files.js';
import { cleanCri } from './clean.js';
import { CriClient } from './client.js';
import { CriTarget } from './cri.js';
import { imageRefs } from './image.js';
import { containerConfig, podConfig, podSecurityFor } from './pod-config.js';
import { criRequest } from './request.js';
import { weakenings } from './weakenings.js';

const config = targetSchema('cri', {
  /** The CRI socket (unix:///run/containerd/containerd.sock); absent: a containerd isoprobe starts. */
  endpoint: z
    .string()
    .regex(/^(unix:\/\/)?\//, 'a unix socket: unix:///path')
    .optional(),
  /** A RuntimeClass handler; "" is the runtime's default. */
  runtimeHandler: z.string().default(''),
  /** RFC 7386 merge patches over the generated PodSandboxConfig and ContainerConfig (proto JSON field names). */
  podConfig: rawObject.optional(),
  containerConfig: rawObject.optional(),
  /** The pod's namespaces are set by kubelet's rules or a patch, never by `share`. */
  share: z
    .array(z.enum(NAMESPACES))
    .max(
      0,
      'a cri target shares namespaces through podConfig / containerConfig patches (hostPID: {"linux": {"securityContext": {"namespaceOptions": {"pid": "NODE"}}}})',
    )
    .default([]),
  rootChange: pivotRootOnly,
  /**
   * Two containers in one pod (the cross area's pair): the second is created in the first's pod
   * sandbox, so it has the pod's network, IPC and UTS namespaces as every container of a pod has
   * (all three, always); with pid, the first container's pid namespace too (TARGET).
   */
  joinSibling: z
    .array(z.enum(SIBLING_NAMESPACES))
    .refine((n) => ['net', 'ipc', 'uts'].every((x) => n.includes(x as never)), {
      message: 'the containers of one pod share its network, IPC and UTS namespaces: joinSibling lists net, ipc and uts (and pid for a shared pid namespace)',
    })
    .optional(),
});

export type CriTargetConfig = z.infer<typeof config>;

const BINARIES = ['containerd', 'containerd-shim-runc-v2', 'ctr', 'runc'];

/** Placeholders for what only a run names (paths, uid): no requested setting is read from them. */
const PLACEHOLDER = { uid: 'uid', run: 'run', cgroupRoot: '/', logDirectory: '/logs', labels: {} };

export const cri: TargetDriver<CriTargetConfig> = {
  kind: 'cri',
  config,
  shorthands: { cri: { name: 'cri', runtime: 'cri' } },
  delivery: 'image',
  weakenings,
  async preflight(cfgs) {
    if (cfgs.some((c) => !c.endpoint)) {
      const missing = BINARIES.filter((b) => !findBinary(b));
      if (missing.length > 0) throw new EnvError(`the cri target needs ${missing.join(', ')} (Debian: apt-get install containerd runc)`);
    }
    for (const endpoint of new Set(cfgs.flatMap((c) => (c.endpoint ? [c.endpoint] : [])))) {
      const client = new CriClient(endpoint);
      try {
        await client.version();
      } catch (e) {
        throw new EnvError(`no CRI runtime answers at ${endpoint}: ${(e as Error).message}`);
      } finally {
        client.close();
      }
    }
  },
  create(cfg, ctx) {
    const cgroups = detectCgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    return new CriTarget(cfg.name, {
      endpoint: cfg.endpoint,
      runtimeHandler: cfg.runtimeHandler,
      patches: { podConfig: cfg.podConfig, containerConfig: cfg.containerConfig },
      runDir: ctx.runDir,
      cgroups,
      files: projectProbeFiles(),
      profile: ctx.profile,
      observe: ctx.observe,
    });
  },
  spec(cfg, argv) {
    // What kubelet asks of a BestEffort pod: no limits of its own; the pod's name (the spec's hostname) is its hostname.
    return { ...baseSpec(cfg, argv), limits: {}, noNewPrivs: false };
  },
  request(cfg, spec, profile) {
    const security = podSecurityFor(profile);
    const pod = podConfig({ ...PLACEHOLDER, name: spec.hostname, security });
    const image = imageRefs(projectProbeFiles()).probe;
    const container = containerConfig({ name: 'probe', image, argv: spec.argv, envs: {}, mounts: [], security, labels: {} }, pod);
    return criRequest(pod, container, { podConfig: cfg.podConfig, containerConfig: cfg.containerConfig }, harnessBoundingCaps());
  },
  describe(cfg) {
    const user = (setting: string, value: string) => ({ setting, value, source: 'user config' as const });
    return [
      {
        setting: 'pod',
        value: "kubelet's default pod (namespaces, seccomp, masked paths, cgroup parent, labels); the profile's Pod Security Standard",
        source: 'isoprobe',
      },
      ...(cfg.endpoint ? [user('endpoint', cfg.endpoint)] : [{ setting: 'endpoint', value: 'a containerd started by isoprobe', source: 'isoprobe' as const }]),
      ...(cfg.runtimeHandler ? [user('runtimeHandler', cfg.runtimeHandler)] : []),
      ...(cfg.joinSibling ? [user('join-sibling', `one pod: ${cfg.joinSibling.join(',')}`)] : []),
      ...(cfg.podConfig ? [user('podConfig', JSON.stringify(cfg.podConfig))] : []),
      ...(cfg.containerConfig ? [user('containerConfig', JSON.stringify(cfg.containerConfig))] : []),
    ];
  },
  clean: cleanCri,
};
