/**
 * Docker's negative controls that the project's tests run (test/integration/docker.test.ts): each
 * is docker target config (raw HostConfig fields, as the Engine API spells them) merged over a
 * reference target's (one with `"request": "profile"`, so that each flips a passing check), and
 * must make the checks that name it fail. Data only.
 */
import type { Weakening } from '../../model/weakening.js';

const LOOP0 = '/dev/loop0';

export const weakenings: Weakening[] = [
  { kind: 'docker', settings: { hostConfig: { PidMode: 'host' } } },
  { kind: 'docker', settings: { hostConfig: { NetworkMode: 'host' } } },
  { kind: 'docker', settings: { hostConfig: { IpcMode: 'host' } } },
  { kind: 'docker', settings: { hostConfig: { UTSMode: 'host' } } },
  { kind: 'docker', settings: { hostConfig: { CgroupnsMode: 'host' } } },
  { kind: 'docker', settings: { hostConfig: { CapAdd: ['SYS_ADMIN'] } } },
  { kind: 'docker', settings: { hostConfig: { CapAdd: ['SYS_PTRACE'] } } },
  { kind: 'docker', settings: { hostConfig: { CapAdd: ['SYS_TIME'] } } },
  // The release_agent escape: CAP_SYS_ADMIN over the host's user namespace, in the host's cgroup namespace.
  { kind: 'docker', settings: { hostConfig: { CapAdd: ['SYS_ADMIN'], CgroupnsMode: 'host' } } },
  // The same option the CLI's --security-opt apparmor=unconfined sends; dockerd applies docker-default otherwise.
  { kind: 'docker', settings: { hostConfig: { SecurityOpt: ['apparmor=unconfined'] } } },
  { kind: 'docker', settings: { hostConfig: { SecurityOpt: ['seccomp=unconfined'] } } },
  // Limits as `docker run` sends them without --pids-limit / --memory / --cpus: zero, no limit.
  { kind: 'docker', settings: { hostConfig: { PidsLimit: 0 } } },
  { kind: 'docker', settings: { hostConfig: { Memory: 0, MemorySwap: 0 } } },
  { kind: 'docker', settings: { hostConfig: { NanoCpus: 0 } } },
  { kind: 'docker', settings: { hostConfig: { PidsLimit: 0, Memory: 0, MemorySwap: 0, NanoCpus: 0 } } },
  { kind: 'docker', settings: { hostConfig: { Binds: ['/var/run/docker.sock:/var/run/docker.sock'] } } },
  // What the CLI sends for --security-opt systempaths=unconfined (the daemon does not know that option).
  { kind: 'docker', settings: { hostConfig: { MaskedPaths: [], ReadonlyPaths: [] } }, note: 'systempaths=unconfined' },
  { kind: 'docker', settings: { hostConfig: { Devices: [{ PathOnHost: LOOP0, PathInContainer: LOOP0, CgroupPermissions: 'rwm' }] } } },
  // Sent as no-new-privileges:false (targets/common/engine-api/host-config.ts): over a target that asks for it (request: profile).
  { kind: 'docker', settings: { noNewPrivs: false } },
  // Also no seccomp filter, every capability, every device and no masked or read-only paths.
  { kind: 'docker', settings: { hostConfig: { Privileged: true } } },
  // The cross area's: the second sibling container in the first's (container:<name>); Docker has
  // no such mode for UTS. An IPC namespace joined brings the first's /dev/shm too.
  { kind: 'docker', settings: { joinSibling: ['pid'] } },
  { kind: 'docker', settings: { joinSibling: ['ipc'] } },
  { kind: 'docker', settings: { joinSibling: ['net'] } },
];
