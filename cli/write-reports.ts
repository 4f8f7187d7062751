/**
 * The reports `run` and `merge` write from one RunResults: the files --format names in --out,
 * and the GitHub workflow commands.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunResults } from '../model/results.js';
import { junitXml } from '../reports/junit.js';
import { matrixHtml, matrixMarkdown } from '../reports/matrix.js';
import { writeResults } from '../reports/results-json.js';
import { summaryBlock } from '../reports/summary.js';
import { csvText } from '../reports/csv.js';
import { githubAnnotations } from '../reports/github.js';
import { sarifJson } from '../reports/sarif.js';
import { tapText } from '../reports/tap.js';
import type { Format } from './args.js';

/** The file each file format is written to in --out (github writes none there). */
const REPORT_FILE: Partial<Record<Format, string>> = {
  junit: 'junit.xml',
  json: 'results.json',
  html: 'matrix.html',
  md: 'matrix.md',
  tap: 'results.tap',
  sarif: 'results.sarif',
  csv: 'results.csv',
};

export function reportFiles(formats: readonly Format[]): string[] {
  return formats.flatMap((f) => (REPORT_FILE[f] ? [REPORT_FILE[f]] : []));
}

export function writeReports(outDir: string, results: RunResults, formats: readonly Format[], configPath?: string): void {
  if (reportFiles(formats).length === 0) return;
  fs.mkdirSync(outDir, { recursive: true });
  const write: Partial<Record<Format, () => void>> = {
    junit: () => fs.writeFileSync(path.join(outDir, 'junit.xml'), junitXml(results)),
    json: () => writeResults(path.join(outDir, 'results.json'), { ...results, summary: summaryBlock(results) }),
    html: () => fs.writeFileSync(path.join(outDir, 'matrix.html'), matrixHtml(results)),
    md: () => fs.writeFileSync(path.join(outDir, 'matrix.md'), matrixMarkdown(results)),
    tap: () => fs.writeFileSync(path.join(outDir, 'results.tap'), tapText(results)),
    // A result points at the config that named the target, else at the results file beside it.
    // Relative to where the run was started (a repository checkout in CI), as SARIF's URIs must be.
    sarif: () =>
      fs.writeFileSync(
        path.join(outDir, 'results.sarif'),
        sarifJson(results, {
          location: path
            .relative(process.cwd(), path.resolve(configPath ?? path.join(outDir, 'results.json')))
            .split(path.sep)
            .join('/'),
        }),
      ),
    csv: () => fs.writeFileSync(path.join(outDir, 'results.csv'), csvText(results)),
  };
  for (const f of formats) write[f]?.();
}

/** Workflow commands on stdout, where the runner reads them, and the matrix appended to the job summary. */
export function writeGithub(results: RunResults): void {
  process.stdout.write(githubAnnotations(results));
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (summary) fs.appendFileSync(summary, matrixMarkdown(results));
}
