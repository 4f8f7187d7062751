/**
 * The run journal decides ownership (host/journal.ts, host/reap.ts): a live run's journal is
 * locked and never reaped; a SIGKILLed run's lock is free at once and exactly its entries go,
 * each only if it still is what was recorded.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { REPO_ROOT } from '../../host/paths.js';
import { pidAlive } from '../../host/process.js';
import { procStartTime } from '../../host/proc.js';
import { liveRuns, lockDeadRuns, parseJournal, reapDeadRuns, releaseDeadRuns } from '../../host/reap.js';
import { IPC_CREAT, IPC_EXCL, shmget, shmRemove } from '../../host/libc.js';
import { IPC_KEY_PREFIX } from '../../host/sentinels.js';

const CHILD = path.join(REPO_ROOT, 'dist/test/fixtures/journal-child.js');

async function startRun(journals: string, dir: string, mode = 'wait'): Promise<{ child: ChildProcess; id: string; sleeper: number }> {
  const child = spawn(process.execPath, [CHILD, dir, mode], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ISOPROBE_JOURNAL_DIR: journals } });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  const [, id, sleeper] = String(first.value).split(' ');
  return { child, id: id!, sleeper: Number(sleeper) };
}

/** Alive and not a zombie (its new parent may reap it a moment later). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const opts = { shared: false, inUse: () => null };

describe('run journal', function () {
  this.timeout(20_000);
  let root: string;
  let journals: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-journal-'));
    journals = path.join(root, 'runs');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("a live run's journal is locked: listed as live, never reaped", async () => {
    const run = await startRun(journals, path.join(root, 'made'));
    try {
      expect(liveRuns(journals)).to.deep.equal([run.child.pid]);
      const { items, runs } = await reapDeadRuns([], opts, journals);
      expect(runs).to.deep.equal([]);
      expect(items.every((i) => i.found.length === 0)).to.equal(true);
      expect(fs.existsSync(path.join(root, 'made'))).to.equal(true);
      expect(pidAlive(run.sleeper)).to.equal(true);
    } finally {
      run.child.kill('SIGKILL');
      await once(run.child, 'exit');
      await reapDeadRuns([], opts, journals);
    }
  });

  it('after a SIGKILL its lock is free at once, and exactly what it listed goes, then the journal', async () => {
    const run = await startRun(journals, path.join(root, 'made'));
    run.child.kill('SIGKILL');
    await once(run.child, 'exit');
    const [dead] = lockDeadRuns(journals);
    // A reaper holding a dead run's lock does not take that run for a live one (clean's images check).
    expect(liveRuns(journals)).to.deep.equal([]);
    releaseDeadRuns([dead!]);
    expect(dead!.id).to.equal(run.id);
    expect(dead!.entries.map((e) => e.kind)).to.deep.equal(['dir', 'process']);
    const { items } = await reapDeadRuns([], opts, journals);
    const of = (k: string) => items.find((i) => i.kind === k)!;
    expect(of('processes')).to.deep.equal({ kind: 'processes', found: [`sleep ${run.sleeper}`], remaining: [] });
    expect(of('run directories')).to.deep.equal({ kind: 'run directories', found: [path.join(root, 'made')], remaining: [] });
    expect(of('run journals').found).to.deep.equal([run.id]);
    expect(fs.existsSync(path.join(root, 'made'))).to.equal(false);
    for (let i = 0; i < 100 && running(run.sleeper); i++) await new Promise((r) => setTimeout(r, 10));
    expect(running(run.sleeper), "the killed run's process").to.equal(false);
    expect(fs.readdirSync(root)).to.deep.equal([]); // the journal and its directory too
  });

  it('a run that ends normally leaves no journal', async () => {
    const run = await startRun(journals, path.join(root, 'made'), 'end');
    await once(run.child, 'exit');
    expect(fs.existsSync(journals)).to.equal(false);
  });

  it('a process entry whose pid is now another process (start time differs) is left alone', async () => {
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(other, 'spawn');
    try {
      fs.mkdirSync(journals);
      const wrong = { kind: 'process', pid: other.pid!, start: String(Number(procStartTime(other.pid!)) - 1), what: 'sentinel process' };
      fs.writeFileSync(
        path.join(journals, 'abc.journal'),
        `${JSON.stringify({ run: 'abc', pid: 1, start: '1' })}\n${JSON.stringify({ seq: 1, res: wrong })}\n`,
      );
      const { items } = await reapDeadRuns([], opts, journals);
      expect(items.find((i) => i.kind === 'processes')!.found).to.deep.equal([]);
      expect(pidAlive(other.pid!)).to.equal(true);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('a SysV entry known by its key only (a sibling probe made it) goes by that key, once', async () => {
    const key = ((IPC_KEY_PREFIX << 16) | (0x8000 + (process.pid & 0x7fff))) >>> 0;
    const id = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0o600);
    try {
      fs.mkdirSync(journals);
      const entry = { kind: 'sysv', type: 'shm', key };
      fs.writeFileSync(
        path.join(journals, 'abc.journal'),
        `${JSON.stringify({ run: 'abc', pid: 1, start: '1' })}\n${JSON.stringify({ seq: 1, res: entry })}\n`,
      );
      const { items } = await reapDeadRuns([], opts, journals);
      expect(items.find((i) => i.kind === 'ipc')).to.deep.include({ found: [`sysv shm key=0x${key.toString(16)}`], remaining: [] });
      expect(fs.readFileSync('/proc/sysvipc/shm', 'utf8')).to.not.match(new RegExp(`^\\s*${key | 0}\\s+${id}\\s`, 'm'));
    } finally {
      try {
        shmRemove(id);
      } catch {
        /* removed by the reaper */
      }
    }
  });

  it('reads done marks and skips a torn last line', () => {
    const text = [
      JSON.stringify({ run: 'r1', pid: 7, start: '9' }),
      JSON.stringify({ seq: 1, res: { kind: 'dir', path: '/a' } }),
      JSON.stringify({ seq: 2, res: { kind: 'dir', path: '/b' } }),
      JSON.stringify({ done: 1 }),
      '{"seq":3,"res":{"kind":"di',
    ].join('\n');
    expect(parseJournal(text)).to.deep.equal({ id: 'r1', pid: 7, entries: [{ kind: 'dir', path: '/b' }] });
  });

  it('a journal directory that is a file: one environment error naming it', () => {
    const file = path.join(root, 'runs');
    fs.writeFileSync(file, 'not a directory');
    const r = spawnSync(
      process.execPath,
      ['-e', "import('./dist/host/journal.js').then((m) => m.startJournal()).catch((e) => { console.log(e.constructor.name + ': ' + e.message); })"],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, ISOPROBE_JOURNAL_DIR: file },
      },
    );
    expect(r.stdout.trim()).to.match(/^EnvError: cannot keep the run journal in .*runs: .* \((EEXIST|ENOTDIR)\)$/);
  });
});
