/** /proc/<pid>/status: capability sets, seccomp mode, no_new_privs, ids (proc(5)). */
import { ParseError } from './lines.js';

export interface ProcStatus {
  capInh: bigint;
  capPrm: bigint;
  capEff: bigint;
  capBnd: bigint;
  capAmb: bigint;
  /** 0 disabled, 1 strict, 2 filter; null when the kernel has no seccomp. */
  seccomp: number | null;
  noNewPrivs: boolean | null;
  /** Real, effective, saved, filesystem. */
  uids: number[];
  gids: number[];
  /** Supplementary groups. */
  groups: number[];
  /** The pid in each nested pid namespace, outermost first (NSpid). */
  nsPids: number[];
}

/** capabilities(7), bit numbers 0..40 (linux/capability.h, up to CAP_CHECKPOINT_RESTORE). */
export const CAP_NAMES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** Names of the bits set in a mask, lowest first; bits newer than this list show as "CAP_<n>". */
export function capNames(mask: bigint): string[] {
  const names: string[] = [];
  for (let bit = 0; mask >> BigInt(bit) !== 0n; bit++) {
    if ((mask >> BigInt(bit)) & 1n) names.push(CAP_NAMES[bit] ?? `CAP_${bit}`);
  }
  return names;
}

/** The bit number of a capability name ("CAP_SYS_ADMIN" or "sys_admin"), or -1. */
export function capBit(name: string): number {
  const upper = name.toUpperCase();
  return CAP_NAMES.indexOf(upper.startsWith('CAP_') ? upper : `CAP_${upper}`);
}

export function parseStatus(text: string): ProcStatus {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const cap = (name: string): bigint => {
    const v = fields.get(name);
    if (v === undefined || !/^[0-9a-fA-F]{1,16}$/.test(v))
      throw new ParseError(`status: ${name} ${v === undefined ? 'missing' : `is not a hex mask: ${JSON.stringify(v)}`}`);
    return BigInt(`0x${v}`);
  };
  const num = (name: string): number | null => {
    const v = fields.get(name);
    if (v === undefined) return null;
    if (!/^\d+$/.test(v)) throw new ParseError(`status: ${name} is not a number: ${JSON.stringify(v)}`);
    return Number(v);
  };
  const list = (name: string): number[] => (fields.get(name) ?? '').split(/\s+/).filter(Boolean).map(Number);
  const nnp = num('NoNewPrivs');
  return {
    capInh: cap('CapInh'),
    capPrm: cap('CapPrm'),
    capEff: cap('CapEff'),
    capBnd: cap('CapBnd'),
    // CapAmb exists since Linux 4.3; older kernels have no ambient set at all.
    capAmb: fields.has('CapAmb') ? cap('CapAmb') : 0n,
    seccomp: num('Seccomp'),
    noNewPrivs: nnp === null ? null : nnp !== 0,
    uids: list('Uid'),
    gids: list('Gid'),
    groups: list('Groups'),
    nsPids: list('NSpid'),
  };
}
