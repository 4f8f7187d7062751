#!/usr/bin/env node
/**
 * isoprobe's command line. Exit codes: 0 every required check passed, 1 a required check failed
 * or a regression was found, 2 usage or environment error (one line on stderr).
 */
import fs from 'node:fs';
import path from 'node:path';
import { cleanupAll, exitAfterCleanup } from '../host/cleanup.js';
import { ConfigError, EnvError } from '../model/errors.js';
import { DeadlineError } from '../model/deadline.js';
import { REPO_ROOT } from '../host/paths.js';
import { EXIT } from '../model/results.js';
import { runSuite, type TargetDone } from '../engine/run.js';
import type { Namespace } from '../model/spec.js';
import { DRIVERS, targetsFromFile, targetsFromRuntimes, type TargetConfig } from '../targets/registry.js';
import { diffResults, diffText } from '../reports/diff.js';
import { ProgressReporter } from '../reports/progress.js';
import { readResults } from '../reports/results-json.js';
import { exitCodeFor, summaryText } from '../reports/summary.js';
import { CATALOGUE } from '../checks/catalogue.js';
import { selectChecks } from '../model/check.js';
import { writableDirProblem } from '../host/writable-dir.js';
import { debugRequested, parseCli, UsageError, type Command } from './args.js';
import { terminalSafe } from '../reports/text.js';
import { ansi, colourWanted, plain } from '../reports/colour.js';
import { cleanCommand } from './clean.js';
import { inspectCommand } from './inspect.js';
import { mergeCommand } from './merge.js';
import { reportFiles, writeGithub, writeReports } from './write-reports.js';
import { k8sCommand } from './k8s.js';
import { k8sApplyCommand } from './k8s-apply.js';

const VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version;

async function main(argv: string[]): Promise<number> {
  const cmd = parseCli(argv);
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(cmd.text);
      return EXIT.ok;
    case 'version':
      process.stdout.write(`isoprobe ${VERSION}\n`);
      return EXIT.ok;
    case 'list':
      process.stdout.write(cmd.json ? listJson(cmd.profile) : listText(cmd.profile));
      return EXIT.ok;
    case 'diff':
      return diffCommand(cmd);
    case 'clean':
      return cleanCommand();
    case 'k8s':
      return cmd.mode === 'apply' ? k8sApplyCommand(cmd, VERSION) : k8sCommand(cmd, VERSION);
    case 'run':
      return runCommand(cmd);
    case 'merge':
      return mergeCommand(cmd, VERSION);
    case 'inspect':
      return inspectCommand(cmd, VERSION);
  }
}

/**
 * The run's targets: the --runtime names, the --config file's, or both (the names first); a name
 * given by both is refused, since the reports key every result by target name.
 */
function runTargets(cmd: Extract<Command, { kind: 'run' }>) {
  if (!cmd.configPath) return withShared(targetsFromRuntimes(cmd.runtimes), cmd.share);
  const fromFile = targetsFromFile(cmd.configPath);
  if (!cmd.runtimesGiven) return fromFile;
  const named = targetsFromRuntimes(cmd.runtimes);
  const twice = named.find((t) => fromFile.some((f) => f.name === t.name));
  if (twice) throw new ConfigError(`target name "${twice.name}" is given by both --runtime and --config ${cmd.configPath}: rename it in the file`);
  return [...named, ...fromFile];
}

async function runCommand(cmd: Extract<Command, { kind: 'run' }>): Promise<number> {
  if (cmd.configPath && cmd.share) throw new ConfigError('--share and --config cannot be combined: put "share" in the target config');
  // A typo in a gate's pattern must not select nothing and pass.
  if (cmd.grep !== undefined && selectChecks(CATALOGUE, cmd.grep).length === 0) {
    throw new UsageError(`--grep "${cmd.grep}" selects no check (it is matched against each id and title, as "isoprobe list" shows them)`);
  }
  const targets = runTargets(cmd);
  const baseline = cmd.baselinePath ? readResults(cmd.baselinePath) : null;
  // Asked before the run starts: found unwritable after it, the results would be lost.
  const files = reportFiles(cmd.formats);
  const out = writableDirProblem(cmd.outDir, files);
  if (out) throw new EnvError(`cannot write the reports to --out "${cmd.outDir}": ${out}`);
  const results = await runSuite({
    drivers: DRIVERS,
    catalogue: CATALOGUE,
    targets,
    profile: cmd.profile,
    grep: cmd.grep,
    ...(cmd.quiet ? {} : { reporter: ProgressReporter, onTargetDone: (d: TargetDone) => process.stderr.write(`${targetDoneLine(d)}\n`) }),
    version: VERSION,
  });
  writeReports(cmd.outDir, results, cmd.formats, cmd.configPath);
  const say = (text: string) => cmd.quiet || process.stdout.write(text);
  const summary = summaryText(results, colourWanted(process.stdout, process.env, cmd.noColor === true) ? ansi : plain);
  say(summary);
  if (files.length > 0) say(`reports written to ${cmd.outDir}/ (${files.join(', ')})\n`);
  let code: number = exitCodeFor(results);
  if (baseline) {
    const d = diffResults(baseline, results);
    say(diffText(d));
    if (d.regressions.length > 0) code = EXIT.failed;
  }
  if (cmd.formats.includes('github')) writeGithub(results);
  // The summary's last line is its verdict, already made terminal-safe.
  if (cmd.quiet) process.stdout.write(`${summary.trimEnd().split('\n').at(-1) ?? ''}\n`);
  return code;
}

/** `[3/7] runsc (gvisor) ran in 1.2 s`, or why it could not: on stderr, beside the check progress. */
function targetDoneLine(d: TargetDone): string {
  const head = `[${d.index}/${d.total}] ${d.name} (${d.runtime})`;
  return terminalSafe(
    d.error === undefined
      ? `${head} ran in ${(d.durationMs / 1000).toFixed(1)} s`
      : `${head} could not run after ${(d.durationMs / 1000).toFixed(1)} s: ${d.error.split('\n')[0]}`,
  );
}

/** `--share pid,net`: the built-in runtime's negative controls, straight from the command line. */
function withShared(targets: TargetConfig[], share: Namespace[] | undefined): TargetConfig[] {
  if (!share || share.length === 0) return targets;
  return targets.map((t) => {
    if (t.runtime !== 'builtin') throw new ConfigError(`--share applies to the built-in runtime only, not "${t.name}" (use a target config)`);
    return { ...t, name: `${t.name}-share-${share.join('-')}`, share };
  });
}

function diffCommand(cmd: Extract<Command, { kind: 'diff' }>): number {
  const d = diffResults(readResults(cmd.oldPath), readResults(cmd.newPath));
  process.stdout.write(cmd.json ? `${JSON.stringify(d, null, 2)}\n` : diffText(d));
  return d.regressions.length > 0 ? EXIT.failed : EXIT.ok;
}

function listText(profile?: string): string {
  const rows = CATALOGUE.filter((c) => !profile || c.profiles.includes(profile as never));
  const lines = rows.map(
    (c) =>
      `${c.id.padEnd(36)} ${c.profiles.join(',').padEnd(26)} ${c.title}\n${' '.repeat(37)}negative control: ${c.negativeControl}\n` +
      `${' '.repeat(37)}settings: ${settingsText(c.settings)}\n${' '.repeat(37)}references: ${c.references.join('; ')}`,
  );
  return `${lines.join('\n')}\n${rows.length} checks${profile ? ` required by ${profile}` : ''}\n`;
}

/** The catalogue as JSON: what `list` prints, one object per check. */
function listJson(profile?: string): string {
  const rows = CATALOGUE.filter((c) => !profile || c.profiles.includes(profile as never)).map((c) => ({
    id: c.id,
    area: c.area,
    title: c.title,
    profiles: c.profiles,
    references: c.references,
    negativeControl: c.negativeControl,
    settings: c.settings ?? null,
  }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

function settingsText(settings: readonly string[] | undefined): string {
  if (settings === undefined) return 'not declared';
  return settings.length > 0 ? settings.join(', ') : 'none (depends on no requested setting)';
}

/** Control characters written as JSON escapes (\n, \u001b), so a message stays one line. */
function oneLine(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => JSON.stringify(c).slice(1, -1));
}

const USER_ERRORS = [UsageError, EnvError, ConfigError, DeadlineError] as const;

/**
 * The environment's own failures as node reports them (a file, a socket, a permission, a
 * deadline): one line, like an EnvError. Only what is none of these is a bug, shown with its stack.
 */
const SYSTEM_CODES: Record<string, string> = {
  ENOENT: 'not found',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ECONNREFUSED: 'connection refused (is the daemon running?)',
  ECONNRESET: 'connection reset by the other side',
  EPIPE: 'the other side closed the connection',
  ETIMEDOUT: 'no answer in time',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EEXIST: 'already exists',
  EBUSY: 'busy',
  ENOTSOCK: 'not a socket',
};

/** One line for an error the user can act on, or null for a bug. */
function userMessage(e: Error): string | null {
  const code = (e as { code?: string }).code;
  if (USER_ERRORS.some((k) => e instanceof k) || code === 'ERESULTS') return e.message;
  const status = (e as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 500) return `a daemon answered HTTP ${status}: ${e.message.split('\n')[0]}`;
  if (code && code in SYSTEM_CODES) return `${e.message.split('\n')[0]} (${SYSTEM_CODES[code]})`;
  return null;
}

const debug = debugRequested(process.argv.slice(2));

// After Ctrl-C the signal's cleanup owns the exit (130): a run ending meanwhile must not cut it short.
main(process.argv.slice(2)).then(
  (code) => exitAfterCleanup(code),
  async (e: Error) => {
    for (const f of await cleanupAll()) process.stderr.write(`isoprobe: cleanup failed: ${f}\n`);
    const message = userMessage(e);
    if (message !== null) {
      // One line, as the README promises, even when the bad input (or JSON.parse's excerpt of it) has line breaks.
      process.stderr.write(`isoprobe: ${oneLine(message)}${e instanceof UsageError ? '; see "isoprobe --help"' : ''}\n`);
      if (debug) process.stderr.write(`${e.stack ?? e}\n`);
    } else {
      process.stderr.write(`isoprobe: internal error: ${e.stack ?? e}\n`);
    }
    exitAfterCleanup(EXIT.usage);
  },
);
