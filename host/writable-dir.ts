/**
 * Whether a directory the run will write into (the reports' --out, the run root) can be written,
 * asked before anything starts so that a bad one costs a second, not a whole run's results. Write
 * permission bits say little to root: a read-only mount, an immutable directory or a file in the
 * way refuse root too, so the test is a real one (a directory made and removed inside it), and
 * nothing is left behind: a directory still to be made is tried in its nearest existing ancestor.
 */
import fs from 'node:fs';
import path from 'node:path';

const WHY: Record<string, string> = {
  EROFS: 'is on a read-only file system',
  EACCES: 'is not writable (permission denied)',
  EPERM: 'is not writable (operation not permitted)',
  ENOSPC: 'is on a full file system',
  EDQUOT: 'is on a file system whose quota is used up',
};

/**
 * What stops `dir` (made if missing) from taking new files, in words ("/x is not a directory"),
 * or null. `files` are names the caller will write in it: one that exists must be a writable file.
 */
export function writableDirProblem(dir: string, files: readonly string[] = []): string | null {
  const abs = path.resolve(dir);
  // Another run removes an empty run root when it ends: a directory that vanished while tested is looked for again.
  for (let attempt = 0; ; attempt++) {
    const existing = nearestExisting(abs);
    if (typeof existing !== 'string') return existing.problem;
    const why = tryMakeDir(existing);
    if (why === 'ENOENT' && attempt < 3) continue;
    if (why) return `${existing} ${WHY[why] ?? `cannot be written (${why})`}`;
    return existing === abs ? reportFilesProblem(abs, files) : null;
  }
}

/** `abs` or its nearest ancestor that exists, which must be a directory. */
function nearestExisting(abs: string): string | { problem: string } {
  for (let p = abs; ; p = path.dirname(p)) {
    const st = statOrCode(p);
    if (typeof st !== 'string') return st.isDirectory() ? p : { problem: `${p} is not a directory` };
    // ENOTDIR: a file is in the way further up; the walk reaches it.
    if (st !== 'ENOENT' && st !== 'ENOTDIR') return { problem: `${p} cannot be reached (${st})` };
    if (typeof statOrCode(p, fs.lstatSync) !== 'string') return { problem: `${p} is a symbolic link to nothing` };
  }
}

function reportFilesProblem(dir: string, files: readonly string[]): string | null {
  for (const f of files.map((name) => path.join(dir, name))) {
    const st = statOrCode(f);
    if (st === 'ENOENT') continue;
    if (typeof st === 'string') return `${f} cannot be reached (${st})`;
    if (!st.isFile()) return `${f} is in the way (not a regular file)`;
    try {
      fs.accessSync(f, fs.constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      return `${f} ${WHY[code] ?? `cannot be written (${code})`}`;
    }
  }
  return null;
}

function statOrCode(p: string, stat: (p: string) => fs.Stats = fs.statSync): fs.Stats | string {
  try {
    return stat(p);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? 'EIO';
  }
}

/** Makes and removes a directory in `dir`: null, or the errno code that stopped it. */
function tryMakeDir(dir: string): string | null {
  let made: string;
  try {
    made = fs.mkdtempSync(path.join(dir, '.isoprobe-write-test-'));
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? 'EIO';
  }
  fs.rmdirSync(made);
  return null;
}
