/**
 * The syscalls a container must not reach, judged over the whole effective profile (issue 14),
 * and why each one is on the list. A call the filter lets run can still be held by the kernel: a
 * `gate` names the capability it demands. With `userns: false` that capability is checked in the
 * initial user namespace (capable(2)-style), so lacking it in the bounding set holds the call;
 * with `userns: true` the capability of the caller's own user namespace suffices, so the gate
 * holds only while the container cannot make a user namespace. Calls without a gate are reachable
 * as soon as a filter lets them run: an unfiltered one is the finding.
 */
import type { Abi } from './syscalls.js';
import { CLONE_NEW, loosest, numberOf, outcomeOf, reachOf, type Stack, verdictText } from './profile.js';

export interface Gate {
  cap: string;
  userns: boolean;
}
export interface DangerousCall {
  names: readonly string[];
  why: string;
  references: readonly string[];
  gate?: Gate;
  /** Only these argument cases (profile.ts ARG_CASES labels) are dangerous, each with its own gate. */
  cases?: Readonly<Record<string, Gate | null>>;
}

const SYS_ADMIN_NS: Gate = { cap: 'CAP_SYS_ADMIN', userns: true };
const nsFlagCases = (arg: string, flags: string[] = Object.keys(CLONE_NEW)): Record<string, Gate | null> =>
  Object.fromEntries(flags.map((f) => [`${arg}=${f}`, f === 'CLONE_NEWUSER' ? null : SYS_ADMIN_NS]));

export const DANGEROUS: readonly DangerousCall[] = [
  {
    names: ['keyctl', 'add_key', 'request_key'],
    why: 'the kernel keyrings are not namespaced: keys of the host and other containers',
    references: ['Docker default seccomp profile', 'CVE-2016-0728 (keyctl)'],
  },
  { names: ['bpf'], why: 'eBPF programs and maps in the host kernel', references: ['CVE-2021-3490', 'CVE-2022-23222'] },
  {
    names: ['open_by_handle_at'],
    why: 'opens any inode of a mounted filesystem by handle, past the mount namespace',
    references: ['CVE-2014-3519 (shocker)'],
    gate: { cap: 'CAP_DAC_READ_SEARCH', userns: false },
  },
  { names: ['kexec_load', 'kexec_file_load'], why: 'loads a new kernel', references: ['kexec_load(2)'], gate: { cap: 'CAP_SYS_BOOT', userns: false } },
  {
    names: ['init_module', 'finit_module', 'delete_module'],
    why: 'loads code into the host kernel',
    references: ['init_module(2)', 'CIS Docker 5.3'],
    gate: { cap: 'CAP_SYS_MODULE', userns: false },
  },
  {
    names: ['mount', 'umount2', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'mount_setattr', 'pivot_root'],
    why: 'changes the mount tree: filesystem parsers in the kernel, uncovering masked paths',
    references: ['CVE-2022-0185 (fsconfig)', 'CVE-2025-31133'],
    gate: SYS_ADMIN_NS,
  },
  {
    names: ['io_uring_setup', 'io_uring_enter', 'io_uring_register'],
    why: 'a second syscall interface the filter does not see, and a long list of kernel bugs',
    references: ['CVE-2023-2598', 'CVE-2022-29582'],
  },
  { names: ['perf_event_open'], why: 'kernel and other processes\u2019 performance data, a frequent exploit primitive', references: ['CVE-2023-6931'] },
  { names: ['userfaultfd'], why: 'stalls the kernel on a page fault: the race window of many exploits', references: ['CVE-2021-22555'] },
  {
    names: ['ptrace', 'process_vm_readv', 'process_vm_writev'],
    why: 'reads and writes other processes\u2019 memory',
    references: ['ptrace(2) "Ptrace access mode checking"', 'CVE-2019-13272'],
    gate: { cap: 'CAP_SYS_PTRACE', userns: false },
  },
  {
    names: ['unshare'],
    why: 'new namespaces: a user namespace gives every capability inside it and a door to kernel code written for root',
    references: ['CVE-2022-0185', 'CVE-2022-0492', 'user_namespaces(7)'],
    cases: nsFlagCases('flags'),
  },
  {
    names: ['clone'],
    why: 'new namespaces, as unshare (its low flag byte is the exit signal: no time namespace through clone)',
    references: ['CVE-2022-0185', 'user_namespaces(7)'],
    cases: nsFlagCases(
      'flags',
      Object.keys(CLONE_NEW).filter((f) => f !== 'CLONE_NEWTIME'),
    ),
  },
  {
    names: ['clone3'],
    why: 'clone with its flags in memory a classic filter cannot read: allowed, it creates any namespace clone would be refused',
    references: ['clone(2) clone3', 'Docker default seccomp profile (clone3: ENOSYS)'],
  },
  {
    names: ['setns'],
    // Entering a namespace takes CAP_SYS_ADMIN in the user namespace that owns it, a user namespace's own included.
    why: 'joins another namespace',
    references: ['setns(2)'],
    cases: Object.fromEntries(['nstype=0', ...Object.keys(CLONE_NEW).map((f) => `nstype=${f}`)].map((l) => [l, SYS_ADMIN_NS])),
  },
  { names: ['reboot'], why: 'reboots the host', references: ['reboot(2)'], gate: { cap: 'CAP_SYS_BOOT', userns: false } },
  { names: ['swapon', 'swapoff'], why: 'the host\u2019s swap', references: ['swapon(2)'], gate: { cap: 'CAP_SYS_ADMIN', userns: false } },
  {
    names: ['settimeofday', 'stime', 'clock_settime', 'clock_adjtime', 'adjtimex'],
    why: 'the host\u2019s clock (CLOCK_REALTIME is not namespaced)',
    references: ['time_namespaces(7)', 'CIS Docker 5.3'],
    gate: { cap: 'CAP_SYS_TIME', userns: false },
  },
  { names: ['acct'], why: 'process accounting of the host', references: ['acct(2)'], gate: { cap: 'CAP_SYS_PACCT', userns: false } },
  { names: ['syslog'], why: 'the kernel log: addresses that defeat KASLR', references: ['syslog(2)'], gate: { cap: 'CAP_SYSLOG', userns: false } },
  {
    names: ['quotactl', 'lookup_dcookie'],
    why: 'host filesystem quotas, kernel profiling cookies',
    references: ['quotactl(2)'],
    gate: { cap: 'CAP_SYS_ADMIN', userns: false },
  },
  { names: ['iopl', 'ioperm'], why: 'raw I/O ports of the host', references: ['ioperm(2)'], gate: { cap: 'CAP_SYS_RAWIO', userns: false } },
];

/** An identity map of every id is the initial user namespace's (user_namespaces(7), "/proc/[pid]/uid_map"). */
export function isInitialUidMap(uidMap: string | null): boolean {
  return uidMap === null || /^\s*0\s+0\s+4294967295\s*$/.test(uidMap);
}

/** Every name the list holds. */
export const DANGEROUS_NAMES: ReadonlySet<string> = new Set(DANGEROUS.flatMap((d) => d.names));

/** What a call of an ABI comes to: refused by the filter, held by a capability the container lacks, or reachable. */
export type Standing = 'refused' | 'held' | 'delegated' | 'reachable';
export interface DangerousFinding {
  name: string;
  abi: Abi;
  /** The argument case, for the calls dangerous only with some arguments. */
  case?: string;
  standing: Standing;
  /** The filter's verdict, and the gate when one holds. */
  detail: string;
}

export interface ContainerPrivilege {
  /** The bounding set (capability names): what the container's processes can ever hold. */
  bounding: ReadonlySet<string>;
  /** Whether the container can make a user namespace (then every `userns: true` gate is open). */
  canMakeUserNs: boolean;
  /**
   * Whether it runs in the initial user namespace: only there do its capabilities pass a
   * `userns: false` gate (the kernel checks those against the initial namespace).
   */
  initUserNs: boolean;
}

function standingOf(verdictRuns: ReturnType<typeof reachOf>, gate: Gate | null | undefined, p: ContainerPrivilege): { standing: Standing; held?: string } {
  if (verdictRuns === 'refused') return { standing: 'refused' };
  if (verdictRuns === 'delegated') return { standing: 'delegated' };
  if (gate && !gate.userns && !p.initUserNs) return { standing: 'held', held: `${gate.cap} in the initial user namespace` };
  if (gate && !p.bounding.has(gate.cap) && !(gate.userns && p.canMakeUserNs)) return { standing: 'held', held: gate.cap };
  return { standing: 'reachable' };
}

/** Every dangerous call of an ABI (those the ABI has), judged through the stack. */
export function judgeDangerous(stack: Stack, abi: Abi, p: ContainerPrivilege): DangerousFinding[] {
  const out: DangerousFinding[] = [];
  for (const d of DANGEROUS) {
    for (const name of d.names) {
      const nr = numberOf(abi, name);
      if (nr === undefined) continue;
      const o = outcomeOf(stack, abi, nr, name);
      if (d.cases) {
        for (const [label, gate] of Object.entries(d.cases)) {
          const v = o.cases?.find((c) => c.label === label)?.verdict ?? o.verdict;
          const s = standingOf(reachOf(v), gate, p);
          out.push({ name, abi, case: label, standing: s.standing, detail: verdictText(v) + (s.held ? `, held: no ${s.held}` : '') });
        }
        continue;
      }
      const v = loosest(o);
      const s = standingOf(reachOf(v), d.gate, p);
      out.push({
        name,
        abi,
        standing: s.standing,
        detail: (o.cases ? `conditional, loosest ${verdictText(v)}` : verdictText(v)) + (s.held ? `, held: no ${s.held}` : ''),
      });
    }
  }
  return out;
}

/** Whether the stack lets a user namespace be made (unshare or clone with CLONE_NEWUSER, or clone3). */
export function filterLetsUserNs(stack: Stack, abi: Abi = 'x86_64'): boolean {
  const runsWith = (name: string, label?: string) => {
    const nr = numberOf(abi, name);
    if (nr === undefined) return false;
    const o = outcomeOf(stack, abi, nr, name);
    const v = (label && o.cases?.find((c) => c.label === label)?.verdict) || o.verdict;
    return reachOf(v) === 'runs';
  };
  return runsWith('unshare', 'flags=CLONE_NEWUSER') || runsWith('clone', 'flags=CLONE_NEWUSER') || runsWith('clone3');
}
