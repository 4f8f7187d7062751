/**
 * How an observer's results leave its node: one line, the last of its log, that holds the
 * results JSON gzipped and base64-encoded, so the only thing a client needs from the cluster is
 * the Pod's log (no volume, no exec, no API write by the observer). The line is bounded
 * (MAX_RECORD_BYTES), well under kubelet's default log rotation size (10 MiB), so one record is
 * never split across a rotation; a results file whose record would be larger is not cut: the
 * record says `truncated` and carries only the results' summary (verdict, totals per target),
 * or nothing of them if even that does not fit. A node whose log ends without a record line is
 * told apart from one whose observer said it had no results (`missing`).
 *
 *   isoprobe-results/1 {"status":"complete","node":…,"run":…,"bytes":N,"sha256":…,"data":"<gzip+base64>"}
 *
 * `bytes` and `sha256` are of the results JSON text before compression, so the reader checks it
 * whole. Pure: the caller reads the file and the log.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

export const RECORD_PREFIX = 'isoprobe-results/1 ';
/** The whole line, prefix included, in bytes (ASCII: base64 and JSON of ASCII names). */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** What a reader inflates at most: a results file is ~120 KB per target; more is not one. */
export const MAX_RESULTS_BYTES = 64 * 1024 * 1024;

interface Origin {
  /** The node (the observer's spec.nodeName) and the run's nonce, as the observer's environment gives them. */
  node?: string;
  run?: string;
}

export type LogRecord = Origin &
  (
    | { status: 'complete'; bytes: number; sha256: string; data: string }
    | { status: 'truncated'; bytes: number; sha256: string; reason: string; summary: unknown }
    | { status: 'missing'; reason: string }
  );

export type Decoded = Origin &
  (
    | { status: 'complete'; results: unknown }
    | { status: 'truncated'; bytes: number; reason: string; summary: unknown }
    | { status: 'missing'; reason: string }
    /** The log ends without a record (the observer died, or the log was cut), or the record is damaged. */
    | { status: 'no-record' | 'corrupt'; reason: string }
  );

/** The record line (no newline) for a results JSON text, or for none (`results: null`, with why). */
export function encodeRecord(input: Origin & { results: string | null; reason?: string }, max = MAX_RECORD_BYTES): string {
  const origin: Origin = { ...(input.node ? { node: input.node } : {}), ...(input.run ? { run: input.run } : {}) };
  if (input.results === null) return line({ ...origin, status: 'missing', reason: input.reason ?? 'no results file' }, max);
  const raw = Buffer.from(input.results, 'utf8');
  const sum = { bytes: raw.length, sha256: createHash('sha256').update(raw).digest('hex') };
  const full = line({ ...origin, status: 'complete', ...sum, data: gzipSync(raw, { level: 9 }).toString('base64') }, Number.POSITIVE_INFINITY);
  if (full.length <= max) return full;
  const reason = `the results record would be ${full.length} bytes, over the ${max} a record may have`;
  return line({ ...origin, status: 'truncated', ...sum, reason, summary: summaryOf(input.results) }, max);
}

function line(r: LogRecord, max: number): string {
  const text = `${RECORD_PREFIX}${JSON.stringify(r)}`;
  if (text.length <= max) return text;
  // Only a truncated record's summary can make it long: without it, it is a few hundred bytes.
  if (r.status === 'truncated' && r.summary !== null) return line({ ...r, summary: null, reason: `${r.reason}; the summary did not fit either` }, max);
  throw new Error(`a log record of ${text.length} bytes over its bound ${max}`);
}

function summaryOf(results: string): unknown {
  try {
    return (JSON.parse(results) as { summary?: unknown }).summary ?? null;
  } catch {
    return null;
  }
}

/** The record at the end of an observer's log: its last non-empty line must be one. */
export function decodeRecord(log: string): Decoded {
  const last = log.trimEnd().split('\n').at(-1) ?? '';
  if (!last.startsWith(RECORD_PREFIX)) return { status: 'no-record', reason: "the log's last line is not an isoprobe results record" };
  if (last.length > MAX_RECORD_BYTES) return { status: 'corrupt', reason: `a record of ${last.length} bytes, over ${MAX_RECORD_BYTES}` };
  let r: LogRecord;
  try {
    r = JSON.parse(last.slice(RECORD_PREFIX.length)) as LogRecord;
  } catch (e) {
    return { status: 'corrupt', reason: `the record is not JSON: ${(e as Error).message}` };
  }
  const origin: Origin = { ...(typeof r.node === 'string' ? { node: r.node } : {}), ...(typeof r.run === 'string' ? { run: r.run } : {}) };
  if (r.status === 'missing') return { ...origin, status: 'missing', reason: String(r.reason) };
  if (r.status === 'truncated') return { ...origin, status: 'truncated', bytes: r.bytes, reason: String(r.reason), summary: r.summary ?? null };
  if (r.status !== 'complete' || typeof r.data !== 'string')
    return { ...origin, status: 'corrupt', reason: `unknown record status ${JSON.stringify(r.status)}` };
  let raw: Buffer;
  try {
    raw = gunzipSync(Buffer.from(r.data, 'base64'), { maxOutputLength: MAX_RESULTS_BYTES });
  } catch (e) {
    return { ...origin, status: 'corrupt', reason: `the data does not inflate: ${(e as Error).message}` };
  }
  if (raw.length !== r.bytes || createHash('sha256').update(raw).digest('hex') !== r.sha256) {
    return { ...origin, status: 'corrupt', reason: `the data is ${raw.length} bytes whose sha256 is not the record's (${r.bytes} bytes)` };
  }
  try {
    return { ...origin, status: 'complete', results: JSON.parse(raw.toString('utf8')) };
  } catch (e) {
    return { ...origin, status: 'corrupt', reason: `the results are not JSON: ${(e as Error).message}` };
  }
}
