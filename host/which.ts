import fs from 'node:fs';

/** A path, or a name looked up in PATH as execvp would: the executable file, or null. */
export function findBinary(binary: string): string | null {
  const candidates = binary.includes('/') ? [binary] : (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').map((d) => `${d}/${binary}`);
  return (
    candidates.find((f) => {
      try {
        fs.accessSync(f, fs.constants.X_OK);
        return fs.statSync(f).isFile();
      } catch {
        return false;
      }
    }) ?? null
  );
}
