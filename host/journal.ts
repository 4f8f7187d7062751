/**
 * The run journal: what decides ownership. Every run (every process that makes anything) has a
 * journal file, <journal dir>/<run id>.journal, JSON lines; it holds an exclusive flock(2) on it for
 * its whole life, and the kernel drops that lock when the process dies, SIGKILL included. So "this
 * run is dead" is "its journal's lock is free", asked of the kernel at the moment of reaping,
 * with no window in which a live run looks dead.
 *
 * `own()` is the one way to register a resource for cleanup: it appends the resource to the
 * journal first (before it is made, or, where only its creation names it — a pid, a SysV id —
 * in the same synchronous step), then registers the undo with host/cleanup.ts, which marks the
 * entry done once it ran. The reaper (host/reap.ts) removes exactly what dead runs' journals list
 * and did not mark done, and nothing else, whatever its name.
 *
 * The journal is created under a temporary name, locked, then renamed into place: a reaper never
 * sees a journal that is not yet locked (a temporary one it finds unlocked is one whose creator
 * died, or is between its open and its lock and will retry).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JournalLine, Resource } from '../model/journal.js';
import { EnvError } from '../model/errors.js';
import { onCleanup, type UndoOptions } from './cleanup.js';
import { flock, LOCK_EX, LOCK_NB } from './libc.js';
import { RUN_ROOT } from './paths.js';
import { procStartTime } from './proc.js';

/**
 * Root's journals live under RUN_ROOT, beside the run directories. A user who is not root makes
 * nothing a root run could meet (the unit tests' sentinels and fake runtimes), so theirs go to a
 * directory of their own in /tmp.
 */
export function journalDir(): string {
  // The project's tests point it at a directory of their own, so they never meet a real run's.
  if (process.env.ISOPROBE_JOURNAL_DIR) return process.env.ISOPROBE_JOURNAL_DIR;
  const uid = process.getuid?.() ?? 0;
  return uid === 0 ? path.join(RUN_ROOT, 'runs') : path.join(os.tmpdir(), `isoprobe-runs-${uid}`);
}

export const JOURNAL_SUFFIX = '.journal';
const CREATE_ATTEMPTS = 10;

export class Journal {
  private seq = 0;
  private closed = false;
  /** Entries recorded and not yet removed by their undo. */
  readonly undone = new Set<number>();

  constructor(
    readonly id: string,
    readonly file: string,
    private readonly fd: number,
  ) {}

  /** Appends one resource; the write is synchronous, so it is in the file before the caller goes on. */
  record(res: Resource): number {
    const seq = ++this.seq;
    this.write({ seq, res });
    this.undone.add(seq);
    return seq;
  }

  done(seq: number): void {
    this.undone.delete(seq);
    if (!this.closed) this.write({ done: seq });
  }

  /** Unlocks; the file goes too when everything in it was removed (else a reaper finishes it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.undone.size === 0) {
      fs.rmSync(this.file, { force: true });
      removeEmptyDirs(path.dirname(this.file));
    }
    fs.closeSync(this.fd);
  }

  private write(line: JournalLine): void {
    try {
      fs.writeSync(this.fd, `${JSON.stringify(line)}\n`);
    } catch (e) {
      throw journalError(path.dirname(this.file), e);
    }
  }
}

let current: Journal | null = null;
const open = new Set<Journal>();

/** The journal of the run under way in this process; one is started if there is none. */
export function journal(): Journal {
  current ??= startJournal();
  return current;
}

/** A new run: a journal (and run id) of its own. A previous one of this process stays locked until closed. */
export function startJournal(): Journal {
  const dir = journalDir();
  let lastError: unknown;
  for (let i = 0; i < CREATE_ATTEMPTS; i++) {
    const id = randomBytes(6).toString('hex');
    const tmp = path.join(dir, `.${id}.new`);
    const file = path.join(dir, `${id}${JOURNAL_SUFFIX}`);
    let fd: number;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      fd = fs.openSync(tmp, 'wx', 0o644);
    } catch (e) {
      // ENOENT: another run removed the (empty) directory between our mkdir and open.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        lastError = e;
        continue;
      }
      throw journalError(dir, e);
    }
    try {
      flock(fd, LOCK_EX | LOCK_NB);
      fs.writeSync(fd, `${JSON.stringify({ run: id, pid: process.pid, start: procStartTime(process.pid) ?? '' } satisfies JournalLine)}\n`);
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.closeSync(fd);
      // A reaper took the unlocked temporary file for a dead creator's: try again under another id.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || ['EWOULDBLOCK', 'EAGAIN'].includes((e as { code?: string }).code ?? '')) {
        lastError = e;
        continue;
      }
      fs.rmSync(tmp, { force: true });
      throw journalError(dir, e);
    }
    const j = new Journal(id, file, fd);
    open.add(j);
    current = j;
    return j;
  }
  throw journalError(dir, lastError);
}

/** Ends the current run's journal (its cleanup has run): the next resource starts a new run. */
export function endJournal(): void {
  if (!current) return;
  current.close();
  open.delete(current);
  current = null;
}

/** Journals of this process (a live run, never to be reaped by it). */
export function ownJournalIds(): Set<string> {
  return new Set([...open].map((j) => j.id));
}

/** Resources journalled before they are made (intend), whose undo is registered once they exist (own). */
export interface Intent {
  readonly journal: Journal;
  readonly seqs: number[];
}

/**
 * Journals resources before they are made. The undo is registered with own(intent, …) right
 * after they exist, in the same synchronous step: an undo registered earlier would, after a
 * Ctrl-C, run at once (host/cleanup.ts) and find nothing to remove yet.
 */
export function intend(res: Resource | Resource[]): Intent {
  const j = journal();
  return { journal: j, seqs: (Array.isArray(res) ? res : [res]).map((r) => j.record(r)) };
}

/**
 * The one way to register a resource for cleanup: journalled first (or already, by intend()),
 * then the undo registered (host/cleanup.ts); the entries are marked done once the undo
 * succeeded. Returns the early runner.
 */
export function own(res: Resource | Resource[] | Intent, label: string, undo: () => void | Promise<void>, opts: UndoOptions = {}): () => Promise<void> {
  const { journal: j, seqs } = 'seqs' in res ? res : intend(res);
  return onCleanup(
    label,
    async () => {
      await undo();
      for (const s of seqs) j.done(s);
    },
    opts,
  );
}

/** A process just spawned, as the journal names it (null start: it is already gone). */
export function processResource(pid: number, what: string): Resource {
  return { kind: 'process', pid, start: procStartTime(pid) ?? '', what };
}

/** A clean exit (also after Ctrl-C's cleanup) leaves no journal whose every entry was removed. */
process.on('exit', () => {
  for (const j of open) j.close();
});

/** The journal directory, then RUN_ROOT, once nothing is in them (another run may be: then they stay). */
export function removeEmptyDirs(journals = journalDir()): void {
  for (const dir of [journals, RUN_ROOT]) {
    try {
      fs.rmdirSync(dir);
    } catch {
      /* in use, or gone */
    }
  }
}

/** A journal that cannot be kept is an environment problem: one line, exit 2, nothing made. */
function journalError(dir: string, e: unknown): EnvError {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EROFS: 'read-only file system',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOTDIR: `${RUN_ROOT} or a parent is not a directory`,
    EEXIST: `${RUN_ROOT} or a parent is not a directory`,
    EDQUOT: 'disk quota exceeded',
  };
  const reason = why[err?.code ?? ''] ?? err?.message ?? String(e);
  return new EnvError(`cannot keep the run journal in ${dir}: ${reason}${err?.code ? ` (${err.code})` : ''}`);
}
