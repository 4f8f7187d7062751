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
  /** The sandbox profile's decoys (host/decoys.ts), armed only under --profile sandbox. */
  decoys?: Decoys;
}

/** What host/decoys.ts planted for the agent checks (checks/agent.ts). */
export interface Decoys {
  /** /var/tmp/isoprobe-decoy-<nonce>: home/.ssh/id_ed25519, home/.aws/credentials (0600), outside/ (0777). */
  dir: string;
  secrets: { path: string; fnv: string }[];
  outside: string;
  socket: string;
  /** The netns "outside world": its name and the TCP listener on its side of the veth pair. */
  netns: string;
  egress: { host: string; port: number };
  /** Secret-shaped variables planted in the wrapper's environment (ContainerSpec.env). */
  env: Record<string, string>;
}

/** The decoys as sentinel kinds: one not live for the whole probe errors the agent checks naming it. */
export const DECOY_KINDS = ['decoy-secrets', 'decoy-outside', 'decoy-socket', 'decoy-egress'] as const;
export type DecoyKind = (typeof DECOY_KINDS)[number];

/**
 * Each sentinel by kind: what a check names when it reads one (CheckDefinition.sentinels), so that
 * a sentinel which vanished during a probe errors exactly the checks that read it.
 */
export const SENTINEL_KINDS = ['tcp', 'abstract', 'sysv-shm', 'sysv-msg', 'sysv-sem', 'posix-mq', 'marker-root', 'marker-shm', 'process'] as const;
export type SentinelKind = (typeof SENTINEL_KINDS)[number] | DecoyKind;

/**
 * The host's verification of each sentinel at one moment: what identifies the live object (a SysV
 * id, a process start time, a marker's inode), or why it is not live. Two verifications that show
 * the same identity bracket a window in which it stayed the same object.
 */
export type SentinelStates = Record<(typeof SENTINEL_KINDS)[number], SentinelState> & Partial<Record<DecoyKind, SentinelState>>;
export type SentinelState = { identity: string } | { problem: string };

/**
 * The sentinels that were not live for the whole window between two verifications, each with
 * why (gone at the end, or replaced by another object under the same name).
 */
export function vanishedBetween(before: SentinelStates, after: SentinelStates): Partial<Record<SentinelKind, string>> {
  const out: Partial<Record<SentinelKind, string>> = {};
  for (const k of [...SENTINEL_KINDS, ...DECOY_KINDS]) {
    const [b, a] = [before[k], after[k]];
    // A decoy not armed (another profile) is verified neither time; its checks skip on their own.
    if (b === undefined && a === undefined) continue;
    if (b === undefined || a === undefined) {
      out[k] = `verified ${b === undefined ? 'after' : 'before'} the probe only`;
      continue;
    }
    if ('problem' in b) out[k] = `not live before the probe: ${b.problem}`;
    else if ('problem' in a) out[k] = `gone after the probe: ${a.problem}`;
    else if (a.identity !== b.identity) out[k] = `replaced during the probe (${b.identity} before, ${a.identity} after)`;
  }
  return out;
}
