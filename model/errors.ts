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
