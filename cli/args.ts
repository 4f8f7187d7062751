/**
 * The command-line parser: pure (argv in, Command out), so it is unit-tested without spawning.
 * node:util parseArgs tokenises; the rules (which option belongs to which command, comma lists,
 * closed value sets) are ours, so every user error is one line quoting the bad input.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROFILES, type Profile } from '../model/results.js';
import { NAMESPACES, type Namespace } from '../model/spec.js';
import { isDnsLabel, nodeName, runtimeClassRef, type RuntimeClassRef } from '../fleet/names.js';

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
      /** The report formats to write (FORMATS), in the order given. */
      formats: Format[];
      /** Only the verdict line and the errors: no progress, no summary. */
      quiet?: boolean;
      /** --no-color: plain text on a terminal too. */
      noColor?: boolean;
    }
  | { kind: 'list'; profile?: Profile; json?: boolean }
  | { kind: 'diff'; oldPath: string; newPath: string; json?: boolean }
  | { kind: 'clean' }
  | {
      kind: 'merge';
      /** The results files in command-line order of the operands, then the --as files not among them. */
      inputs: MergeInputSpec[];
      outDir: string;
      formats: Format[];
    }
  | {
      kind: 'inspect';
      /** --exec ENGINE:TARGET (targets/inspect/exec.ts parses it), or --facts FILE: exactly one. */
      exec?: string;
      factsPath?: string;
      profile: Profile;
      outDir: string;
      grep?: string;
      formats: Format[];
      quiet?: boolean;
      noColor?: boolean;
    }
  | K8sCommand
  | { kind: 'help'; text: string }
  | { kind: 'version' };

/** A results file to merge; `name` from --as, else derived from the path (reports/merge.ts mergeName). */
export interface MergeInputSpec {
  file: string;
  name?: string;
}

/** What a fleet run is, whether its files are only written or applied too. */
export interface K8sFleetOptions {
  /** A count: placeholders node-1..N (names cannot be known offline); or the nodes' names. */
  nodes: { count: number } | { names: string[] };
  runtimeClasses: RuntimeClassRef[];
  namespace?: string;
  image?: string;
  timeoutS: number;
  parallelism: number;
  outDir?: string;
}

/**
 * `k8s`: a fleet's manifests (generate), the same run in the current cluster (apply), or, inside
 * an observer, its results as the one-line log record (record).
 */
export type K8sCommand =
  | { kind: 'k8s'; mode: 'record'; resultsPath: string }
  | ({ kind: 'k8s'; mode: 'generate' } & K8sFleetOptions)
  | ({
      kind: 'k8s';
      mode: 'apply';
      /** A cluster's nodes by name: placeholders name none. */
      nodes: { names: string[] };
      kubeconfig?: string;
      formats: Format[];
    } & Omit<K8sFleetOptions, 'nodes'>);

/** What `run --format` can write: files in --out, and `github` (workflow commands on stdout, the Markdown summary to $GITHUB_STEP_SUMMARY). */
export const FORMATS = ['junit', 'json', 'html', 'md', 'tap', 'sarif', 'csv', 'github'] as const;
export type Format = (typeof FORMATS)[number];
export const DEFAULT_FORMATS: Format[] = ['junit', 'json', 'html', 'md'];

export const K8S_DEFAULTS = { timeoutS: 600, parallelism: 10 };
/** Kubernetes' documented largest cluster. */
const K8S_MAX_NODES = 5000;

export const HELP_TEXT = `Usage: isoprobe <command> [options]   (isoprobe help <command>: its options)

Commands:
  run                 run every check against each target and write the reports
  list                list the checks (with --profile, only those it requires)
  diff OLD NEW        compare two results JSON files; regressions exit 1
  clean               remove what killed runs left (containers of every runtime, bundles,
                      cgroups, mounts) and the Docker probe image
  merge FILE...       combine the results files of several machines into one run and its reports
  inspect             judge one running container from inside it alone (no host access)
  k8s                 write a Kubernetes fleet's manifests (observers, subject pods), or --apply them
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
  -f, --format LIST   reports to write (default: ${DEFAULT_FORMATS.join(',')}); any of
                      ${FORMATS.join(',')} (github: annotations on stdout,
                      the matrix appended to $GITHUB_STEP_SUMMARY when set)
  -q, --quiet         print only the verdict line (errors still go to stderr)
      --no-color      no colour on a terminal either (none elsewhere, nor with NO_COLOR set)
Options for list:
  -p, --profile NAME
      --json          the catalogue as JSON
Options for diff:
      --json          the differences as JSON
Options for merge:
  -o, --out DIR       where the merged reports are written (default: reports)
  -f, --format LIST   as for run (default: ${DEFAULT_FORMATS.join(',')})
      --as NAME=FILE  merge FILE as NAME (repeatable; FILE need not be given again); without it
                      DIR/results.json is named DIR, any other FILE its name without .json
                      Targets are named NAME/<target>; a FILE that cannot be read or is not
                      results is a target NAME/(machine) that could not run (exit 1)
Options for inspect:
      --exec TARGET   copy the probe into a running container and run it there:
                      docker:<id>, podman:<id>, kubectl:<namespace>/<pod>[/<container>]
      --facts FILE    judge a facts document (probe facts > FILE, run anywhere) instead
  -p, --profile NAME  as for run (default: baseline)
  -o, --out DIR       where reports are written (default: reports)
  -g, --grep REGEX    only checks whose id or title matches
  -f, --format LIST   as for run (default: ${DEFAULT_FORMATS.join(',')})
  -q, --quiet         print only the verdict line
      --no-color      no colour on a terminal either
                      Checks reading host-side evidence skip (evidence); the inside area holds
                      the weaker inside-only namespace checks
Options for k8s:
      --nodes N|LIST  N nodes (the manifests then name them node-1..N: names are not known
                      offline), or the nodes' names, comma-separated
      --runtime-class LIST  RuntimeClasses to test, NAME or NAME=HANDLER, comma-separated
                      (the cluster's; isoprobe creates none)
      --namespace NS  the observers' namespace (default: isoprobe-<nonce>), labelled privileged
                      for Pod Security admission
      --image IMAGE   the observer's image: isoprobe with node and ctr (default: isoprobe:VERSION)
      --timeout S     each observer's deadline, in seconds (default: ${K8S_DEFAULTS.timeoutS})
      --parallelism P observers running at once (default: ${K8S_DEFAULTS.parallelism})
  -o, --out DIR       where the files go, empty or new (default: isoprobe-k8s-<nonce>); with
                      --apply the reports and each node's results too
      --apply         run the plan in the current cluster: create the namespace and the
                      observers (--parallelism at a time, each within --timeout), read their
                      results, delete the namespace (also on error and Ctrl-C), report the
                      nodes' results merged as <node>/<target>; needs the nodes' names and the
                      ClusterRole in client/clusterrole.json
      --kubeconfig FILE  (with --apply) the cluster's kubeconfig (default: KUBECONFIG,
                      ~/.kube/config, or the pod's service account)
  -f, --format LIST   (with --apply) as for run (default: ${DEFAULT_FORMATS.join(',')})
      --record FILE   (inside an observer) print results FILE as the one-line log record
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
  as: { type: 'string' },
  exec: { type: 'string' },
  facts: { type: 'string' },
  format: { type: 'string', short: 'f' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  debug: { type: 'boolean' },
  nodes: { type: 'string' },
  'runtime-class': { type: 'string' },
  namespace: { type: 'string' },
  image: { type: 'string' },
  timeout: { type: 'string' },
  parallelism: { type: 'string' },
  record: { type: 'string' },
  apply: { type: 'boolean' },
  kubeconfig: { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;

const ALLOWED: Record<string, readonly OptionName[]> = {
  run: ['runtime', 'profile', 'out', 'grep', 'config', 'baseline', 'share', 'format', 'quiet', 'no-color'],
  list: ['profile', 'json'],
  diff: ['json'],
  clean: [],
  merge: ['out', 'format', 'as'],
  inspect: ['exec', 'facts', 'profile', 'out', 'grep', 'format', 'quiet', 'no-color'],
  k8s: ['nodes', 'runtime-class', 'namespace', 'image', 'timeout', 'parallelism', 'out', 'record', 'apply', 'kubeconfig', 'format'],
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
    const near = nearest(command, COMMANDS);
    throw new UsageError(`unknown command "${command}"${near ? ` (did you mean "${near}"?)` : ''} (expected ${COMMANDS.join(', ')})`);
  }
  // `help run`, `run --help`: that command's part of the text.
  if (command === 'help' && positionals.length > 0) return { kind: 'help', text: commandHelp(positionals[0]!) };
  if (uses.some((u) => u.name === 'help') && command !== undefined && command !== 'help') return { kind: 'help', text: commandHelp(command) };
  if (uses.some((u) => u.name === 'help') || command === 'help') return { kind: 'help', text: HELP_TEXT };
  if (uses.some((u) => u.name === 'version') || command === 'version') return { kind: 'version' };
  if (command === undefined) return { kind: 'help', text: HELP_TEXT };
  for (const u of uses) {
    if (u.name !== 'debug' && !ALLOWED[command]!.includes(u.name)) throw new UsageError(`option "${u.rawName}" does not apply to "${command}"`);
  }
  const values = collect(uses);
  const flag = (name: OptionName) => uses.some((u) => u.name === name);
  if (command === 'diff') return { ...diffCommand(positionals), ...(flag('json') ? { json: true } : {}) };
  if (command === 'merge') return mergeCommand(positionals, values);
  if (command === 'inspect') {
    noPositionals(command, positionals);
    return { ...inspectCommand(values), ...(flag('quiet') ? { quiet: true } : {}), ...(flag('no-color') ? { noColor: true } : {}) };
  }
  noPositionals(command, positionals);
  if (command === 'k8s') return k8sCommand(values, flag('apply'));
  if (command === 'run') return { ...runCommand(values), ...(flag('quiet') ? { quiet: true } : {}), ...(flag('no-color') ? { noColor: true } : {}) };
  if (command === 'list')
    return { kind: 'list', ...(values.profile ? { profile: profileOf(last(values.profile)) } : {}), ...(flag('json') ? { json: true } : {}) };
  return { kind: 'clean' };
}

/** The usage line, the command's own line and its options, from HELP_TEXT. */
function commandHelp(command: string): string {
  if (!COMMANDS.includes(command)) {
    const near = nearest(command, COMMANDS);
    throw new UsageError(`no help for "${command}"${near ? ` (did you mean "${near}"?)` : ''} (commands: ${COMMANDS.join(', ')})`);
  }
  const lines = HELP_TEXT.split('\n');
  const own = lines.filter((l) => new RegExp(`^  ${command}\\b`).test(l));
  const start = lines.indexOf(`Options for ${command}:`);
  const block = (from: number) =>
    from < 0
      ? []
      : lines.slice(
          from,
          lines.findIndex((l, i) => i > from && /^\S/.test(l)),
        );
  const options = block(start);
  const global = block(lines.indexOf('Global:'));
  const operands: Record<string, string> = { diff: ' OLD NEW', merge: ' FILE...' };
  const usage = `Usage: isoprobe ${command}${operands[command] ?? ''} [options]`;
  return `${[usage, '', ...own, ...(options.length ? ['', ...options] : []), '', ...global].join('\n')}\n`;
}

/** The command a mistyped one is closest to (at most two edits away), if any. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length]![b.length]!;
  };
  const best = candidates.map((c) => [c, distance(word, c)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? best[0] : undefined;
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

function mergeCommand(positionals: string[], values: Partial<Record<OptionName, string[]>>): Command {
  const named = (values.as ?? []).map(asOf);
  const inputs: MergeInputSpec[] = positionals.map((file) => {
    const as = named.find((n) => path.normalize(n.file) === path.normalize(file));
    return as ? { file, name: as.name } : { file };
  });
  for (const n of named) if (!inputs.some((i) => i.name === n.name && path.normalize(i.file) === path.normalize(n.file))) inputs.push(n);
  if (inputs.length === 0) throw new UsageError('merge needs at least one results file (FILE... or --as NAME=FILE)');
  return {
    kind: 'merge',
    inputs,
    outDir: values.out ? last(values.out) : 'reports',
    formats: values.format ? formatsOf(values.format) : [...DEFAULT_FORMATS],
  };
}

function inspectCommand(values: Partial<Record<OptionName, string[]>>): Command {
  const exec = values.exec ? last(values.exec) : undefined;
  const factsPath = values.facts ? last(values.facts) : undefined;
  if ((exec === undefined) === (factsPath === undefined)) throw new UsageError('inspect needs exactly one of --exec ENGINE:TARGET and --facts FILE');
  return {
    kind: 'inspect',
    ...(exec !== undefined ? { exec } : {}),
    ...(factsPath !== undefined ? { factsPath } : {}),
    profile: values.profile ? profileOf(last(values.profile)) : 'baseline',
    outDir: values.out ? last(values.out) : 'reports',
    ...(values.grep ? { grep: last(values.grep) } : {}),
    formats: values.format ? formatsOf(values.format) : [...DEFAULT_FORMATS],
  };
}

/** `--as node-a=a/results.json`: the name prefixes the file's targets (NAME/<target>), so it holds no "/". */
function asOf(value: string): { file: string; name: string } {
  const eq = value.indexOf('=');
  const name = value.slice(0, Math.max(eq, 0));
  const file = value.slice(eq + 1);
  if (eq <= 0 || file === '') throw new UsageError(`--as "${value}" is not NAME=FILE`);
  if (name.includes('/')) throw new UsageError(`--as "${value}": the name "${name}" may not contain "/" (targets are named NAME/<target>)`);
  return { file, name };
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
    formats: values.format ? formatsOf(values.format) : [...DEFAULT_FORMATS],
  };
}

function formatsOf(values: string[]): Format[] {
  const list = commaList(values, '--format');
  for (const f of list) {
    if (!(FORMATS as readonly string[]).includes(f)) {
      const near = nearest(f, FORMATS);
      throw new UsageError(`unknown format "${f}"${near ? ` (did you mean "${near}"?)` : ''} in --format (expected any of ${FORMATS.join(', ')})`);
    }
  }
  return [...new Set(list)] as Format[];
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

function k8sCommand(values: Partial<Record<OptionName, string[]>>, apply: boolean): K8sCommand {
  if (values.record) {
    const other = apply ? 'apply' : (Object.keys(values) as OptionName[]).find((k) => k !== 'record');
    if (other) throw new UsageError(`--record prints one results file's log record: "--${other}" does not apply to it`);
    return { kind: 'k8s', mode: 'record', resultsPath: last(values.record) };
  }
  const fleet = k8sFleet(values);
  if (!apply) {
    const only = (['kubeconfig', 'format'] as const).find((k) => values[k]);
    if (only) throw new UsageError(`--${only} applies to k8s --apply only (without it, k8s writes files and talks to no cluster)`);
    return { kind: 'k8s', mode: 'generate', ...fleet };
  }
  if ('count' in fleet.nodes) {
    throw new UsageError(`--apply needs the nodes' names (--nodes NAME,NAME): --nodes ${fleet.nodes.count} would name placeholders no cluster has`);
  }
  return {
    kind: 'k8s',
    mode: 'apply',
    ...fleet,
    nodes: fleet.nodes,
    ...(values.kubeconfig ? { kubeconfig: last(values.kubeconfig) } : {}),
    formats: values.format ? formatsOf(values.format) : [...DEFAULT_FORMATS],
  };
}

function k8sFleet(values: Partial<Record<OptionName, string[]>>): K8sFleetOptions {
  if (!values.nodes) throw new UsageError('k8s needs --nodes (a number of nodes, or their names)');
  if (!values['runtime-class']) throw new UsageError('k8s needs --runtime-class (the RuntimeClasses to test, e.g. runc,runsc)');
  const namespace = values.namespace && last(values.namespace);
  if (namespace !== undefined && !isDnsLabel(namespace)) throw new UsageError(`--namespace "${namespace}" is not a DNS-1123 label (as namespaces are named)`);
  const image = values.image && last(values.image);
  if (image !== undefined && /\s/.test(image)) throw new UsageError(`--image "${image}" has white space in it`);
  const runtimeClasses = commaList(values['runtime-class'], '--runtime-class').map((spec) => fleetName(() => runtimeClassRef(spec)));
  const twice = runtimeClasses.find((rc, i) => runtimeClasses.findIndex((x) => x.name === rc.name) !== i);
  if (twice) throw new UsageError(`RuntimeClass "${twice.name}" is named twice in --runtime-class`);
  return {
    nodes: nodesOf(values.nodes),
    runtimeClasses,
    ...(namespace === undefined ? {} : { namespace }),
    ...(image === undefined ? {} : { image }),
    timeoutS: values.timeout ? positiveInt(last(values.timeout), '--timeout', 86_400) : K8S_DEFAULTS.timeoutS,
    parallelism: values.parallelism ? positiveInt(last(values.parallelism), '--parallelism', K8S_MAX_NODES) : K8S_DEFAULTS.parallelism,
    ...(values.out ? { outDir: last(values.out) } : {}),
  };
}

/** `--nodes 3` is a count; anything else is a list of node names (a node named only by digits cannot be given). */
function nodesOf(values: string[]): { count: number } | { names: string[] } {
  const v = last(values);
  if (/^\d+$/.test(v)) return { count: positiveInt(v, '--nodes', K8S_MAX_NODES) };
  const names = commaList([v], '--nodes').map((n) => fleetName(() => nodeName(n)));
  if (names.length > K8S_MAX_NODES) throw new UsageError(`--nodes names ${names.length} nodes, more than ${K8S_MAX_NODES}`);
  return { names };
}

/** A name check of fleet/ (a ConfigError there) as the usage error it is here. */
function fleetName<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function positiveInt(value: string, option: string, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= max)) throw new UsageError(`${option} "${value}" is not a whole number from 1 to ${max}`);
  return n;
}
