/**
 * User-facing errors: each has a code, prints as one line and maps to exit code 2. Anything
 * else escaping to the CLI is a bug and is printed with its stack.
 */
export class EnvError extends Error {
  readonly code = 'EENV';
}

export class ConfigError extends Error {
  readonly code = 'ECONFIG';
}

/**
 * Where in a validated document a zod issue is (`targets[1].checks[0].status`), the way a person
 * would look for it in the file; `whole` names the document itself (an empty path).
 */
export function fieldPath(path: readonly PropertyKey[], whole = '(document)'): string {
  if (path.length === 0) return whole;
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}
