/**
 * What a run's journal says it made (host/journal.ts writes it, host/reap.ts reads it): one value
 * per resource, recorded at its birth with what identifies it beyond its name, so that a reaper
 * can tell it is still the same thing (a process's start time, a mount's id, a container's label)
 * before removing it. `kind` is a driver's kind (docker, oci, bwrap) for what that driver removes;
 * the rest are the host's.
 */
export type Resource =
  /** `start`: field 22 of /proc/<pid>/stat (clock ticks since boot), which a reused pid does not share. */
  | { kind: 'process'; pid: number; start: string; what: string }
  /**
   * `id` absent: made inside a container that may have had the host's IPC namespace (a sibling
   * probe), so only its key is known, chosen by the run (IPC_KEY_PREFIX and random bits).
   */
  | { kind: 'sysv'; type: 'shm' | 'msg' | 'sem'; id?: number; key: number }
  | { kind: 'mq'; name: string }
  /** A file whose whole content is `content` (the sentinels' markers). */
  | { kind: 'file'; path: string; content: string }
  | { kind: 'mount'; point: string; mountId: number }
  /** Mounts a probe may leak to the host (through shared propagation): source isoprobe-<run id>… */
  | { kind: 'probe-mounts'; source: string }
  /** Cgroups the probe's cgroupfs test makes at each hierarchy's root: <prefix>… */
  | { kind: 'probe-cgroups'; prefix: string }
  /** `shared`: the parent all runs' cgroups go in (…/isoprobe): only removed once empty, nothing in it killed. */
  | { kind: 'cgroup'; path: string; shared?: true }
  | { kind: 'dir'; path: string }
  /** A listening unix socket's file (the sandbox profile's decoy, host/decoys.ts): removed if still a socket. */
  | { kind: 'socket'; path: string }
  /** A named network namespace (/run/netns/<name>, `ip netns add`) and a host-side interface (`ip link add`). */
  | { kind: 'netns'; name: string }
  | { kind: 'link'; name: string }
  /** A Docker container, by name, labelled isoprobe.run=<run>: only one with that label is ours. */
  | { kind: 'docker'; name: string; run: string }
  | { kind: 'oci'; binary: string; id: string; cgroupsPath: string }
  /** A runsc container in isoprobe's own state root (`runsc --root`), so no other runsc user's is ever listed. */
  | { kind: 'gvisor'; binary: string; root: string; id: string; cgroupsPath: string }
  /** A bwrap process (its own process group) and the run directory its command line names. */
  | { kind: 'bwrap'; pid: number; start: string; runDir: string }
  /** A firejail process (its own process group) and the run directory its command line names. */
  | { kind: 'firejail'; pid: number; start: string; runDir: string }
  /**
   * A systemd-nspawn process (its own process group), the run directory its command line names, and
   * the machine name it was given (so a leftover registration or lock can be told apart as ours).
   */
  | { kind: 'nspawn'; pid: number; start: string; runDir: string; machine: string }
  /** An LXC container in isoprobe's own lxcpath (`lxc-* -P`), so no other LXC user's container is ever touched; `pid`/`start`: its lxc-execute/lxc-start. */
  | { kind: 'lxc'; lxcpath: string; name: string; pid?: number; start?: string }
  /** A user's wrapper command (the `command` target): its process group, run directory, and the nonce in the probe's argv. */
  | { kind: 'command'; pid: number; start: string; runDir: string; nonce: string }
  /**
   * A CRI runtime's share of a run: with `dir`, the containerd isoprobe started (its config, root,
   * state, socket and CNI config in that directory; `pid` and `start` identify the daemon); without,
   * the pod sandboxes labelled isoprobe.run=<run> at a runtime the user named.
   */
  | { kind: 'cri'; run: string; endpoint?: string; dir?: string; pid?: number; start?: string }
  /**
   * A Podman service isoprobe starts (targets/podman/service.ts): `base` holds its socket, config,
   * storage and runroot, and `base`/service.json its process once started; `user` runs it rootless.
   * Its containers are in that storage: a container's entry is removed with its service's.
   */
  | { kind: 'podman'; what: 'service'; base: string; user?: string }
  | { kind: 'podman'; what: 'container'; name: string; run: string; base: string };

/** The kinds removed by a driver's clean() rather than by the host's reaper. */
export const DRIVER_KINDS = ['docker', 'oci', 'bwrap', 'podman', 'cri', 'gvisor', 'firejail', 'nspawn', 'lxc', 'command'] as const;

/** One line of a journal: a resource made, or (`done`) the one with that seq removed by its run. */
export type JournalLine = { seq: number; res: Resource } | { done: number } | { run: string; pid: number; start: string };

export function describeResource(r: Resource): string {
  switch (r.kind) {
    case 'process':
      return `${r.what} ${r.pid}`;
    case 'sysv':
      return `sysv ${r.type} key=0x${(r.key >>> 0).toString(16)}${r.id === undefined ? '' : ` id=${r.id}`}`;
    case 'mq':
      return `mq ${r.name}`;
    case 'file':
      return `file ${r.path}`;
    case 'mount':
      return `mount ${r.point} (id ${r.mountId})`;
    case 'probe-mounts':
      return `mounts from ${r.source}*`;
    case 'probe-cgroups':
      return `cgroups ${r.prefix}*`;
    case 'cgroup':
      return `cgroup ${r.path}`;
    case 'dir':
      return r.path;
    case 'socket':
      return `socket ${r.path}`;
    case 'netns':
      return `netns ${r.name}`;
    case 'link':
      return `link ${r.name}`;
    case 'docker':
      return r.name;
    case 'oci':
      return `${r.binary} ${r.id}`;
    case 'bwrap':
      return `bwrap ${r.pid}`;
    case 'firejail':
      return `firejail ${r.pid}`;
    case 'nspawn':
      return `systemd-nspawn ${r.pid} (machine ${r.machine})`;
    case 'lxc':
      return `lxc ${r.name} (lxcpath ${r.lxcpath})`;
    case 'command':
      return `wrapper command ${r.pid} (nonce ${r.nonce})`;
    case 'cri':
      return r.dir ? `containerd ${r.pid} (${r.dir})` : `pod sandboxes of run ${r.run} at ${r.endpoint}`;
    case 'gvisor':
      return `runsc ${r.id} (root ${r.root})`;
    case 'podman':
      return r.what === 'service' ? `podman service ${r.base}${r.user ? ` (as ${r.user})` : ''}` : r.name;
  }
}
