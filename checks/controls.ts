/**
 * The negative controls the checks name, as data (model/weakening.ts): target config fields that
 * turn one isolation off. The weakenings each target kind's tests run are listed in its folder
 * (targets/<kind>/weakenings.ts); test/checks/controls.test.ts holds every control named here to
 * one of them, by value, unless it `requires` what isoprobe cannot create.
 */
import type { Namespace } from '../model/spec.js';
import type { Weakening } from '../model/weakening.js';

export function builtin(settings: Record<string, unknown>, note?: string): Weakening {
  return { kind: 'builtin', settings, ...(note ? { note } : {}) };
}

export function share(ns: Namespace, note?: string): Weakening {
  return builtin({ share: [ns] }, note);
}

/** Raw HostConfig fields of a docker target. */
export function docker(hostConfig: Record<string, unknown>, note?: string): Weakening {
  return { kind: 'docker', settings: { hostConfig }, ...(note ? { note } : {}) };
}

/** Raw HostConfig fields of a podman target (its compat API spells them as Docker's Engine API). */
export function podman(hostConfig: Record<string, unknown>, note?: string): Weakening {
  return { kind: 'podman', settings: { hostConfig }, ...(note ? { note } : {}) };
}

/** The same HostConfig weakening for both engines that take it: Docker's and Podman's. */
export function engines(hostConfig: Record<string, unknown>, note?: string): Weakening[] {
  return [docker(hostConfig, note), podman(hostConfig, note)];
}

/** The nearest to Docker's --privileged this host allows (test/integration/negative-controls.ts). */
export const BUILTIN_PRIVILEGED = builtin({ share: ['user', 'cgroup'], caps: 'all', seccomp: 'none', noNewPrivs: false, cgroupfs: 'rw' }, 'privileged');
export const DOCKER_PRIVILEGED = docker({ Privileged: true });
/** Limits as `docker run` sends them without --pids-limit / --memory / --cpus: zero, no limit. */
export const DOCKER_NO_PIDS_LIMIT = docker({ PidsLimit: 0 });
export const DOCKER_NO_MEMORY = docker({ Memory: 0, MemorySwap: 0 });
export const DOCKER_NO_CPUS = docker({ NanoCpus: 0 });
export const DOCKER_NO_LIMITS = docker({ PidsLimit: 0, Memory: 0, MemorySwap: 0, NanoCpus: 0 });
export const DOCKER_SECCOMP_UNCONFINED = docker({ SecurityOpt: ['seccomp=unconfined'] });
/** What the CLI sends for --security-opt systempaths=unconfined. */
export const DOCKER_SYSTEMPATHS_UNCONFINED = docker({ MaskedPaths: [], ReadonlyPaths: [] }, 'systempaths=unconfined');

/** CAP_SYS_ADMIN over the host's user namespace, in the host's cgroup namespace: the release_agent escape's setting. */
export const SYS_ADMIN_IN_HOST_CGROUPNS = docker({ CapAdd: ['SYS_ADMIN'], CgroupnsMode: 'host' });

export const PODMAN_PRIVILEGED = podman({ Privileged: true });
export const PODMAN_NO_PIDS_LIMIT = podman({ PidsLimit: 0 });
export const PODMAN_NO_MEMORY = podman({ Memory: 0, MemorySwap: 0 });
export const PODMAN_NO_CPUS = podman({ NanoCpus: 0 });
export const PODMAN_SECCOMP_UNCONFINED = podman({ SecurityOpt: ['seccomp=unconfined'] });
/** Podman's own --security-opt unmask=ALL (its compat API ignores MaskedPaths and ReadonlyPaths). */
export const PODMAN_UNMASK_ALL = podman({ SecurityOpt: ['unmask=ALL'] });

/** A capability added: on Docker, and on Podman. */
export function capAdd(cap: string): Weakening {
  return docker({ CapAdd: [cap] });
}
export function capAdds(cap: string): Weakening[] {
  return engines({ CapAdd: [cap] });
}

/**
 * Podman 4.3 ignores CgroupnsMode, and on cgroup v1 its containers are in the host's cgroup
 * namespace: CAP_SYS_ADMIN alone is the release_agent escape's setting there (on cgroup v2 its
 * default cgroup namespace is private).
 */
export const PODMAN_SYS_ADMIN_V1 = onCgroupV1(podman({ CapAdd: ['SYS_ADMIN'] }));

/** Flips the check only where a cgroup v1 hierarchy exists. */
export function onCgroupV1(w: Weakening): Weakening {
  return { ...w, flipsOnlyWith: 'cgroup-v1' };
}

/** runsc's own flags of a gvisor target (targets/gvisor/weakenings.ts). */
export function gvisor(...flags: string[]): Weakening {
  return { kind: 'gvisor', settings: { flags } };
}

/** runsc --network=host, which 20221219 runs only without a user namespace in config.json (targets/gvisor/weakenings.ts). */
export const GVISOR_HOST_NETWORK: Weakening = {
  kind: 'gvisor',
  settings: {
    flags: ['--network=host'],
    specPatch: { linux: { namespaces: ['pid', 'mount', 'uts', 'ipc', 'time', 'cgroup'].map((type) => ({ type })), uidMappings: null, gidMappings: null } },
  },
};

/**
 * firejail with none of server.profile's seccomp filters (targets/firejail/weakenings.ts): where
 * its default capability filter keeps CAP_SYS_PTRACE, and its restrict-namespaces filter is what
 * stops unshare(CLONE_NEWUSER) in the host's user and cgroup namespaces, the filters alone refuse
 * what the checks naming it look for.
 */
export const FIREJAIL_SECCOMP_NONE: Weakening = { kind: 'firejail', settings: { seccomp: 'none' } };

/**
 * LXC keeping the host's cgroup namespace (`lxc.namespace.keep = user cgroup`, targets/lxc/): in the
 * host's user namespace with CAP_SYS_ADMIN, common.conf's `lxc.mount.auto = cgroup:mixed` then
 * gives the container the host's v1 hierarchies writable, release_agent with them (measured with
 * lxc 5.0.2 on a hybrid host; on a pure cgroup v2 host not measured, so not claimed there).
 */
export const LXC_KEEP_CGROUP_V1: Weakening = onCgroupV1({ kind: 'lxc', settings: { share: ['cgroup'] } });

/** The sandbox profile's bwrap controls (model/sandbox-controls.ts). */
export * from '../model/sandbox-controls.js';
