/**
 * `isoprobe inspect`: facts from inside one container (the probe copied in and run through the
 * container's engine, or a facts file), judged with no host view (engine/inspect.ts), and the same
 * reports, summary and exit code as `run`. Needs no root: only the engine's command line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CATALOGUE } from '../checks/catalogue.js';
import { inspectFacts } from '../engine/inspect.js';
import { PROBE_BINARY } from '../host/paths.js';
import { writableDirProblem } from '../host/writable-dir.js';
import { selectChecks } from '../model/check.js';
import { ConfigError, EnvError } from '../model/errors.js';
import { FactsError, parseFacts } from '../model/facts.js';
import { ansi, colourWanted, plain } from '../reports/colour.js';
import { exitCodeFor, summaryText } from '../reports/summary.js';
import { execTargetName, factsFromContainer, parseExecTarget, type InsideFacts } from '../targets/inspect/exec.js';
import { UsageError, type Command } from './args.js';
import { reportFiles, writeGithub, writeReports } from './write-reports.js';

export async function inspectCommand(cmd: Extract<Command, { kind: 'inspect' }>, version: string): Promise<number> {
  if (cmd.grep !== undefined && selectChecks(CATALOGUE, cmd.grep).length === 0) throw new UsageError(`--grep "${cmd.grep}" selects no check`);
  const files = reportFiles(cmd.formats);
  const out = writableDirProblem(cmd.outDir, files);
  if (out) throw new EnvError(`cannot write the reports to --out "${cmd.outDir}": ${out}`);
  const { name, inside } = await gather(cmd);
  let facts: ReturnType<typeof parseFacts>;
  try {
    facts = parseFacts(inside.stdout);
  } catch (e) {
    if (e instanceof FactsError) throw new ConfigError(`${name}: ${e.message}`);
    throw e;
  }
  const results = await inspectFacts({
    name,
    facts,
    info: inside.info,
    ...(inside.ownKernel ? { ownKernel: inside.ownKernel } : {}),
    catalogue: CATALOGUE,
    profile: cmd.profile,
    ...(cmd.grep !== undefined ? { grep: cmd.grep } : {}),
    version,
    environment: { mode: 'inspect (inside one container, no host view)', 'inspected.by': `${os.hostname()} node ${process.version}` },
  });
  writeReports(cmd.outDir, results, cmd.formats);
  const summary = summaryText(results, colourWanted(process.stdout, process.env, cmd.noColor === true) ? ansi : plain);
  if (cmd.quiet) process.stdout.write(`${summary.trimEnd().split('\n').at(-1) ?? ''}\n`);
  else {
    process.stdout.write(summary);
    if (files.length > 0) process.stdout.write(`reports written to ${cmd.outDir}/ (${files.join(', ')})\n`);
  }
  if (cmd.formats.includes('github')) writeGithub(results);
  return exitCodeFor(results);
}

async function gather(cmd: Extract<Command, { kind: 'inspect' }>): Promise<{ name: string; inside: InsideFacts }> {
  if (cmd.factsPath !== undefined) {
    let stdout: string;
    try {
      stdout = fs.readFileSync(cmd.factsPath, 'utf8');
    } catch (e) {
      throw new ConfigError(`--facts ${cmd.factsPath}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return { name: `facts:${path.basename(cmd.factsPath)}`, inside: { stdout, info: { facts: path.resolve(cmd.factsPath) } } };
  }
  const target = parseExecTarget(cmd.exec!);
  if (!fs.existsSync(PROBE_BINARY)) throw new EnvError(`the probe is not built (${PROBE_BINARY}): run npm install`);
  return { name: execTargetName(target), inside: await factsFromContainer(target, PROBE_BINARY) };
}
