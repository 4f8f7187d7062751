/**
 * Bad input to `isoprobe`, as a table: what a user typed (and the files it names), the exit code
 * and the one line on stderr. Shared by bad-input.test.ts (any user) and bad-input.root.test.ts
 * (root), which assert on every row that nothing was created.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT, RUN_ROOT } from '../../host/paths.js';

export const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');

export interface BadInput {
  /** The input in words, for the table of the acceptance. */
  what: string;
  /** Arguments after `isoprobe`; "DIR" is the row's own directory (also the working directory). */
  args: string[];
  /** Files the row needs, made in DIR before it runs: name → content, or a function making it. */
  files?: Record<string, string | ((file: string) => void)>;
  /** Environment variables over the test's own ("DIR" replaced as in args). */
  env?: Record<string, string>;
  code: number;
  message: RegExp;
}

const ONE_TARGET = (extra: string) => `{"targets": [{"name": "d", "runtime": "docker"${extra}}]}`;
const DEEP = 20_000;
const HINT = '; see "isoprobe --help"$';
const usage = (text: string) => new RegExp(`^isoprobe: ${text}.*${HINT}`);

/** Rows a user who is not root can see in full: each fails before the run would need root. */
export const USER_ROWS: BadInput[] = [
  // the command line
  {
    what: 'an unknown command',
    args: ['frob'],
    code: 2,
    message: usage('unknown command "frob" \\(expected run, list, diff, clean, merge, inspect, k8s, help, version\\)'),
  },
  { what: 'an unknown option', args: ['run', '--frob'], code: 2, message: usage('unknown option "--frob"') },
  { what: 'an unknown short option', args: ['run', '-x'], code: 2, message: usage('unknown option "-x"') },
  { what: 'an option without its value', args: ['run', '--profile'], code: 2, message: usage('option "--profile" needs a value') },
  { what: 'an option followed by another option', args: ['run', '--out', '--grep', 'pid'], code: 2, message: usage('option "--out" needs a value') },
  { what: 'an empty inline value', args: ['run', '--out='], code: 2, message: usage('option "--out" needs a value') },
  { what: 'an option of another command', args: ['list', '--out', 'x'], code: 2, message: usage('option "--out" does not apply to "list"') },
  { what: 'a value given to a flag', args: ['--help=yes'], code: 2, message: usage('option "--help" takes no value \\(got "yes"\\)') },
  {
    what: 'an unknown profile',
    args: ['run', '--profile', 'strictest'],
    code: 2,
    message: usage('unknown profile "strictest" \\(expected baseline, restricted, strict, sandbox\\)'),
  },
  { what: 'an unknown profile for list', args: ['list', '-p', 'foo'], code: 2, message: usage('unknown profile "foo"') },
  { what: 'an unknown namespace in --share', args: ['run', '--share', 'pidd'], code: 2, message: usage('unknown namespace "pidd" in --share') },
  { what: 'an empty name in --runtime', args: ['run', '--runtime', 'builtin,'], code: 2, message: usage('empty name in --runtime "builtin,"') },
  { what: 'a stray argument', args: ['run', 'extra'], code: 2, message: usage('unexpected argument "extra" for "run"') },
  { what: 'diff with one file', args: ['diff', 'a.json'], code: 2, message: usage('diff needs two results files, OLD and NEW \\(got "a.json"\\)') },
  { what: 'an invalid regular expression', args: ['run', '--grep', '('], code: 2, message: usage('invalid regular expression "\\(" for --grep') },
  { what: '--grep selecting no check', args: ['run', '--grep', 'no-such-check'], code: 2, message: usage('--grep "no-such-check" selects no check') },
  { what: '--grep with a typo in an id', args: ['run', '--grep', '^pid\\.own-nss'], code: 2, message: usage('--grep "\\^pid\\\\.own-nss" selects no check') },
  { what: '--grep with a line break', args: ['run', '--grep', 'a\nb'], code: 2, message: usage('--grep "a\\\\nb" selects no check') },
  // k8s (cli/args.ts, cli/k8s.ts): nothing is written
  {
    what: 'k8s --nodes 0',
    args: ['k8s', '--nodes', '0', '--runtime-class', 'runc'],
    code: 2,
    message: usage('--nodes "0" is not a whole number from 1 to 5000'),
  },
  {
    what: 'k8s with a RuntimeClass name that is not DNS-1123',
    args: ['k8s', '--nodes', '2', '--runtime-class', 'runc,Kata_QEMU'],
    code: 2,
    message: usage('RuntimeClass name "Kata_QEMU" is not a DNS-1123 subdomain'),
  },
  {
    what: 'k8s with an unknown option',
    args: ['k8s', '--nodes', '2', '--runtime-class', 'runc', '--apply-now'],
    code: 2,
    message: usage('unknown option "--apply-now"'),
  },
  // k8s --apply (cli/k8s-apply.ts): refused before any file is written or any call made
  {
    what: 'k8s --apply with a count of nodes',
    args: ['k8s', '--apply', '--nodes', '2', '--runtime-class', 'runc'],
    code: 2,
    message: usage("--apply needs the nodes' names \\(--nodes NAME,NAME\\): --nodes 2 would name placeholders no cluster has"),
  },
  {
    what: 'k8s --kubeconfig without --apply',
    args: ['k8s', '--nodes', 'a', '--runtime-class', 'runc', '--kubeconfig', 'DIR/kc'],
    code: 2,
    message: usage('--kubeconfig applies to k8s --apply only'),
  },
  {
    what: 'k8s --apply with a kubeconfig that does not exist',
    args: ['k8s', '--apply', '--nodes', 'a', '--runtime-class', 'runc', '--kubeconfig', 'DIR/none', '--out', 'DIR/out'],
    code: 2,
    message: /^isoprobe: cannot read the kubeconfig .*\/none: ENOENT$/,
  },
  {
    what: 'k8s --apply with no kubeconfig anywhere',
    args: ['k8s', '--apply', '--nodes', 'a', '--runtime-class', 'runc', '--out', 'DIR/out'],
    env: { HOME: 'DIR', KUBECONFIG: '' },
    code: 2,
    message: /^isoprobe: no kubeconfig: KUBECONFIG is not set, .*\/\.kube\/config does not exist and this is not a pod \(give --kubeconfig FILE\)$/,
  },
  {
    what: 'k8s --apply with a kubeconfig that is not one',
    args: ['k8s', '--apply', '--nodes', 'a', '--runtime-class', 'runc', '--kubeconfig', 'DIR/kc', '--out', 'DIR/out'],
    files: { kc: 'clusters: [\n  {name: a\n' },
    code: 2,
    message: /^isoprobe: cannot read the kubeconfig .*\/kc: /,
  },
  {
    what: 'k8s --out naming a file',
    args: ['k8s', '--nodes', '2', '--runtime-class', 'runc', '--out', 'DIR/f'],
    files: { f: '' },
    code: 2,
    message: /^isoprobe: cannot write the fleet's files to --out ".*\/f": .*\/f is not a directory$/,
  },
  {
    what: 'k8s --out in a directory that is not empty',
    args: ['k8s', '--nodes', '2', '--runtime-class', 'runc', '--out', 'DIR/old'],
    files: {
      old: (f) => {
        fs.mkdirSync(path.join(f, 'nodes'), { recursive: true });
        fs.chmodSync(f, 0o777);
      },
    },
    code: 2,
    message: /^isoprobe: --out ".*\/old" is not empty \(a fleet's files are one run's: name a new directory\)$/,
  },
  // targets
  {
    what: 'an unknown runtime',
    args: ['run', '--runtime', 'no-such-kind'],
    code: 2,
    message:
      /^isoprobe: unknown runtime "no-such-kind" \(known: builtin, docker, docker-runsc, runc, crun, bwrap, podman, podman-rootless, cri, runsc, firejail, nspawn, lxc, command; /m,
  },
  {
    what: '--share with --config',
    args: ['run', '--share', 'pid', '--config', 'DIR/t.json'],
    files: { 't.json': ONE_TARGET('') },
    code: 2,
    message: /^isoprobe: --share and --config cannot be combined/,
  },
  {
    what: 'a target name given by both --runtime and --config',
    args: ['run', '--runtime', 'builtin', '--config', 'DIR/t.json'],
    files: { 't.json': '{"targets": [{"name": "builtin", "runtime": "bwrap"}]}' },
    code: 2,
    message: /^isoprobe: target name "builtin" is given by both --runtime and --config .*t\.json: rename it in the file$/,
  },
  {
    what: '--share on a non-built-in target',
    args: ['run', '--runtime', 'docker', '--share', 'pid'],
    code: 2,
    message: /^isoprobe: --share applies to the built-in runtime only, not "docker"/,
  },
  // command targets (targets/command/placeholders.ts)
  ...(
    [
      ['no {probe}', '["unshare", "--", "{args}"]', /targets\.0\.argv: "\{probe\}" must appear exactly once in argv \(found 0 times\)$/],
      ['an unknown placeholder', '["unshare", "{probe}", "{arg}"]', /targets\.0\.argv: unknown placeholder "\{arg\}" \(known: /],
      ['an empty argv', '[]', /targets\.0\.argv: argv is empty/],
    ] as const
  ).map(([what, argv, message]) => ({
    what: `a command target with ${what}`,
    args: ['run', '--config', 'DIR/t.json'],
    files: { 't.json': `{"targets": [{"name": "c", "runtime": "command", "argv": ${argv}}]}` },
    code: 2,
    message: new RegExp(`^isoprobe: invalid target config .*t\\.json: ${message.source}`),
  })),

  // config files
  { what: 'a missing config', args: ['run', '--config', 'DIR/none.json'], code: 2, message: /^isoprobe: cannot read target config .*none\.json: ENOENT/ },
  { what: 'a config that is a directory', args: ['run', '--config', 'DIR'], code: 2, message: /^isoprobe: cannot read target config .*: EISDIR/ },
  {
    what: 'a config that is not JSON (over several lines)',
    args: ['run', '--config', 'DIR/t.json'],
    files: { 't.json': '{"targets": [\n  {"name": "a",\n   x}]}' },
    code: 2,
    message: /^isoprobe: cannot read target config .*t\.json: Expected double-quoted property name in JSON at position \d+/,
  },
  {
    what: 'a config over 1 MiB',
    args: ['run', '--config', 'DIR/t.json'],
    files: { 't.json': ONE_TARGET(`, "hostConfig": {"Dns": ["${'x'.repeat(1 << 20)}"]}`) },
    code: 2,
    message: /^isoprobe: cannot read target config .*t\.json: larger than 1 MiB$/,
  },
  {
    what: 'a config that never ends (/dev/zero)',
    args: ['run', '--config', '/dev/zero'],
    code: 2,
    message: /^isoprobe: cannot read target config \/dev\/zero: larger than 1 MiB$/,
  },
  {
    what: `a hostConfig nested ${DEEP} deep`,
    args: ['run', '--config', 'DIR/t.json'],
    files: { 't.json': ONE_TARGET(`, "hostConfig": {"Ulimits": ${'{"A": '.repeat(DEEP)}1${'}'.repeat(DEEP)}}`) },
    code: 2,
    message: /^isoprobe: invalid target config .*t\.json: targets\.0\.hostConfig\.Ulimits(\.A){28}: nested deeper than 32 levels$/,
  },
  {
    what: 'an integer beyond 2^53',
    args: ['run', '--config', 'DIR/t.json'],
    files: { 't.json': ONE_TARGET(', "hostConfig": {"Memory": 9007199254740993}') },
    code: 2,
    message: /^isoprobe: invalid target config .*t\.json: targets\.0\.hostConfig\.Memory: the number 9007199254740993 is beyond 2\^53 - 1/,
  },
  {
    what: 'a number out of range',
    args: ['run', '--config', 'DIR/t.json'],
    files: { 't.json': ONE_TARGET(', "hostConfig": {"PidsLimit": 1e400}') },
    code: 2,
    message: /^isoprobe: invalid target config .*t\.json: targets\.0\.hostConfig\.PidsLimit: the number 1e400 is out of range$/,
  },
  {
    what: 'a key given twice',
    args: ['run', '--config', 'DIR/t.json'],
    files: { 't.json': '{"targets": [{"name": "a", "runtime": "builtin", "name": "b"}]}' },
    code: 2,
    message: /^isoprobe: invalid target config .*t\.json: targets\.0\.name: the key "name" is given twice in the same object$/,
  },
  {
    what: 'a key given twice, spelled differently',
    args: ['run', '--config', 'DIR/t.json'],
    files: { 't.json': '{"targets": [{"name": "a", "runtime": "docker", "hostConfig": {"PidMode": "host", "Pid\\u004dode": ""}}]}' },
    code: 2,
    message: /^isoprobe: invalid target config .*t\.json: targets\.0\.hostConfig\.PidMode: the key "PidMode" is given twice/,
  },
  {
    what: 'a target name used twice',
    args: ['run', '--config', 'DIR/t.json'],
    files: { 't.json': '{"targets": [{"name": "a", "runtime": "builtin"}, {"name": "a", "runtime": "docker"}]}' },
    code: 2,
    message: /^isoprobe: invalid target config .*t\.json: target name "a" is used twice$/,
  },
  {
    what: 'a value outside the schema',
    args: ['run', '--config', 'DIR/t.json'],
    files: { 't.json': '{"targets": [{"name": "x", "runtime": "builtin", "share": ["pidd"]}]}' },
    code: 2,
    message: /^isoprobe: invalid target config .*t\.json: targets\.0\.share\.0: /,
  },
  {
    what: 'an unknown field',
    args: ['run', '--config', 'DIR/t.json'],
    files: { 't.json': '{"targets": [{"name": "x", "runtime": "builtin", "shares": ["pid"]}]}' },
    code: 2,
    message: /^isoprobe: invalid target config .*t\.json: targets\.0: Unrecognized key: "shares"$/,
  },
  // results files
  { what: 'a missing baseline', args: ['run', '--baseline', 'DIR/none.json'], code: 2, message: /^isoprobe: .*none\.json: cannot read results: ENOENT$/ },
  {
    what: 'diff of a file that is not JSON',
    args: ['diff', 'DIR/a.json', 'DIR/a.json'],
    files: { 'a.json': '{\n"schema":\n' },
    code: 2,
    message: /^isoprobe: .*a\.json: not valid JSON: /,
  },
  // --out
  {
    what: '--out naming a file',
    args: ['run', '--out', 'DIR/f'],
    files: { f: '' },
    code: 2,
    message: /^isoprobe: cannot write the reports to --out ".*\/f": .*\/f is not a directory$/,
  },
  {
    what: '--out under a file',
    args: ['run', '--out', 'DIR/f/reports'],
    files: { f: '' },
    code: 2,
    message: /^isoprobe: cannot write the reports to --out ".*\/f\/reports": .*\/f is not a directory$/,
  },
  {
    what: '--out holding a directory named results.json',
    args: ['run', '--out', 'DIR/out'],
    files: {
      out: (f) => {
        fs.mkdirSync(path.join(f, 'results.json'), { recursive: true });
        fs.chmodSync(f, 0o777);
      },
    },
    code: 2,
    message: /^isoprobe: cannot write the reports to --out ".*\/out": .*\/out\/results\.json is in the way \(not a regular file\)$/,
  },
  {
    what: '--out a symbolic link to nothing',
    args: ['run', '--out', 'DIR/link'],
    files: { link: (f) => fs.symlinkSync('/nonexistent/isoprobe', f) },
    code: 2,
    message: /^isoprobe: cannot write the reports to --out ".*\/link": .*\/link is a symbolic link to nothing$/,
  },
];

/** A directory the user cannot write: mode bits stop every user but root (root's rows use a read-only mount). */
export const UNWRITABLE_ROW: BadInput = {
  what: '--out in a directory the user cannot write',
  args: ['run', '--out', 'DIR/ro/reports'],
  files: { ro: (f) => fs.mkdirSync(f, { mode: 0o555 }) },
  code: 2,
  message: /^isoprobe: cannot write the reports to --out ".*\/ro\/reports": .*\/ro is not writable \(permission denied\)$/,
};

/** Rows where the input is fine and only root is missing: the input checks let good input through. */
export const ACCEPTED_ROWS: BadInput[] = [
  { what: 'run as a user who is not root', args: ['run'], code: 2, message: /^isoprobe: isoprobe run needs root/ },
  {
    what: 'a config with a UTF-8 byte-order mark (accepted)',
    args: ['run', '--config', 'DIR/t.json'],
    files: { 't.json': '\uFEFF{"targets": [{"name": "b", "runtime": "builtin"}]}' },
    code: 2,
    message: /^isoprobe: isoprobe run needs root/,
  },
  { what: '--grep on an id (^pid\\.)', args: ['run', '--grep', '^pid\\.'], code: 2, message: /^isoprobe: isoprobe run needs root/ },
];

export interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
  pid: number | undefined;
  dir: string;
  /** What DIR held before the run, to compare with after. */
  before: string[];
}

export interface RowOptions {
  uid?: number;
  env?: NodeJS.ProcessEnv;
  /** A command to run isoprobe under (unshare, sh -c), given isoprobe's argv and the row's directory. */
  wrap?: (argv: string[], dir: string) => string[];
}

/** Makes the row's directory and files, runs isoprobe there, and says what happened. */
export async function runRow(row: BadInput, parent: string, i: number, opts: RowOptions = {}): Promise<Outcome> {
  const dir = path.join(parent, `row-${i}`);
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o777); // the working directory of a run as another user: writable, so only the row's input is wrong
  for (const [name, content] of Object.entries(row.files ?? {})) {
    const f = path.join(dir, name);
    if (typeof content === 'string') fs.writeFileSync(f, content);
    else content(f);
  }
  const before = listTree(dir);
  const argv = [process.execPath, CLI, ...row.args.map((a) => a.replace('DIR', dir))];
  const [cmd, ...args] = opts.wrap ? opts.wrap(argv, dir) : argv;
  const rowEnv = Object.fromEntries(Object.entries(row.env ?? {}).map(([k, v]) => [k, v.replace('DIR', dir)]));
  const env = { ...(opts.env ?? process.env), ...rowEnv };
  const child = spawn(cmd!, args, { cwd: dir, uid: opts.uid, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const status = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', (code) => resolve(code)));
  return { status, stdout, stderr, pid: child.pid, dir, before };
}

/** Runs the rows `width` at a time (each is a Node start-up, ~1 s of CPU), their outcomes in order. */
export async function runRows(rows: BadInput[], parent: string, opts: RowOptions = {}, width = 2): Promise<Outcome[]> {
  const out: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < rows.length; i = next++) out[i] = await runRow(rows[i]!, parent, i, opts);
  };
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}

/** The assertions every row makes, whoever runs it. */
export function expectOneLineAndNothingMade(row: BadInput, outcome: Outcome): void {
  const { status, stdout, stderr, pid, dir, before } = outcome;
  expect(status, stderr).to.equal(row.code);
  const lines = stderr.split('\n');
  expect(lines, `exactly one line on stderr: ${JSON.stringify(stderr)}`).to.have.length(2);
  expect(lines[1]).to.equal('');
  expect(lines[0]).to.match(row.message);
  expect(lines[0]).to.not.match(/internal error|^\s+at /);
  expect(stdout).to.equal('');
  expect(listTree(dir), 'the row left its directory as it was').to.deep.equal(before);
  expect(runDirsOf(pid), 'no run directory').to.deep.equal([]);
}

/** Every path under `dir` (relative), sorted: what a row's run must leave unchanged. */
export function listTree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

/** Run directories of the process `pid` under the run root: a run that failed its input made none. */
export function runDirsOf(pid: number | undefined): string[] {
  try {
    return fs.readdirSync(RUN_ROOT).filter((n) => n.startsWith(`run-${pid}-`));
  } catch {
    return [];
  }
}
