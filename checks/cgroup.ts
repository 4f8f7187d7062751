/** cgroup area: the container sees only its own cgroup subtree, and its limits are in place. */
import { expect } from 'chai';
import { skip } from '../model/check.js';
import { limitsInForce, parseProcCgroup } from '../model/parse/cgroup.js';
import { askedText, limitShown } from './asked.js';
import { cannotLeave, cgroupfsReadonly } from './cgroupfs.js';
import {
  builtin,
  BUILTIN_PRIVILEGED,
  docker,
  LXC_KEEP_CGROUP_V1,
  DOCKER_NO_CPUS,
  DOCKER_NO_LIMITS,
  DOCKER_NO_MEMORY,
  DOCKER_NO_PIDS_LIMIT,
  DOCKER_PRIVILEGED,
  onCgroupV1,
  PODMAN_NO_CPUS,
  PODMAN_NO_MEMORY,
  PODMAN_NO_PIDS_LIMIT,
  PODMAN_PRIVILEGED,
  PODMAN_SYS_ADMIN_V1,
  share,
  SYS_ADMIN_IN_HOST_CGROUPNS,
} from './controls.js';
import { check, ownNamespaceCheck, requireHostNsGiven, requireSettableLimits } from './define.js';

const NEG = [share('cgroup'), BUILTIN_PRIVILEGED, docker({ CgroupnsMode: 'host' })];
const OCI_CG = 'OCI runtime spec: linux.namespaces "cgroup", linux.cgroupsPath';
const STRICTER = ['restricted', 'strict'] as const;
/*
 * Baseline: Docker's and runc's defaults already give both (cgroupfs mounted "ro", no way to write
 * cgroup.procs), only a privileged container loses them, and CIS Docker 5.4 and the Pod Security
 * Standards' baseline level forbid privileged containers.
 */
const ALL = ['baseline', 'restricted', 'strict'] as const;
const PRIVILEGED = ['CIS Docker 5.4 (privileged containers not used)', 'Pod Security Standards baseline: Privileged Containers'];

/** The limits the profile needs set, by their name in limitsInForce and their request key. */
export const LIMIT_KEYS = [
  ['pids', 'limits.pids'],
  ['memory', 'limits.memory'],
  ['cpu', 'limits.cpu'],
] as const;

export const cgroupChecks = [
  ownNamespaceCheck({ area: 'cgroup', ns: 'cgroup', profiles: [...STRICTER], references: [OCI_CG, 'cgroup_namespaces(7)'], negativeControls: NEG }),
  check(
    {
      id: 'cgroup.self-is-root',
      area: 'cgroup',
      title: '/proc/self/cgroup shows "/" in every hierarchy (host paths hidden)',
      profiles: [...STRICTER],
      references: [OCI_CG, 'cgroup_namespaces(7)'],
      needs: ['container'],
      settings: ['ns.cgroup'],
      negativeControls: NEG,
    },
    ({ container }) => {
      const entries = parseProcCgroup(container.files.cgroup.text);
      const visible = entries.filter((e) => e.path !== '/').map((e) => `${e.controllers.join(',') || `hierarchy ${e.hierarchyId}`}:${e.path}`);
      const evidence = `${entries.length} hierarchies; paths other than "/": ${visible.join(' ') || 'none'}`;
      // Read and empty: a sandbox's own kernel (gVisor's Sentry) lists no hierarchy at all, so there is no path to judge.
      if (entries.length === 0 && container.files.cgroup.errno === 0 && container.files.cgroup.text.trim() === '')
        skip(
          'evidence',
          "the container's /proc/self/cgroup is readable and lists no hierarchy: there is no path to compare (the sandbox's cgroup is judged from the host)",
        );
      expect(entries.length, `no /proc/self/cgroup entries: ${evidence}`).to.be.greaterThan(0);
      expect(visible, evidence).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    {
      id: 'cgroup.limits-set',
      area: 'cgroup',
      title: "pids, memory and cpu limits are set on the container's cgroup, as the host reads them",
      profiles: [...STRICTER],
      references: ['OCI runtime spec: linux.resources', 'CIS Docker 5.10, 5.11, 5.28 (memory, cpu, pids limits)'],
      needs: ['observed'],
      settings: ['limits.pids', 'limits.memory', 'limits.cpu'],
      negativeControls: [
        builtin({ limits: 'none' }),
        DOCKER_NO_LIMITS,
        DOCKER_NO_PIDS_LIMIT,
        DOCKER_NO_MEMORY,
        DOCKER_NO_CPUS,
        PODMAN_NO_PIDS_LIMIT,
        PODMAN_NO_MEMORY,
        PODMAN_NO_CPUS,
      ],
    },
    (ctx) => {
      requireSettableLimits(ctx);
      const { observed, request } = ctx;
      const l = observed.cgroup.limits;
      const unsupported = Object.entries(l).filter(([k]) => k.endsWith(':unsupported'));
      if (unsupported.length > 0) skip('cgroup-controller', unsupported.map(([k, v]) => `${k.split(':')[0]}: ${v}`).join('; '));
      // Any finite limit passes, whoever set it: the profile asks for limits, not for isoprobe's values.
      const inForce = limitsInForce(l);
      const rows = LIMIT_KEYS.map(([name, key]) => ({ name, f: inForce[name], who: askedText(request, key, limitShown) }));
      const shown = (r: (typeof rows)[number]) => `${r.f.file}=${r.f.text ?? 'absent'} (${r.who})`;
      const evidence = `cgroup ${observed.cgroup.version} ${observed.cgroup.paths.join(' ')}: ${rows.map(shown).join('; ')}`;
      const unset = rows.filter((r) => r.f.value === null).map(shown);
      expect(unset, `limits not set: ${unset.join('; ')}; ${evidence}`).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    {
      id: 'cgroup.cgroupfs-readonly',
      area: 'cgroup',
      title: 'every cgroupfs mounted inside is read-only and no child cgroup can be made at its root',
      profiles: [...ALL],
      references: ['OCI runtime spec: mounts (runc\'s default /sys/fs/cgroup mount is "ro")', ...PRIVILEGED, 'CVE-2022-0492'],
      needs: ['container'],
      // Whether the cgroupfs is mounted read-only is no request setting; privileged mode (caps) reaches it through the mount.
      settings: ['ns.mnt', 'ns.cgroup'],
      negativeControls: [builtin({ cgroupfs: 'rw' }), share('mnt'), BUILTIN_PRIVILEGED, DOCKER_PRIVILEGED, PODMAN_PRIVILEGED, LXC_KEEP_CGROUP_V1],
    },
    (ctx) => {
      requireHostNsGiven(ctx, ctx.container.cgroupfs?.refused, 'try mkdir in cgroupfs');
      return cgroupfsReadonly(ctx.container.cgroupfs);
    },
  ),
  check(
    {
      id: 'cgroup.cannot-leave',
      area: 'cgroup',
      title: 'a process of the container cannot move itself out of its cgroup',
      profiles: [...ALL],
      references: ['OCI runtime spec: linux.cgroupsPath', 'cgroups(7) cgroup.procs', ...PRIVILEGED],
      needs: ['container', 'observed'],
      settings: ['ns.cgroup', 'caps'],
      negativeControls: [
        BUILTIN_PRIVILEGED,
        SYS_ADMIN_IN_HOST_CGROUPNS,
        onCgroupV1(DOCKER_PRIVILEGED),
        PODMAN_SYS_ADMIN_V1,
        onCgroupV1(PODMAN_PRIVILEGED),
        LXC_KEEP_CGROUP_V1,
      ],
    },
    ({ container, observed }) => cannotLeave(container.cgroup_leave, observed.cgroup),
  ),
];
