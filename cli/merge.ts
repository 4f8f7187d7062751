/**
 * `isoprobe merge`: reads each machine's results file, merges them (reports/merge.ts) and writes
 * the reports, the summary and the exit code exactly as `run` would for that run.
 */
import { writableDirProblem } from '../host/writable-dir.js';
import { EnvError } from '../model/errors.js';
import { colourWanted, ansi, plain } from '../reports/colour.js';
import { mergeName, mergeResults, sameName, type MergeInput } from '../reports/merge.js';
import { readResults, ResultsError } from '../reports/results-json.js';
import { exitCodeFor, summaryText } from '../reports/summary.js';
import { terminalSafe } from '../reports/text.js';
import { UsageError, type Command, type Format } from './args.js';
import { reportFiles, writeGithub, writeReports } from './write-reports.js';

export function mergeCommand(cmd: Extract<Command, { kind: 'merge' }>, version: string): number {
  const named = cmd.inputs.map((i) => ({ file: i.file, name: i.name ?? mergeName(i.file, process.cwd()) }));
  const twice = sameName(named);
  if (twice) throw new UsageError(twice);
  const out = writableDirProblem(cmd.outDir, reportFiles(cmd.formats));
  if (out) throw new EnvError(`cannot write the reports to --out "${cmd.outDir}": ${out}`);
  return reportMerged(named.map(readInput), cmd.outDir, cmd.formats, version);
}

/**
 * The merged run of some inputs as `merge` reports it (also `k8s --apply`, cli/k8s-apply.ts):
 * the warnings on stderr, the reports in `outDir` (already found writable), the summary, the
 * GitHub output, and the run's exit code.
 */
export function reportMerged(inputs: readonly MergeInput[], outDir: string, formats: readonly Format[], version: string): number {
  const { results, warnings } = mergeResults(inputs, { version, now: new Date().toISOString() });
  for (const w of warnings) process.stderr.write(`isoprobe: ${terminalSafe(w)}\n`);
  writeReports(outDir, results, formats);
  process.stdout.write(summaryText(results, colourWanted(process.stdout, process.env, false) ? ansi : plain));
  const files = reportFiles(formats);
  if (files.length > 0) process.stdout.write(`reports written to ${outDir}/ (${files.join(', ')})\n`);
  if (formats.includes('github')) writeGithub(results);
  return exitCodeFor(results);
}

/** A file that cannot be read or is not valid results is an input with its reason, not an error of the merge. */
function readInput(input: { file: string; name: string }): MergeInput {
  try {
    return { ...input, results: readResults(input.file) };
  } catch (e) {
    if (e instanceof ResultsError) return { ...input, error: e.message };
    throw e;
  }
}
