/** cgroup area: the container sees only its own cgroup subtree, and its limits are in place. */
import { expect } from 'chai';
import { skip } from '../model/check.js';
import { cpuQuota, parseProcCgroup } from '../model/parse/cgroup.js';
import { DEFAULT_SPEC } from '../model/spec.js';
import { cannotLeave, cgroupfsReadonly } from './cgroupfs.js';
import {
  builtin,
  BUILTIN_PRIVILEGED,
  docker,
  DOCKER_NO_CPUS,
  DOCKER_NO_LIMITS,
  DOCKER_NO_MEMORY,
  DOCKER_NO_PIDS_LIMIT,
  DOCKER_PRIVILEGED,
  onCgroupV1,
  share,
  SYS_ADMIN_IN_HOST_CGROUPNS,
} from './controls.js';
import { check, ownNamespaceCheck, requireSettableLimits } from './define.js';

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

/** What the profile expects to find on the host: the same limits the default spec asks for. */
const EXPECTED_LIMITS = DEFAULT_SPEC.limits;

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
      negativeControls: [builtin({ limits: 'none' }), DOCKER_NO_LIMITS, DOCKER_NO_PIDS_LIMIT, DOCKER_NO_MEMORY, DOCKER_NO_CPUS],
    },
    (ctx) => {
      requireSettableLimits(ctx);
      const { observed } = ctx;
      const l = observed.cgroup.limits;
      const unsupported = Object.entries(l).filter(([k]) => k.endsWith(':unsupported'));
      if (unsupported.length > 0) skip('cgroup-controller', unsupported.map(([k, v]) => `${k.split(':')[0]}: ${v}`).join('; '));
      const evidence = `cgroup ${observed.cgroup.version} ${observed.cgroup.paths.join(' ')}: ${JSON.stringify(l)}`;
      const set = {
        pids: l['pids.max'] ?? 'max',
        memoryBytes: l['memory.limit_in_bytes'] ?? l['memory.max'] ?? 'max',
        cpus: cpuQuota(l),
      };
      expect(set, `limits: ${evidence}`).to.deep.equal({
        pids: String(EXPECTED_LIMITS.pids),
        memoryBytes: String(EXPECTED_LIMITS.memoryBytes),
        cpus: EXPECTED_LIMITS.cpus,
      });
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
      negativeControls: [builtin({ cgroupfs: 'rw' }), share('mnt'), BUILTIN_PRIVILEGED, DOCKER_PRIVILEGED],
    },
    ({ container }) => cgroupfsReadonly(container.cgroupfs),
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
      negativeControls: [BUILTIN_PRIVILEGED, SYS_ADMIN_IN_HOST_CGROUPNS, onCgroupV1(DOCKER_PRIVILEGED)],
    },
    ({ container, observed }) => cannotLeave(container.cgroup_leave, observed.cgroup),
  ),
];
