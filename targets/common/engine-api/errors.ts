/**
 * Docker Engine API failures turned into types at the call (docker-modem rejects with the HTTP
 * status and the daemon's JSON message): 404 and 409 are named, and whatever the daemon says —
 * e.g. runc's refusal relayed as "OCI runtime create failed: ..." — is kept verbatim, so a
 * refused setting reads as the runtime's own words in the report. Every call has a deadline
 * (./bounds.ts): a daemon that does not answer, or refuses the connection, is named with the call
 * in one line, and the calls after it fail at once with the same reason (one hung daemon costs a
 * target one bound, not one per call), except removals, which are always tried.
 */
import { DeadlineError, secondsText, withDeadline } from '../../../model/deadline.js';
import { TargetError } from '../../../model/target.js';
import { DOCKER_BOUNDS_MS, RETRY_ON_BROKEN_MS, type DockerCall } from './bounds.js';

export type DockerFailure = 'not-found' | 'conflict' | 'daemon' | 'unreachable' | 'hung';

export class DockerApiError extends TargetError {
  constructor(
    target: string,
    readonly kind: DockerFailure,
    readonly statusCode: number | null,
    readonly detail: string,
  ) {
    super(target, detail);
  }
}

interface ModemError {
  statusCode?: number;
  json?: { message?: string } | string | null;
  reason?: string;
  code?: string;
  message?: string;
}

const UNREACHABLE = ['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EPIPE', 'ENOTSOCK'];

/** The daemon's own message, else the transport's. */
export function daemonMessage(e: unknown): string {
  const m = e as ModemError;
  const json = typeof m.json === 'string' ? m.json : m.json?.message;
  return (json ?? m.reason ?? m.message ?? String(e)).trim();
}

export function failureKind(e: unknown): DockerFailure {
  const m = e as ModemError;
  if (e instanceof DockerApiError) return e.kind;
  if (e instanceof DeadlineError || m.code === 'ETIMEDOUT') return 'hung';
  if (m.statusCode === 404) return 'not-found';
  if (m.statusCode === 409) return 'conflict';
  if (m.statusCode === undefined && UNREACHABLE.includes(m.code ?? '')) return 'unreachable';
  return 'daemon';
}

/** Which daemon a call goes to, and for which target (its name starts every message). */
export interface Daemon {
  target: string;
  socket: string;
  /** Who answers there, as messages name it: the Docker daemon (default), or the Podman service (and its process). */
  engine?: { name: string; process: string; word: string };
}

const DOCKERD = { name: 'Docker daemon', process: 'dockerd', word: 'docker' };

/** One line naming the daemon and the call: what a user reads in the report and on stderr. */
export function dockerError(d: Daemon, what: string, e: unknown): DockerApiError {
  if (e instanceof DockerApiError) return e;
  const kind = failureKind(e);
  const status = (e as ModemError).statusCode ?? null;
  const engine = d.engine ?? DOCKERD;
  const at = `the ${engine.name} at ${d.socket}`;
  if (kind === 'hung') {
    const ms = e instanceof DeadlineError ? e.ms : null;
    return new DockerApiError(d.target, kind, null, `${at} did not answer '${what}'${ms ? ` within ${secondsText(ms)}` : ''} (is ${engine.process} stopped?)`);
  }
  if (kind === 'unreachable') {
    const code = (e as ModemError).code;
    return new DockerApiError(
      d.target,
      kind,
      null,
      `${at} ${code === 'ECONNRESET' || code === 'EPIPE' ? `dropped the connection during '${what}'` : `refused '${what}'`} (${code}: ${code === 'EACCES' ? 'not allowed to use its socket' : `is ${engine.process} running?`})`,
    );
  }
  const label = { 'not-found': 'not found', conflict: 'conflict', daemon: 'daemon error' }[kind];
  return new DockerApiError(d.target, kind, status, `${engine.word} ${what}: ${label}${status ? ` (HTTP ${status})` : ''}: ${daemonMessage(e)}`);
}

/** Daemons that did not answer or refused, by socket, with the first such failure's line. */
const broken = new Map<string, string>();

/** Runs an API call within its bound, rethrowing its failure as a DockerApiError. */
export async function api<T>(d: Daemon, what: DockerCall, call: () => Promise<T>, boundMs?: number): Promise<T> {
  const before = broken.get(d.socket);
  const removal = /remove|kill/.test(what);
  if (before && !removal) throw new DockerApiError(d.target, 'hung', null, before);
  try {
    // A removal from a daemon already found hung is tried briefly (it may be back), so Ctrl-C stays quick.
    const ms = before && removal ? RETRY_ON_BROKEN_MS : (boundMs ?? (DOCKER_BOUNDS_MS as Record<string, number>)[what] ?? 10_000);
    return await withDeadline(call(), ms, what);
  } catch (e) {
    const err = dockerError(d, what, e);
    if ((err.kind === 'hung' || err.kind === 'unreachable') && !broken.has(d.socket)) broken.set(d.socket, err.detail);
    throw err;
  }
}

/** Forgets that a daemon failed (tests; a run is one process and never sees its daemon come back). */
export function forgetBrokenDaemons(): void {
  broken.clear();
}
