/**
 * Removing what killed runs left behind, by their journals (host/journal.ts) and nothing else: a
 * journal whose lock we can take belongs to a dead run (the kernel dropped its lock with the
 * process), one we cannot is a live run's, never touched. Each entry is checked to still be what
 * was recorded (a process's start time, a SysV object's key with its id, a mount's id, a
 * marker's content) before it is removed; an entry whose resource is gone is fine. The drivers
 * remove their kinds' entries (Docker and OCI containers, bwrap sandboxes: model/driver.ts
 * CleanContext), then the host's kinds go here, processes first so nothing holds the mounts and
 * cgroups. A journal goes once everything it listed is gone; otherwise it stays for the next reaper.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { CleanItem } from '../model/clean-report.js';
import type { CleanContext } from '../model/driver.js';
import { describeResource, DRIVER_KINDS, type JournalLine, type Resource } from '../model/journal.js';
import { parseMountinfo } from '../model/parse/mountinfo.js';
import { listDir, readLines, readOrNull } from './files.js';
import { JOURNAL_SUFFIX, journalDir, ownJournalIds, removeEmptyDirs } from './journal.js';
import { detachMount } from './leaked-mounts.js';
import { flock, LOCK_EX, LOCK_NB, mqUnlink, msgRemove, pidfdOpen, pidfdSendSignal, semRemove, shmRemove, SysError } from './libc.js';
import { removeProbeCgroups } from './probe-cgroups.js';
import { procStartTime } from './proc.js';

export interface DeadRun {
  id: string;
  /** The pid the run had (gone now), for people to read. */
  pid: number;
  file: string;
  /** Open, with the lock we took: no other reaper works on it meanwhile. */
  fd: number;
  /** What it made and did not remove. */
  entries: Resource[];
}

interface JournalFile {
  file: string;
  fd: number;
}

/** Dead runs' journals this process has locked to reap them: not live runs, though their locks are held. */
const reaping = new Set<string>();

/** Each journal (and temporary journal) file, opened and with the lock tried: held → a live run's. */
function tryJournals(dir = journalDir()): { dead: JournalFile[]; live: string[] } {
  const own = ownJournalIds();
  const dead: JournalFile[] = [];
  const live: string[] = [];
  for (const name of listDir(dir)) {
    if (!name.endsWith(JOURNAL_SUFFIX) && !/^\.[0-9a-f]+\.new$/.test(name)) continue;
    if (own.has(name.replace(JOURNAL_SUFFIX, ''))) continue;
    const file = path.join(dir, name);
    if (reaping.has(file)) continue;
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      continue; // removed meanwhile (its run ended, or another reaper finished it)
    }
    try {
      flock(fd, LOCK_EX | LOCK_NB);
      dead.push({ file, fd });
    } catch (e) {
      fs.closeSync(fd);
      if (e instanceof SysError && e.code === 'EAGAIN') live.push(file);
    }
  }
  return { dead, live };
}

/** Pids of the runs whose journals are locked (alive), other than this process's own. */
export function liveRuns(dir = journalDir()): number[] {
  const { dead, live } = tryJournals(dir);
  for (const d of dead) fs.closeSync(d.fd);
  return live.map((f) => Number(parseJournal(readOrNull(f) ?? '').pid)).filter((p) => Number.isInteger(p) && p > 0 && p !== process.pid);
}

/** The header and the entries not marked done; a torn last line (the run died writing it) is skipped. */
export function parseJournal(text: string): { id: string; pid: number; entries: Resource[] } {
  let id = '';
  let pid = 0;
  const entries = new Map<number, Resource>();
  for (const l of text.split('\n')) {
    let line: JournalLine;
    try {
      line = JSON.parse(l);
    } catch {
      continue;
    }
    if ('run' in line) ({ run: id, pid } = line);
    else if ('done' in line) entries.delete(line.done);
    else if ('seq' in line) entries.set(line.seq, line.res);
  }
  return { id, pid, entries: [...entries.values()] };
}

/** Takes the locks of every dead run's journal; release them with releaseDeadRuns. */
export function lockDeadRuns(dir = journalDir()): DeadRun[] {
  return tryJournals(dir).dead.map(({ file, fd }) => {
    reaping.add(file);
    const { id, pid, entries } = parseJournal(readOrNull(file) ?? '');
    return { id: id || path.basename(file), pid, file, fd, entries };
  });
}

/** Gives back the locks lockDeadRuns took (a reaper that removes nothing). */
export function releaseDeadRuns(runs: DeadRun[]): void {
  for (const r of runs) {
    fs.closeSync(r.fd);
    reaping.delete(r.file);
  }
}

export interface ReapOptions {
  /** Shared things too (Docker's probe images): `isoprobe clean` only. */
  shared: boolean;
  inUse(): string | null;
  /** A run's start asks only the drivers that have entries to remove. */
  onlyWithEntries?: boolean;
}

export interface Reaper {
  kind: string;
  clean(ctx: CleanContext): Promise<CleanItem[]>;
}

/** Removes what the dead runs' journals list: the drivers' kinds through them, then the host's. */
export async function reapDeadRuns(drivers: readonly Reaper[], opts: ReapOptions, dir = journalDir()): Promise<{ items: CleanItem[]; runs: DeadRun[] }> {
  const runs = lockDeadRuns(dir);
  const kept = new Set<Resource>();
  const all = runs.flatMap((r) => r.entries);
  const items: CleanItem[] = [];
  try {
    for (const d of drivers) {
      const entries = all.filter((e) => e.kind === d.kind);
      if (opts.onlyWithEntries && entries.length === 0) continue;
      items.push(...(await d.clean({ inUse: opts.inUse, shared: opts.shared, entries, keep: (r) => kept.add(r) })));
    }
    // A kind no driver of this list removes stays for a reaper that has it.
    for (const e of all) if ((DRIVER_KINDS as readonly string[]).includes(e.kind) && !drivers.some((d) => d.kind === e.kind)) kept.add(e);
    items.push(...reapHostEntries(all, kept));
    const journals: CleanItem = { kind: 'run journals', found: [], remaining: [] };
    for (const r of runs) {
      journals.found.push(r.id);
      const left = r.entries.filter((e) => kept.has(e));
      if (left.length > 0) journals.remaining.push(`${r.id}: kept, ${left.length} of its entries are still there`);
      else fs.rmSync(r.file, { force: true });
    }
    items.push(journals);
  } finally {
    releaseDeadRuns(runs);
    removeEmptyDirs(dir);
  }
  return { items, runs };
}

type Outcome = 'removed' | 'gone' | string;

/** The host's kinds, in an order that frees what holds the next: processes, mounts, cgroups, IPC, directories. */
function reapHostEntries(entries: Resource[], kept: Set<Resource>): CleanItem[] {
  const groups: { kind: string; of: Resource['kind'][] }[] = [
    { kind: 'processes', of: ['process'] },
    { kind: 'mounts', of: ['mount', 'probe-mounts'] },
    { kind: 'cgroups', of: ['cgroup', 'probe-cgroups'] },
    { kind: 'ipc', of: ['sysv', 'mq', 'file', 'socket'] },
    { kind: 'networks', of: ['netns', 'link'] },
    { kind: 'run directories', of: ['dir'] },
  ];
  return groups.map(({ kind, of }) => {
    const mine = entries.filter((e) => of.includes(e.kind));
    // Deepest first: a cgroup or directory must lose its children before it can go.
    if (kind === 'cgroups' || kind === 'run directories') mine.sort((a, b) => depth(b) - depth(a));
    const item: CleanItem = { kind, found: [], remaining: [] };
    for (const e of mine) {
      let outcome: Outcome;
      try {
        outcome = removeHostEntry(e);
      } catch (err) {
        outcome = (err as Error).message;
      }
      if (outcome === 'gone') continue;
      item.found.push(describeResource(e));
      if (outcome !== 'removed') {
        kept.add(e);
        item.remaining.push(`${describeResource(e)}: ${outcome}`);
      }
    }
    return item;
  });
}

function depth(r: Resource): number {
  return 'path' in r ? r.path.split('/').length : 0;
}

function removeHostEntry(e: Resource): Outcome {
  switch (e.kind) {
    case 'process':
      return killIfSame(e.pid, e.start);
    case 'sysv':
      return removeSysv(e.type, e.id, e.key);
    case 'mq':
      return ignoreGone(() => mqUnlink(e.name));
    case 'file':
      if (readOrNull(e.path) !== e.content) return 'gone'; // absent, or no longer the marker we wrote
      fs.rmSync(e.path, { force: true });
      return 'removed';
    case 'mount': {
      const m = parseMountinfo(readOrNull('/proc/self/mountinfo') ?? '').find((x) => x.mountId === e.mountId && x.mountPoint === e.point);
      if (!m) return 'gone';
      detachMount(e.point);
      return 'removed';
    }
    case 'probe-mounts': {
      const points = parseMountinfo(readOrNull('/proc/self/mountinfo') ?? '').filter((m) => m.source.startsWith(e.source));
      for (const m of points) detachMount(m.mountPoint);
      return points.length > 0 ? 'removed' : 'gone';
    }
    case 'probe-cgroups':
      return removeProbeCgroups(e.prefix, readOrNull('/proc/self/mountinfo') ?? '').length > 0 ? 'removed' : 'gone';
    case 'cgroup':
      return e.shared ? removeIfEmpty(e.path) : removeCgroup(e.path);
    case 'dir':
      if (!fs.existsSync(e.path)) return 'gone';
      fs.rmSync(e.path, { recursive: true, force: true });
      return 'removed';
    case 'socket': {
      const st = fs.lstatSync(e.path, { throwIfNoEntry: false });
      if (!st?.isSocket()) return 'gone';
      fs.rmSync(e.path, { force: true });
      return 'removed';
    }
    case 'netns':
      if (!fs.existsSync(`/run/netns/${e.name}`)) return 'gone';
      return ipDelete(['netns', 'delete', e.name]);
    case 'link':
      if (!fs.existsSync(`/sys/class/net/${e.name}`)) return 'gone';
      return ipDelete(['link', 'delete', e.name]);
    default:
      return 'no reaper for this kind';
  }
}

function ipDelete(args: string[]): Outcome {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? 'removed' : `ip ${args.join(' ')}: ${r.error?.message ?? r.stderr.trim()}`;
}

/**
 * SIGKILL through a pidfd opened before the start time is compared: the pidfd names one process,
 * so a pid reused between the check and the signal is never the one signalled.
 */
function killIfSame(pid: number, start: string): Outcome {
  let fd: number;
  try {
    fd = pidfdOpen(pid);
  } catch {
    return 'gone';
  }
  try {
    if (procStartTime(pid) !== start) return 'gone'; // the pid is another process's now
    pidfdSendSignal(fd, 9);
    return 'removed';
  } finally {
    fs.closeSync(fd);
  }
}

/** The object with that id, if it still has the key we made it with (an id is reused only much later, but then with another key). */
/** The object with that key (and id, when the journal knows it) in the harness's IPC namespace. */
function removeSysv(type: 'shm' | 'msg' | 'sem', id: number | undefined, key: number): Outcome {
  const found = readLines(`/proc/sysvipc/${type}`)
    .slice(1)
    .map((l) => l.trim().split(/\s+/).map(Number))
    .find(([k, i]) => k >>> 0 === key >>> 0 && (id === undefined || i === id));
  if (!found) return 'gone';
  const ipcId = found[1];
  return ignoreGone(() => (type === 'shm' ? shmRemove(ipcId) : type === 'msg' ? msgRemove(ipcId) : semRemove(ipcId)));
}

function ignoreGone(run: () => void): Outcome {
  try {
    run();
    return 'removed';
  } catch (e) {
    if (e instanceof SysError && ['EINVAL', 'EIDRM', 'ENOENT'].includes(e.code)) return 'gone';
    throw e;
  }
}

/** The parent cgroup runs share: another run's cgroups in it (ENOTEMPTY, EBUSY) keep it, and that is no failure. */
function removeIfEmpty(dir: string): Outcome {
  try {
    fs.rmdirSync(dir);
    return 'removed';
  } catch {
    return 'gone';
  }
}

/** A dead run's cgroup: what still runs in it is that run's container, killed; then rmdir, bounded (v1 memory stays busy briefly). */
function removeCgroup(dir: string): Outcome {
  if (!fs.existsSync(dir)) return 'gone';
  const kill = path.join(dir, 'cgroup.kill');
  if (fs.existsSync(kill)) {
    try {
      fs.writeFileSync(kill, '1');
    } catch {
      /* nothing to kill */
    }
  } else {
    for (const pid of readLines(path.join(dir, 'cgroup.procs')).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  for (let i = 0; ; i++) {
    try {
      fs.rmdirSync(dir);
      return 'removed';
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return 'removed';
      if (i >= 200) return (e as Error).message;
      spawnSync('sleep', ['0.01']);
    }
  }
}
