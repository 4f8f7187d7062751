/**
 * The probe's `facts` document (contract: probes/README.md), validated before any check reads it.
 * A target whose probe printed nothing, junk, half a document or another schema version is a
 * broken target (FactsError → the target's checks are 'error'), never a verdict on isolation.
 *
 * Unknown extra fields are accepted (and dropped), so a newer probe can add observations
 * without breaking an older harness; a change of meaning bumps `schema`.
 */
import { z } from 'zod';
import { fieldPath } from './errors.js';

export const FACTS_SCHEMA_VERSION = 1;

/** 0 on success, otherwise the errno of the failed call. */
const errno = z.number().int().nonnegative();
const nsLink = z.object({ link: z.string().nullable(), errno });
const rawFile = z.object({ text: z.string(), errno, truncated: z.boolean() });
/** An attempt the probe may refuse: only in a namespace whose inode differs from the host's. */
const refusal = z.enum(['shared-with-host', 'host-ns-unknown', 'own-ns-unknown']).nullable();

const sentinels = z.object({
  tcp: z.object({ target: z.string(), errno }).optional(),
  abstract: z.object({ target: z.string(), errno }).optional(),
  shm: z.object({ key: z.number().int(), errno }).optional(),
  msg: z.object({ key: z.number().int(), errno }).optional(),
  sem: z.object({ key: z.number().int(), errno }).optional(),
  mq: z.object({ name: z.string(), errno }).optional(),
  markers: z.array(z.object({ path: z.string(), errno })).optional(),
  kill: z.object({ pid: z.number().int(), errno }).optional(),
  sentinel_argv: z.object({ needle: z.string(), found: z.boolean(), scanned: z.number().int().nonnegative() }).optional(),
  bind_port: z.object({ port: z.number().int(), errno }).optional(),
  set_hostname: z.object({ name: z.string(), errno, refused: refusal }).optional(),
  mount: z.object({ nonce: z.string(), errno, refused: refusal }).optional(),
  create_file: z.object({ path: z.string(), errno }).optional(),
  chroot_escape: z
    .object({
      attempted: z.boolean(),
      errno,
      escaped: z.boolean(),
      markers_seen: z.array(z.string()),
    })
    .optional(),
});

/** A stat of a masked or read-only path (probes/README.md, "security"). */
const pathStat = z.object({
  path: z.string(),
  errno,
  mode: z.number().int().optional(),
  rdev: z.string().optional(),
  fs_type: z.number().int().optional(),
  rdonly: z.number().int().optional(),
  entries: z.number().int().optional(),
});
/** How far a throwaway-namespace experiment got, and the errno that stopped it. */
const stage = z.object({ stage: z.number().int(), errno });
const tristate = z.union([z.literal(-1), z.literal(0), z.literal(1)]);

const security = z.object({
  syscalls: z.object({
    keyctl: errno,
    add_key: errno,
    bpf: errno,
    open_by_handle_at: errno,
    kexec_load: errno,
    init_module: errno,
    mount: errno,
    umount2: errno,
    swapon: errno,
    reboot: errno,
    io_uring_setup: errno,
    perf_event_open: errno,
    unshare_user: errno,
    ptrace_attach: errno,
  }),
  mknod_block: z.object({ path: z.string(), errno, open_errno: z.number().int(), refused: refusal }),
  masked: z.array(pathStat),
  readonly: z.array(pathStat),
  sysctl_write: z.object({ path: z.string(), errno }),
  sys: z.object({ access_errno: errno, rdonly: tristate }),
  devices: z.object({ host: z.array(z.object({ path: z.string(), errno })), block: z.array(z.string()), dev_errno: errno }),
  runtime_sockets: z.array(z.object({ path: z.string(), exists: z.boolean(), connect_errno: errno })),
  fds: z.array(z.object({ fd: z.number().int(), target: z.string(), inside_root: tristate })),
  fds_errno: errno,
  cwd: z.object({ path: z.string().nullable(), errno, inside_root: tristate }),
  release_agent: stage,
  release_agent_in_place: stage,
  userns_fsopen: stage,
});

/** probes/cgroupfs.c: the cgroup mounts inside, and a child's attempt to leave its cgroup. */
const cgroupfs = z.object({
  mountinfo_errno: errno,
  /** The writes are made only where the mount or the cgroup namespace is not the host's. */
  refused: refusal,
  mounts: z.array(
    z.object({
      mount_point: z.string(),
      root: z.string(),
      fs_type: z.enum(['cgroup', 'cgroup2']),
      super_options: z.string(),
      /** -1: not attempted (refused). */
      ro_option: z.boolean(),
      rdonly: tristate,
      mkdir_errno: z.number().int().min(-1),
      rmdir_errno: z.number().int().min(-1),
    }),
  ),
});
const cgroupLeave = z.object({
  errno,
  refused: refusal,
  before: z.string(),
  after: z.string(),
  attempts: z.array(z.object({ path: z.string(), own: z.boolean(), errno })),
});

/** probes/agent.c: the sandbox profile's decoys as the workload met them (absent without --agent). */
const agent = z.object({
  secret_files: z.array(z.object({ path: z.string(), errno, bytes: z.number().int().nonnegative(), match: z.boolean() })),
  host_socket: z.object({ path: z.string(), errno }).optional(),
  egress: z.object({ target: z.string(), errno, greeting: z.string(), ms: z.number().int() }).optional(),
  write_outside: z.object({ path: z.string(), errno, removed: z.boolean() }).optional(),
  write_inside: z.object({ path: z.string(), errno, removed: z.boolean() }).optional(),
  /** Names only: the probe never prints a value. */
  env_secret_names: z.array(z.string()),
  env_scanned: z.number().int().nonnegative(),
  landlock: z.object({ abi: z.number().int().nonnegative(), errno }),
});

export const FactsSchema = z.object({
  schema: z.literal(FACTS_SCHEMA_VERSION),
  kind: z.literal('facts'),
  pid: z.number().int(),
  ppid: z.number().int(),
  /** Self, then each parent up to the one whose parent is 0 (its pid namespace's init); absent from probes before it. */
  ancestry: z.array(z.object({ pid: z.number().int(), errno, ppid: z.number().int().optional(), comm: z.string().optional() })).optional(),
  uid: z.number().int(),
  gid: z.number().int(),
  euid: z.number().int(),
  ns: z.object({
    pid: nsLink,
    mnt: nsLink,
    net: nsLink,
    uts: nsLink,
    ipc: nsLink,
    user: nsLink,
    time: nsLink,
    cgroup: nsLink,
  }),
  ns_for_children: z.object({ pid: nsLink, time: nsLink }),
  hostname: z.string().nullable(),
  proc_pids: z.array(z.number().int().positive()),
  proc_errno: errno.optional(),
  proc_self_stat_ok: z.boolean(),
  files: z.object({
    uid_map: rawFile,
    gid_map: rawFile,
    setgroups: rawFile,
    status: rawFile,
    mountinfo: rawFile,
    cgroup: rawFile,
    timens_offsets: rawFile,
    uptime: rawFile,
    proc_mounts: rawFile,
    /** Absent from probes older than the LSM label; security.lsm-confined then errors as "not observed". */
    attr_current: rawFile.optional(),
    apparmor_current: rawFile.optional(),
    /** /proc/self/limits and /proc/sys/kernel/cap_last_cap; absent from probes older than the conformance area. */
    limits: rawFile.optional(),
    cap_last_cap: rawFile.optional(),
  }),
  interfaces: z.array(
    z.object({
      name: z.string(),
      index: z.number().int(),
      flags: z.number().int(),
      addrs: z.array(z.string()),
    }),
  ),
  interfaces_errno: errno.optional(),
  /** Seconds. The probe prints null for a clock it cannot read, which fails validation here. */
  clocks: z.object({ realtime: z.number(), monotonic: z.number(), boottime: z.number() }),
  root: z.object({
    dev: z.number().int(),
    ino: z.number().int(),
    parent_dev: z.number().int(),
    parent_ino: z.number().int(),
    errno: errno.optional(),
  }),
  sentinels,
  /** Absent from probes older than the security area; its checks then fail as "not observed". */
  security: security.optional(),
  /** Absent from probes older than the cgroupfs facts; their checks then fail as "not observed". */
  cgroupfs: cgroupfs.optional(),
  agent: agent.optional(),
  cgroup_leave: cgroupLeave.optional(),
  /**
   * What the runtime was asked for beyond the probe's fixed lists (--sysctl, --path): each sysctl's
   * value as read inside, each path's stat. Absent from probes older than the conformance area.
   */
  requested: z
    .object({
      sysctls: z.array(z.object({ name: z.string(), text: z.string(), errno })),
      paths: z.array(pathStat),
    })
    .optional(),
});

export type ProbeFacts = z.infer<typeof FactsSchema>;
export type FactsSentinels = ProbeFacts['sentinels'];
export type SecurityFacts = NonNullable<ProbeFacts['security']>;
export type AgentFacts = NonNullable<ProbeFacts['agent']>;
export type CgroupfsFacts = NonNullable<ProbeFacts['cgroupfs']>;
export type CgroupLeaveFacts = NonNullable<ProbeFacts['cgroup_leave']>;
export type RequestedFacts = NonNullable<ProbeFacts['requested']>;
export type PathStat = SecurityFacts['masked'][number];
export type RawFile = NonNullable<ProbeFacts['files'][keyof ProbeFacts['files']]>;

/**
 * Shown in reports but never compared by verdicts or baselines: they differ on every run
 * (inode numbers are even reused once a namespace is freed), so a diff on them means nothing.
 */
export const INFORMATIONAL_FIELDS: readonly string[] = [
  'pid',
  'ppid',
  'ancestry',
  'ns.*.link',
  'ns_for_children.*.link',
  'proc_pids',
  'clocks.*',
  'root.dev',
  'root.ino',
  'root.parent_dev',
  'root.parent_ino',
  'interfaces[].index',
  'interfaces[].flags',
  'files.*.text',
  'sentinels.sentinel_argv.scanned',
];

export class FactsError extends Error {
  readonly code = 'EFACTS';
}

/** Validates the probe's stdout; every failure is one line that says what was wrong and where. */
export function parseFacts(stdout: string): ProbeFacts {
  const doc = parseJson(stdout);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new FactsError(`probe output is JSON but not an object: ${excerpt(stdout.trim())}`);
  }
  const { schema, kind } = doc as Record<string, unknown>;
  if (schema !== FACTS_SCHEMA_VERSION) {
    throw new FactsError(
      `probe facts schema version ${JSON.stringify(schema)} is not supported (expected ${FACTS_SCHEMA_VERSION}): probe and harness are from different builds`,
    );
  }
  if (kind !== 'facts') throw new FactsError(`probe output is not a facts document (kind ${JSON.stringify(kind)})`);
  const result = FactsSchema.safeParse(doc);
  if (!result.success) {
    const [first, ...rest] = result.error.issues;
    const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
    throw new FactsError(`probe facts field ${fieldPath(first!.path)}: ${oneLine(first!.message)}${more}`);
  }
  return result.data;
}

function parseJson(stdout: string): unknown {
  const text = stdout.trim();
  if (text === '') throw new FactsError('probe printed nothing on stdout (expected one facts JSON document)');
  try {
    return JSON.parse(text);
  } catch {
    // The probe prints a complete document or nothing; a cut one means the pipe or the probe died.
    if (text.startsWith('{') && !text.endsWith('}')) {
      throw new FactsError(`probe output is truncated JSON (${text.length} characters, ends with ${excerpt(text.slice(-40))})`);
    }
    throw new FactsError(`probe output is not JSON: ${excerpt(text)}`);
  }
}

function excerpt(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
