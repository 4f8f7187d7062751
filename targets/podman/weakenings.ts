/**
 * Podman's negative controls that the project's tests run (test/integration/podman.test.ts): raw
 * HostConfig fields (as the compat API spells them, Docker's names) merged over a reference
 * podman target's (one with `"request": "profile"`), rootful and, where it can apply, rootless.
 * Each must make the checks that name it fail. Not here: CgroupnsMode host (Podman 4.3 ignores
 * CgroupnsMode, and on cgroup v1 its containers are in the host's cgroup namespace already: the
 * profile's private one is a conformance failure of the reference), apparmor=unconfined (no
 * AppArmor here; the Vagrant guests have it, Docker's control covers the check). Data only.
 */
import type { Weakening } from '../../model/weakening.js';

const LOOP0 = '/dev/loop0';

export const weakenings: Weakening[] = [
  { kind: 'podman', settings: { hostConfig: { PidMode: 'host' } } },
  { kind: 'podman', settings: { hostConfig: { NetworkMode: 'host' } } },
  { kind: 'podman', settings: { hostConfig: { IpcMode: 'host' } } },
  { kind: 'podman', settings: { hostConfig: { UTSMode: 'host' } } },
  { kind: 'podman', settings: { hostConfig: { CapAdd: ['SYS_ADMIN'] } } },
  { kind: 'podman', settings: { hostConfig: { CapAdd: ['SYS_PTRACE'] } } },
  { kind: 'podman', settings: { hostConfig: { CapAdd: ['SYS_TIME'] } } },
  { kind: 'podman', settings: { hostConfig: { SecurityOpt: ['seccomp=unconfined'] } } },
  { kind: 'podman', settings: { hostConfig: { PidsLimit: 0 } } },
  { kind: 'podman', settings: { hostConfig: { Memory: 0, MemorySwap: 0 } } },
  { kind: 'podman', settings: { hostConfig: { NanoCpus: 0 } } },
  { kind: 'podman', settings: { hostConfig: { Binds: ['/var/run/docker.sock:/var/run/docker.sock'] } } },
  // Podman's own --security-opt unmask=ALL: its compat API ignores MaskedPaths and ReadonlyPaths.
  { kind: 'podman', settings: { hostConfig: { SecurityOpt: ['unmask=ALL'] } } },
  { kind: 'podman', settings: { hostConfig: { Devices: [{ PathOnHost: LOOP0, PathInContainer: LOOP0, CgroupPermissions: 'rwm' }] } } },
  { kind: 'podman', settings: { noNewPrivs: false } },
  { kind: 'podman', settings: { hostConfig: { Privileged: true } } },
  { kind: 'podman', settings: { joinSibling: ['pid'] } },
  { kind: 'podman', settings: { joinSibling: ['ipc'] } },
  { kind: 'podman', settings: { joinSibling: ['net'] } },
];
