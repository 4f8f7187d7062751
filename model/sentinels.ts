/** The host sentinels a run armed, as data: what the probe looks for and the checks compare with (host/sentinels.ts arms them). */
export interface Sentinels {
  nonce: string;
  tcpPort: number;
  /** Abstract unix socket name without the leading NUL. */
  abstractName: string;
  shmKey: number;
  msgKey: number;
  semKey: number;
  mqName: string;
  /**
   * Host marker files: one on the host's root filesystem (/tmp), which only a container whose root
   * is the host's can see, and one in the host's /dev/shm, which a container sharing the host's IPC
   * resources (Docker --ipc=host binds it) sees without any other weakness.
   */
  markers: { root: string; shm: string };
  sentinelPid: number;
  /** The needle the probe looks for in /proc/<pid>/cmdline: the sentinel's argv[0]. */
  sentinelArgv: string;
}
