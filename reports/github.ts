/**
 * GitHub Actions workflow commands (docs.github.com, "Workflow commands for GitHub Actions"):
 * `::error` for each required check that failed or errored and each target that could not run,
 * `::warning` for the other failures, required ones first. GitHub shows at most 10 errors and 10
 * warnings per step, so the rest is said in one `::notice` rather than silently dropped. The
 * Markdown matrix is what a run appends to $GITHUB_STEP_SUMMARY (cli/main.ts).
 */
import type { RunResults } from '../model/results.js';
import { effectiveChecks, expectedObserved, metaFor } from './rows.js';
import { visible } from './text.js';

/** The annotations GitHub shows per step and kind. */
export const ANNOTATION_CAP = 10;

// Message data: %, CR and LF escaped; property values also : and , (the runner's own escaping rules).
const data = (s: string) => visible(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

interface Annotation {
  kind: 'error' | 'warning';
  title: string;
  message: string;
}

export function githubAnnotations(results: RunResults): string {
  const all: Annotation[] = [];
  for (const t of results.targets) {
    if (t.error !== undefined) {
      all.push({ kind: 'error', title: `${t.name} could not run`, message: t.error });
      continue;
    }
    // A control target's failures are expected; the summary and the exit code say whether it told anything apart.
    if (t.control) continue;
    for (const c of effectiveChecks(results, t)) {
      if (c.status !== 'fail' && c.status !== 'error') continue;
      const why = c.status === 'fail' ? (expectedObserved(c) ?? 'failed') : (c.reason ?? 'error');
      all.push({ kind: c.required ? 'error' : 'warning', title: `${t.name}: [${c.id}] ${metaFor(results, c.id).title}`, message: `${c.status}: ${why}` });
    }
  }
  const lines: string[] = [];
  for (const kind of ['error', 'warning'] as const) {
    const these = all.filter((a) => a.kind === kind);
    for (const a of these.slice(0, ANNOTATION_CAP)) lines.push(`::${kind} title=${prop(a.title)}::${data(a.message)}`);
    if (these.length > ANNOTATION_CAP) {
      lines.push(
        `::notice title=${prop(`isoprobe: ${these.length - ANNOTATION_CAP} more ${kind}s`)}::${data(`GitHub shows ${ANNOTATION_CAP} ${kind}s per step; all ${these.length} are in junit.xml, results.json and matrix.md`)}`,
      );
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
