/**
 * The placeholders of a `command` target's argv (pure, unit-tested): the user writes their wrapper's
 * command line as they run it, with `{probe}` where their command goes and `{args}` for its
 * arguments; isoprobe fills them in per container.
 *
 *   {probe}      the probe's path, as the wrapper's command (required, exactly once)
 *   {args}       the probe's arguments, one element each (a whole element of argv on its own)
 *   {workspace}  the container's host directory, the wrapper's working directory: the probe writes
 *                its files under it (scratch/…), so the wrapper must leave it writable at that path
 *   {rootfs}     the rootfs template (the probe at /isoprobe/probe, a static busybox): for a wrapper
 *                that makes it its root
 *   {nonce}      the container's nonce (also in the probe's argv: how its pid is found, ./locate.ts)
 *
 * Any other `{name}` is an error naming it: a typo must not reach the wrapper as a literal.
 */
export const PLACEHOLDERS = ['probe', 'args', 'workspace', 'rootfs', 'nonce'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PATTERN = /\{([A-Za-z0-9_-]*)\}/g;

export interface Values {
  probe: string;
  args: readonly string[];
  workspace: string;
  rootfs: string;
  nonce: string;
}

function namesIn(element: string): string[] {
  return [...element.matchAll(PATTERN)].map((m) => m[1]);
}

/** What is wrong with an argv, as one line; null when it is usable. */
export function argvProblem(argv: readonly string[]): string | null {
  if (argv.length === 0) return 'argv is empty: it must start with the wrapper command';
  for (const el of argv) {
    const unknown = namesIn(el).find((n) => !(PLACEHOLDERS as readonly string[]).includes(n));
    if (unknown !== undefined) return `unknown placeholder "{${unknown}}" (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`;
  }
  if (namesIn(argv[0]).length > 0) return `argv[0] "${argv[0]}" must be the wrapper command itself, not a placeholder`;
  const probes = argv.flatMap(namesIn).filter((n) => n === 'probe').length;
  if (probes !== 1) return `"{probe}" must appear exactly once in argv (found ${probes} times)`;
  const partial = argv.find((el) => el !== '{args}' && namesIn(el).includes('args'));
  if (partial !== undefined) return `"{args}" must be a whole element of argv on its own, not part of "${partial}"`;
  return null;
}

/** The wrapper's command line with the placeholders filled in; `argv` is assumed valid (argvProblem). */
export function expandArgv(argv: readonly string[], v: Values): string[] {
  return argv.flatMap((el) =>
    el === '{args}' ? [...v.args] : [el.replace(PATTERN, (_, name: string) => (name === 'args' ? '' : v[name as Exclude<Placeholder, 'args'>]))],
  );
}

/** Whether the argv names a placeholder at all (the rootfs template is built only where it is used). */
export function uses(argv: readonly string[], name: Placeholder): boolean {
  return argv.some((el) => namesIn(el).includes(name));
}
