import fs from 'node:fs';

/**
 * A path, or a name looked up in PATH as execvp would: the executable file; else a file that is
 * there but cannot be run (no execute permission, a directory, a noexec mount), which execvp
 * would fail with EACCES and a user must hear about as such, not as "not installed"; else none.
 */
export type BinaryLookup = { found: string } | { notExecutable: string; why: string } | { missing: true };

export function lookupBinary(binary: string): BinaryLookup {
  const candidates = binary.includes('/') ? [binary] : (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').map((d) => `${d}/${binary}`);
  let blocked: { notExecutable: string; why: string } | undefined;
  for (const f of candidates) {
    let st: fs.Stats;
    try {
      st = fs.statSync(f);
    } catch {
      continue;
    }
    const why = st.isDirectory() ? 'is a directory' : !st.isFile() ? 'is not a regular file' : executable(f) ? null : 'is not executable';
    if (why === null) return { found: f };
    blocked ??= { notExecutable: f, why };
  }
  return blocked ?? { missing: true };
}

/** The executable file `binary` names, or null (lookupBinary says why). */
export function findBinary(binary: string): string | null {
  const r = lookupBinary(binary);
  return 'found' in r ? r.found : null;
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
