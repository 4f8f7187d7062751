/**
 * Docker Engine API failures turned into types at the call (docker-modem rejects with the HTTP
 * status and the daemon's JSON message): 404 and 409 are named, and whatever the daemon says —
 * e.g. runc's refusal relayed as "OCI runtime create failed: ..." — is kept verbatim, so a
 * refused setting reads as the runtime's own words in the report.
 */
import { TargetError } from '../../model/target.js';

export type DockerFailure = 'not-found' | 'conflict' | 'daemon' | 'unreachable';

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

/** The daemon's own message, else the transport's. */
export function daemonMessage(e: unknown): string {
  const m = e as ModemError;
  const json = typeof m.json === 'string' ? m.json : m.json?.message;
  return (json ?? m.reason ?? m.message ?? String(e)).trim();
}

export function failureKind(e: unknown): DockerFailure {
  const m = e as ModemError;
  if (m.statusCode === 404) return 'not-found';
  if (m.statusCode === 409) return 'conflict';
  if (m.statusCode === undefined && ['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET'].includes(m.code ?? '')) return 'unreachable';
  return 'daemon';
}

/** `what` names the step ("start", "create"), so the report says where it failed. */
export function dockerError(target: string, what: string, e: unknown): DockerApiError {
  if (e instanceof DockerApiError) return e;
  const kind = failureKind(e);
  const status = (e as ModemError).statusCode ?? null;
  const label = { 'not-found': 'not found', conflict: 'conflict', daemon: 'daemon error', unreachable: 'daemon unreachable' }[kind];
  return new DockerApiError(target, kind, status, `docker ${what}: ${label}${status ? ` (HTTP ${status})` : ''}: ${daemonMessage(e)}`);
}

/** Runs an API call, rethrowing its failure as a DockerApiError. */
export async function api<T>(target: string, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw dockerError(target, what, e);
  }
}
