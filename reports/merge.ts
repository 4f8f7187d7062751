/**
 * `isoprobe merge`: the results of runs on several machines (nodes, VMs, CI jobs) as one run whose
 * targets are `<name>/<target>`, so every report reads them side by side and one exit code gates
 * them all. Pure: the command (cli/merge.ts) reads the files and writes the reports.
 *
 * A file that could not be read or is not valid results stays in the run as a target
 * `<name>/(machine)` that could not run, with the reason: a node that died mid-run must show in
 * the matrix and fail the verdict, never vanish from it.
 */
import path from 'node:path';
import { RESULTS_SCHEMA_VERSION, type CheckMeta, type Profile, type RunResults, type TargetResult } from '../model/results.js';

/** One input: its results, or why there are none. */
export type MergeInput = { name: string; file: string; results: RunResults } | { name: string; file: string; error: string };

export interface MergeOptions {
  /** The merging isoprobe's version: the run's tool when no input could be read. */
  version: string;
  /** The run's start when no input could be read (ISO 8601). */
  now: string;
}

/** The target an unreadable input becomes. */
export const MACHINE_TARGET = '(machine)';

/**
 * An input's name when --as gives none: the directory of a `results.json` (the layout
 * `reports/<machine>/results.json` that `run --out reports/<machine>` writes), else the file's own
 * name without `.json` (`node-a.json` → `node-a`).
 */
export function mergeName(file: string, cwd: string): string {
  const base = path.basename(file);
  const dir = path.basename(path.dirname(path.resolve(cwd, file)));
  if (base === 'results.json' && dir !== '') return dir;
  return base.endsWith('.json') && base !== '.json' ? base.slice(0, -'.json'.length) : base;
}

/** The first name two inputs share, as one line naming both files; undefined when all differ. */
export function sameName(inputs: readonly { name: string; file: string }[]): string | undefined {
  for (const [i, a] of inputs.entries()) {
    const b = inputs.slice(i + 1).find((x) => x.name === a.name);
    if (b) return `two inputs are named "${a.name}" (${a.file} and ${b.file}): give one another name with --as NAME=FILE`;
  }
  return undefined;
}

/**
 * The merged run. Profiles: the first readable input's (as its targets come first); when the
 * inputs differ, a warning and the environment key `mixedProfiles` say so, and every check keeps
 * the `required` its own run's profile gave it, so no verdict changes by merging. The catalogue is
 * the union by id (the first input's entry wins), durationMs the sum of the inputs' (the machine
 * time spent), startedAt the earliest.
 */
export function mergeResults(inputs: readonly MergeInput[], opts: MergeOptions): { results: RunResults; warnings: string[] } {
  const twice = sameName(inputs);
  if (twice) throw new Error(`mergeResults: ${twice}`);
  const read = inputs.flatMap((i) => ('results' in i ? [{ name: i.name, results: i.results }] : []));
  const first = read[0]?.results;
  const warnings: string[] = [];
  const environment: Record<string, string> = {};
  for (const { name, results } of read) for (const [k, v] of Object.entries(results.environment)) environment[`${name}.${k}`] = v;
  const profile: Profile = first?.profile ?? 'baseline';
  const profiles = read.map(({ name, results }) => `${name}=${results.profile}`);
  if (new Set(read.map((r) => r.results.profile)).size > 1) {
    // A key without a dot: no input's `<name>.<key>` can be it.
    environment.mixedProfiles = profiles.join(', ');
    warnings.push(
      `merge: the inputs ran different profiles (${profiles.join(', ')}); the merged run is marked ${profile} (the first's), and each check keeps whether its own profile required it`,
    );
  }
  const partial = inputs.flatMap((i) =>
    'error' in i
      ? [`${i.name}/${MACHINE_TARGET} could not run: ${i.error}`]
      : i.results.partial
        ? [`${i.name}: ${i.results.partialReason ?? 'some targets could not run'}`]
        : [],
  );
  const starts = read.map((r) => r.results.startedAt).sort((a, b) => Date.parse(a) - Date.parse(b));
  return {
    results: {
      ...(partial.length > 0 ? { partial: true as const, partialReason: partial.join('; ') } : {}),
      schema: RESULTS_SCHEMA_VERSION,
      tool: first?.tool ?? { name: 'isoprobe', version: opts.version },
      startedAt: starts[0] ?? opts.now,
      durationMs: read.reduce((s, r) => s + r.results.durationMs, 0),
      profile,
      environment,
      catalogue: catalogueUnion(read.map((r) => r.results.catalogue)),
      targets: inputs.flatMap((i) => targetsOf(i)),
    },
    warnings,
  };
}

function catalogueUnion(catalogues: readonly CheckMeta[][]): CheckMeta[] {
  const byId = new Map<string, CheckMeta>();
  for (const c of catalogues.flat()) if (!byId.has(c.id)) byId.set(c.id, c);
  return [...byId.values()];
}

/** The input's targets renamed `<name>/<target>`, everything else as its run wrote it. */
function targetsOf(input: MergeInput): TargetResult[] {
  if ('error' in input) {
    // runtime "unknown": nothing was read, so nothing says what ran there.
    return [{ name: `${input.name}/${MACHINE_TARGET}`, runtime: 'unknown', error: input.error, info: { machine: input.name }, checks: [] }];
  }
  return input.results.targets.map((t) => ({ ...t, name: `${input.name}/${t.name}`, info: { ...t.info, machine: input.name } }));
}
