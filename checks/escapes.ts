/**
 * Known container escapes, each checked by its precondition only (probes/README.md, "security"):
 * nothing is exploited, nothing is written. A check names its CVE; a pass means the precondition
 * does not hold here, whatever the kernel or runtime version.
 */
import { expect } from 'chai';
import {
  builtin,
  BUILTIN_PRIVILEGED,
  BWRAP_SANDBOX_HOST_RUN,
  capAdd,
  DOCKER_PRIVILEGED,
  DOCKER_SECCOMP_UNCONFINED,
  engines,
  FIREJAIL_SECCOMP_NONE,
  LXC_KEEP_CGROUP_V1,
  onCgroupV1,
  PODMAN_PRIVILEGED,
  PODMAN_SECCOMP_UNCONFINED,
  PODMAN_SYS_ADMIN_V1,
  share,
  SYS_ADMIN_IN_HOST_CGROUPNS,
} from './controls.js';
import { check, errnoName } from './define.js';
import { ALL, sec } from './security.js';

const RELEASE_AGENT_STAGES = [
  '',
  'unshare(USER|NS|CGROUP)',
  'map itself to root',
  'make mounts private',
  'mount a cgroup v1 hierarchy',
  'access(release_agent, W_OK)',
];
const IN_PLACE_STAGES = ['', 'unshare(NS)', 'make mounts private', 'mount an existing cgroup v1 hierarchy', 'access(release_agent, W_OK)'];
const FSOPEN_STAGES = ['', 'unshare(USER|NS)', 'fsopen("cgroup2")'];

function stageText(names: string[], s: { stage: number; errno: number }): string {
  return s.stage < 0 ? `the experiment died: ${errnoName(s.errno)}` : `${names[s.stage] ?? `stage ${s.stage}`}: ${errnoName(s.errno)}`;
}

export const escapeChecks = [
  check(
    {
      id: 'escape.cve-2024-21626',
      area: 'security',
      title: 'no open fd and not the cwd resolves outside the container root (leaked runtime fds)',
      profiles: [...ALL],
      references: ['CVE-2024-21626', 'OCI runtime spec: process.cwd'],
      needs: ['container'],
      // Leaked fds and the cwd are the runtime's own doing: no request setting decides them.
      settings: [],
      negativeControls: [builtin({ leakHostFd: true }), { kind: 'docker', settings: { workingDir: '/proc/self/fd/7' }, requires: 'runc < 1.1.12' }],
    },
    (ctx) => {
      const s = sec(ctx);
      const outside = s.fds.filter((f) => f.inside_root !== 1).map((f) => `fd ${f.fd} → ${f.target} (inside: ${f.inside_root})`);
      if (s.cwd.inside_root !== 1) outside.push(`cwd ${s.cwd.path ?? errnoName(s.cwd.errno)} (inside: ${s.cwd.inside_root})`);
      const evidence = `fds ≥ 3: ${s.fds.map((f) => `${f.fd} → ${f.target}`).join(', ') || 'none'}; cwd ${s.cwd.path ?? errnoName(s.cwd.errno)}`;
      expect(outside, `outside the root: ${evidence}`).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    {
      id: 'escape.cve-2022-0492',
      area: 'security',
      title: 'no writable cgroup v1 release_agent can be reached, in place or from a new user+cgroup namespace',
      profiles: [...ALL],
      references: ['CVE-2022-0492', 'CIS Docker 5.21 (seccomp), 5.3 (capabilities)', 'cgroups(7) release_agent'],
      needs: ['container'],
      settings: ['caps', 'seccomp', 'ns.cgroup'],
      negativeControls: [
        BUILTIN_PRIVILEGED,
        SYS_ADMIN_IN_HOST_CGROUPNS,
        onCgroupV1(DOCKER_PRIVILEGED),
        PODMAN_SYS_ADMIN_V1,
        onCgroupV1(PODMAN_PRIVILEGED),
        onCgroupV1(FIREJAIL_SECCOMP_NONE),
        LXC_KEEP_CGROUP_V1,
      ],
    },
    (ctx) => {
      const s = sec(ctx);
      const inPlace = s.release_agent_in_place;
      const userns = s.release_agent;
      const evidence = `in place: stopped at ${stageText(IN_PLACE_STAGES, inPlace)}; from a new user+cgroup namespace: stopped at ${stageText(RELEASE_AGENT_STAGES, userns)}`;
      expect(inPlace.stage === 4 && inPlace.errno === 0, `a release_agent is writable in place: ${evidence}`).to.equal(false);
      expect(userns.stage === 5 && userns.errno === 0, `a release_agent is writable from a new user namespace: ${evidence}`).to.equal(false);
      return evidence;
    },
  ),
  check(
    {
      id: 'escape.cve-2022-0185',
      area: 'security',
      title: 'a user namespace with its own mount namespace cannot be made to reach fsopen()',
      profiles: [...ALL],
      references: ['CVE-2022-0185', 'Docker default seccomp profile (unshare needs CAP_SYS_ADMIN)', 'user_namespaces(7)'],
      needs: ['container'],
      settings: ['seccomp', 'caps'],
      negativeControls: [
        builtin({ seccomp: 'none' }),
        BUILTIN_PRIVILEGED,
        DOCKER_SECCOMP_UNCONFINED,
        capAdd('SYS_ADMIN'),
        // Not Podman's CAP_SYS_ADMIN or --privileged: its default seccomp profile lets unshare through already.
        PODMAN_SECCOMP_UNCONFINED,
      ],
    },
    (ctx) => {
      const r = sec(ctx).userns_fsopen;
      const evidence = `stopped at ${stageText(FSOPEN_STAGES, r)}`;
      expect(r.stage === 2 && r.errno === 0, `fsopen reachable from a new user namespace: ${evidence}`).to.equal(false);
      return evidence;
    },
  ),
  check(
    {
      id: 'escape.runtime-socket',
      area: 'security',
      title: 'no container runtime socket (docker, containerd, cri-o, podman) is present inside',
      profiles: [...ALL],
      references: ['CIS Docker 5.31 (Docker socket not mounted)', 'OCI runtime spec: mounts'],
      needs: ['container'],
      settings: ['ns.mnt'],
      // share('mnt') and the sandbox line that leaves the host's /run visible fail it where the host
      // has a runtime socket there: npm test's dockerd (scripts/test.sh) is one.
      negativeControls: [share('mnt'), BWRAP_SANDBOX_HOST_RUN, ...engines({ Binds: ['/var/run/docker.sock:/var/run/docker.sock'] })],
    },
    (ctx) => {
      const socks = sec(ctx).runtime_sockets;
      const present = socks.filter((s) => s.exists).map((s) => `${s.path} (connect: ${errnoName(s.connect_errno)})`);
      const evidence = `present: ${present.join(', ') || 'none'} of ${socks.length} known paths`;
      expect(present, evidence).to.deep.equal([]);
      return evidence;
    },
  ),
];
