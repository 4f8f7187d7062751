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
