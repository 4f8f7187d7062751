/**
 * The host's view of a sandbox whose workload is not a host process (gVisor): the processes that
 * do run on the host on its behalf (the Sentry, `sandbox`, which runs the workload's system calls,
 * and the `gofer`, which serves its files), each as the host sees it. Namespace links are the
 * host's ids, comparable with the reference; nothing here is read from inside the sandbox.
 */
export interface SandboxProcess {
  role: 'sandbox' | 'gofer';
  pid: number;
  /** By namespace type (model/spec.ts Namespace; not imported: spec.ts imports this file): readlink of /proc/<pid>/ns/<type>, "net:[4026532256]"; null if unreadable. */
  ns: Record<string, string | null>;
  /** Real, effective, saved, fs uid as the host sees them (Uid: of /proc/<pid>/status). */
  uids: number[];
  /** Effective capabilities by name (CAP_…), sorted. */
  capEff: string[];
  noNewPrivs: boolean | null;
  /** 0 none, 1 strict, 2 filter; null if the kernel does not say. */
  seccomp: number | null;
  uidMap: string | null;
  procCgroup: string | null;
}

export interface SandboxFacts {
  /** The sandbox process first; the gofer when the host found one. */
  processes: SandboxProcess[];
  /** Host cgroup directories of the sandbox process, and the limits read back there. */
  cgroup: { paths: string[]; limits: Record<string, string> };
}
