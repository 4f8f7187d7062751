/**
 * Container-to-container isolation: the contract of `probe sibling` (probes/README.md), its
 * command line from the names the engine chose for a pair of siblings, and the evidence a pair
 * gives the cross checks (checks/cross.ts). Running the pair is the engine's (engine/cross.ts).
 */
import { z } from 'zod';
import type { NsOwnership } from './spec.js';
import type { Request } from './request.js';
import { PROBE_PATH, SCRATCH_DIR } from './target.js';

/** The namespaces a second sibling can be told to join (the negative controls' "joinSibling"). */
export const SIBLING_NAMESPACES = ['pid', 'ipc', 'net', 'uts'] as const;
export type SiblingNamespace = (typeof SIBLING_NAMESPACES)[number];

/** What each sibling arms for the other, in the probe's order (probes/sibling.h). */
export const SIBLING_SENTINELS = ['tcp', 'any', 'abstract', 'shm', 'msg', 'sem', 'mq', 'marker', 'process', 'hostname'] as const;
export type SiblingSentinel = (typeof SIBLING_SENTINELS)[number];

/** One sibling's names, chosen by the engine; the nonce is what its listeners greet with. */
export interface SiblingNames {
  nonce: string;
  tcpPort: number;
  anyPort: number;
  abstract: string;
  shmKey: number;
  msgKey: number;
  semKey: number;
  mq: string;
  marker: string;
  argv: string;
}

const errno = z.number().int();
const state = z.object({ errno, id: z.string() });
const states = z.object(Object.fromEntries(SIBLING_SENTINELS.map((k) => [k, state])) as Record<SiblingSentinel, typeof state>);
const connect = z.object({ target: z.string(), errno, greeted: z.boolean() });

export const SiblingDocSchema = z.object({
  schema: z.literal(1),
  kind: z.literal('sibling'),
  nonce: z.string(),
  armed: states,
  hostname: z.string(),
  addrs: z.array(z.string()),
  look: z
    .object({
      tcp: connect,
      abstract: connect,
      shm: z.object({ key: z.number().int(), errno }),
      msg: z.object({ key: z.number().int(), errno }),
      sem: z.object({ key: z.number().int(), errno }),
      mq: z.object({ name: z.string(), errno }),
      marker: z.object({ path: z.string(), errno }),
      process: z.object({ needle: z.string(), found_pid: z.number().int(), scanned: z.number().int(), errno, kill_errno: errno }),
      hostname: z.object({ ours: z.string(), peer: z.string() }),
      addrs: z.array(z.object({ addr: z.string(), errno, greeted: z.boolean() })),
    })
    .optional(),
  held: states,
  /** done: looked, and held until the host said both had looked; otherwise the step it stopped at. */
  phase: z.enum(['done', 'no-peer', 'no-end', 'armed-not-written', 'looked-not-written']),
  errno,
});
export type SiblingDoc = z.infer<typeof SiblingDocSchema>;

/** One sibling as the cross checks read it. */
export interface SiblingRun {
  names: SiblingNames;
  /** Its hostname as the runtime was asked for it (absent: the runtime's, or the first sibling's when joined). */
  doc?: SiblingDoc;
  /** Why there is no trustworthy document: the container or the exchange failed. */
  error?: string;
  hostPid: number;
  /** Its namespaces as the host saw them before the probe ran. */
  observedNs: Partial<Record<string, NsOwnership>>;
}

export interface SiblingsEvidence {
  /** The namespaces the second sibling was told to join (the target's joinSibling; [] for none). */
  joined: SiblingNamespace[];
  first: SiblingRun;
  second: SiblingRun;
  /** What the second sibling's runtime was asked for (its joins as ns.<x> "joined:sibling"). */
  request: Request;
}

/** The probe's command line: its own names, then the other's (--peer-...). */
export function siblingArgv(own: SiblingNames, peer: SiblingNames): string[] {
  const opts = (n: SiblingNames, p: string) => [
    [`--${p}nonce`, n.nonce],
    [`--${p}tcp-port`, String(n.tcpPort)],
    [`--${p}any-port`, String(n.anyPort)],
    [`--${p}abstract`, n.abstract],
    [`--${p}shm-key`, String(n.shmKey)],
    [`--${p}msg-key`, String(n.msgKey)],
    [`--${p}sem-key`, String(n.semKey)],
    [`--${p}mq`, n.mq],
    [`--${p}shm-marker`, n.marker],
    [`--${p}argv`, n.argv],
  ];
  const dirs = exchangeDirs(own).flatMap((d) => ['--dir', d]);
  return [PROBE_PATH, 'sibling', ...dirs, ...opts(own, '').flat(), ...opts(peer, 'peer-').flat()];
}

/**
 * What the probe wrote to its armed file, and what the host hands the other sibling as its peer
 * file: "hostname NAME" and "addr ADDR" lines. Null when malformed (the exchange then fails).
 */
export function parsePeerText(text: string): { hostname: string; addrs: string[] } | null {
  let hostname: string | null = null;
  const addrs: string[] = [];
  for (const line of text.split('\n').filter(Boolean)) {
    const m = /^(hostname|addr) ([^\s]{0,64})$/.exec(line);
    if (!m) return null;
    if (m[1] === 'hostname') hostname = m[2];
    else if (/^[0-9a-fA-F:.]+$/.test(m[2])) addrs.push(m[2]);
    else return null;
  }
  return hostname === null ? null : { hostname, addrs };
}

export function peerText(p: { hostname: string; addrs: string[] }): string {
  return [`hostname ${p.hostname}`, ...p.addrs.map((a) => `addr ${a}`), ''].join('\n');
}

/**
 * Why one sibling's named sentinels cannot be trusted for the other's look, or null: not armed,
 * not held to the end of the exchange, or not the same object at both ends (re-made or replaced).
 */
export function siblingSentinelsLost(run: SiblingRun, named: readonly SiblingSentinel[]): string | null {
  if (!run.doc) return `sibling ${run.names.nonce} gave no document: ${run.error ?? 'unknown'}`;
  if (run.error) return `sibling ${run.names.nonce}: ${run.error}`;
  if (run.doc.phase !== 'done') return `sibling ${run.names.nonce} stopped at "${run.doc.phase}": its sentinels were not held through the other's look`;
  const lost = named.flatMap((k) => {
    const a = run.doc!.armed[k];
    const h = run.doc!.held[k];
    if (a.errno !== 0) return [`${k} was not armed (errno ${a.errno})`];
    if (h.errno !== 0 || h.id !== a.id) return [`${k} did not stay live (armed "${a.id}", after the look errno ${h.errno} "${h.id}")`];
    return [];
  });
  return lost.length > 0 ? `sibling ${run.names.nonce}: ${lost.join('; ')}` : null;
}

/**
 * Where a sibling's exchange with the host may go, in the probe's order of preference: its
 * /scratch (relative: the probe's cwd is its root), else a directory of its own in /dev/shm, a
 * tmpfs any user may write, for a read-only root or a non-root user. Named by the nonce, so two
 * siblings sharing /dev/shm never meet there.
 */
export function exchangeDirs(n: Pick<SiblingNames, 'nonce'>): string[] {
  return [SCRATCH_DIR, `/dev/shm/isoprobe-xchg-${n.nonce}`];
}
