/**
 * Reading host files that may be absent: a process that exited, a controller of the other cgroup
 * version, a sysctl this kernel lacks. Each reader says "not there" the same way instead of
 * throwing; callers that must tell ENOENT from EACCES read the file themselves.
 */
import fs from 'node:fs';

/** The file's text, or null when it cannot be read. */
export function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The file's text without its surrounding white space (sysctls, ids), or null. */
export function readTrimmed(file: string): string | null {
  return readOrNull(file)?.trim() ?? null;
}

/** A file's non-empty lines, or none when it cannot be read. */
export function readLines(file: string): string[] {
  return (readOrNull(file) ?? '').split('\n').filter(Boolean);
}

/** A directory's entries, or none when it cannot be read. */
export function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * A file of at most `maxBytes`, as UTF-8 text; a larger one (or an endless one, /dev/zero) is an
 * error once `maxBytes + 1` bytes are read, so a wrong path never fills memory.
 */
export function readBounded(file: string, maxBytes: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    while (n < buf.length) {
      const got = fs.readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > maxBytes) throw Object.assign(new Error(`larger than ${maxBytes} bytes`), { code: 'EFBIG' });
    return buf.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
