/**
 * The command-line parser: pure (argv in, Command out), so it is unit-tested without spawning.
 * node:util parseArgs tokenises; the rules (which option belongs to which command, comma lists,
 * closed value sets) are ours, so every user error is one line quoting the bad input.
 */
import { parseArgs } from 'node:util';
import { PROFILES, type Profile } from '../model/results.js';
import { NAMESPACES, type Namespace } from '../model/spec.js';

export class UsageError extends Error {
  readonly code = 'EUSAGE';
}

export type Command =
  | {
      kind: 'run';
      runtimes: string[];
      /** --runtime was given (not the default): with --config, both lists are run. */
      runtimesGiven?: boolean;
      profile: Profile;
      outDir: string;
      grep?: string;
      configPath?: string;
      baselinePath?: string;
      /** Namespaces the targets share with the host: the negative controls. */
      share?: Namespace[];
    }
  | { kind: 'list'; profile?: Profile }
  | { kind: 'diff'; oldPath: string; newPath: string }
  | { kind: 'clean' }
  | { kind: 'help'; text: string }
  | { kind: 'version' };

export const HELP_TEXT = `Usage: isoprobe <command> [options]

Commands:
  run                 run every check against each target and write the reports
  list                list the checks (with --profile, only those it requires)
  diff OLD NEW        compare two results JSON files; regressions exit 1
  clean               remove what killed runs left (containers of every runtime, bundles,
                      cgroups, mounts) and the Docker probe image
  help                show this text
  version             print the version

Options for run:
  -r, --runtime LIST  comma-separated targets (default: builtin), e.g. builtin,docker,runc
  -p, --profile NAME  baseline | restricted | strict | sandbox (default: baseline)
  -o, --out DIR       where reports are written (default: reports)
  -g, --grep REGEX    only checks whose id or title matches
  -c, --config FILE   named targets and their options (with --runtime: both lists run)
  -b, --baseline FILE results JSON of an earlier run; a check that passed there and fails now
                      is a regression
      --share LIST    share these namespaces with the host (negative controls):
                      ${NAMESPACES.join(', ')}
Options for list:
  -p, --profile NAME
Global:
  -h, --help          show this text
  -V, --version       print the version
      --debug         print the stack of any error (environment errors are one line without it)

Exit codes:
  0  every check required by the profile passed (and no regression against the baseline)
  1  a required check failed or errored, a target could not run, or a regression
  2  usage or environment error
  clean: 0 everything found was removed, 1 something could not be, 2 a run is still going
`;

const OPTIONS = {
  runtime: { type: 'string', short: 'r' },
  profile: { type: 'string', short: 'p' },
  out: { type: 'string', short: 'o' },
  grep: { type: 'string', short: 'g' },
  config: { type: 'string', short: 'c' },
  baseline: { type: 'string', short: 'b' },
  share: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  debug: { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;

const ALLOWED: Record<string, readonly OptionName[]> = {
  run: ['runtime', 'profile', 'out', 'grep', 'config', 'baseline', 'share'],
  list: ['profile'],
  diff: [],
  clean: [],
  help: [],
  version: [],
};

const COMMANDS = Object.keys(ALLOWED);

interface OptionUse {
  name: OptionName;
  rawName: string;
  value?: string;
}

export function parseCli(argv: string[]): Command {
  const { command, positionals, uses } = tokenize(argv);
  if (command !== undefined && !COMMANDS.includes(command)) {
    throw new UsageError(`unknown command "${command}" (expected ${COMMANDS.join(', ')})`);
  }
  if (uses.some((u) => u.name === 'help') || command === 'help') return { kind: 'help', text: HELP_TEXT };
  if (uses.some((u) => u.name === 'version') || command === 'version') return { kind: 'version' };
  if (command === undefined) return { kind: 'help', text: HELP_TEXT };
  for (const u of uses) {
    if (u.name !== 'debug' && !ALLOWED[command]!.includes(u.name)) throw new UsageError(`option "${u.rawName}" does not apply to "${command}"`);
  }
  const values = collect(uses);
  if (command === 'diff') return diffCommand(positionals);
  noPositionals(command, positionals);
  if (command === 'run') return runCommand(values);
  if (command === 'list') return values.profile ? { kind: 'list', profile: profileOf(last(values.profile)) } : { kind: 'list' };
  return { kind: 'clean' };
}

/** Splits argv into the command, the other positionals and option uses, checking each option's shape. */
function tokenize(argv: string[]): { command?: string; positionals: string[]; uses: OptionUse[] } {
  const tokens = parseTokens(argv);
  const positionals: string[] = [];
  const uses: OptionUse[] = [];
  for (const tok of tokens) {
    if (tok.kind === 'positional') positionals.push(tok.value);
    if (tok.kind !== 'option') continue;
    if (!(tok.name in OPTIONS)) throw new UsageError(`unknown option "${tok.rawName}"`);
    const name = tok.name as OptionName;
    if (OPTIONS[name].type === 'boolean') {
      if (tok.value !== undefined) throw new UsageError(`option "${tok.rawName}" takes no value (got "${tok.value}")`);
      uses.push({ name, rawName: tok.rawName });
      continue;
    }
    // parseArgs happily takes the next option as the value ("--profile --out"): refuse that.
    const missing = tok.value === undefined || tok.value === '' || (!tok.inlineValue && tok.value.startsWith('-'));
    if (missing) throw new UsageError(`option "${tok.rawName}" needs a value`);
    uses.push({ name, rawName: tok.rawName, value: tok.value });
  }
  const [command, ...rest] = positionals;
  return { command, positionals: rest, uses };
}

/** Non-strict parseArgs reports nothing itself; should a Node version throw anyway (ERR_PARSE_ARGS_*), it is the user's input. */
function parseTokens(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true }).tokens;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `--debug` anywhere before a `--`: read before parsing, so that a parse error's stack can be shown too. */
export function debugRequested(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--debug');
}

function collect(uses: OptionUse[]): Partial<Record<OptionName, string[]>> {
  const values: Partial<Record<OptionName, string[]>> = {};
  for (const u of uses) if (u.value !== undefined) values[u.name] = [...(values[u.name] ?? []), u.value];
  return values;
}

/** Single-valued options: the last one wins, so `npm start -- --profile x` overrides the script's. */
function last(values: string[]): string {
  return values[values.length - 1]!;
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}" for "${command}"`);
  }
}

function diffCommand(positionals: string[]): Command {
  if (positionals.length !== 2) {
    const got = positionals.length === 0 ? 'none' : positionals.map((p) => `"${p}"`).join(' ');
    throw new UsageError(`diff needs two results files, OLD and NEW (got ${got})`);
  }
  return { kind: 'diff', oldPath: positionals[0]!, newPath: positionals[1]! };
}

function runCommand(values: Partial<Record<OptionName, string[]>>): Command {
  const grep = values.grep && regexOf(last(values.grep));
  const share = values.share && commaList(values.share, '--share').map(namespaceOf);
  return {
    kind: 'run',
    runtimes: values.runtime ? commaList(values.runtime, '--runtime') : ['builtin'],
    // With --config, the file's targets are the run's, beside those --runtime names explicitly.
    ...(values.runtime ? { runtimesGiven: true } : {}),
    profile: values.profile ? profileOf(last(values.profile)) : 'baseline',
    outDir: values.out ? last(values.out) : 'reports',
    ...(grep === undefined ? {} : { grep }),
    ...(values.config ? { configPath: last(values.config) } : {}),
    ...(values.baseline ? { baselinePath: last(values.baseline) } : {}),
    ...(share === undefined ? {} : { share }),
  };
}

/** "a,b" and "--runtime a --runtime b" both work; duplicates collapse, empty names are an error. */
function commaList(values: string[], option: string): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const raw of value.split(',')) {
      const item = raw.trim();
      if (item === '') throw new UsageError(`empty name in ${option} "${value}"`);
      if (!out.includes(item)) out.push(item);
    }
  }
  return out;
}

function profileOf(value: string): Profile {
  if ((PROFILES as readonly string[]).includes(value)) return value as Profile;
  throw new UsageError(`unknown profile "${value}" (expected ${PROFILES.join(', ')})`);
}

function namespaceOf(value: string): Namespace {
  if ((NAMESPACES as readonly string[]).includes(value)) return value as Namespace;
  throw new UsageError(`unknown namespace "${value}" in --share (expected ${NAMESPACES.join(', ')})`);
}

function regexOf(value: string): string {
  try {
    new RegExp(value);
    return value;
  } catch {
    throw new UsageError(`invalid regular expression "${value}" for --grep`);
  }
}
