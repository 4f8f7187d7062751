/**
 * SARIF 2.1.0 (OASIS), what GitHub code scanning reads. Rules are the catalogue: a check's title,
 * its references as help (linked where they have a public page), its area as a tag, and its level
 * from the run's profile (required: error, else warning). Results are the failed checks of each
 * isolated target, one per target and check, with a fingerprint stable across runs; a target that
 * could not run is one tool execution notification, not a result per check. GitHub wants a
 * physical location for each result: the target config file the run read, or the results file it
 * wrote, whichever names the evidence.
 */
import { createHash } from 'node:crypto';
import type { CheckResult, RunResults } from '../model/results.js';
import { effectiveChecks, expectedObserved, metaFor } from './rows.js';
import { visible } from './text.js';

export interface SarifOptions {
  /** Repository-relative path a result points at (the --config file, or the written results.json). */
  location: string;
}

const level = (required: boolean) => (required ? 'error' : 'warning');

function fingerprint(target: string, id: string): string {
  return createHash('sha256').update(`${target}\0${id}`).digest('hex').slice(0, 32);
}

function message(c: CheckResult): string {
  if (c.status === 'fail') return expectedObserved(c) ?? 'failed';
  return c.reason ?? 'error';
}

export function sarifJson(results: RunResults, opts: SarifOptions): string {
  const ids = results.catalogue.map((m) => m.id);
  const rules = results.catalogue.map((m) => ({
    id: m.id,
    name: m.id.replace(/(^|[.-])(\w)/g, (_, __, ch: string) => ch.toUpperCase()),
    shortDescription: { text: visible(m.title) },
    fullDescription: { text: visible(`${m.title}. Required by: ${m.profiles.join(', ')}.`) },
    help: {
      text: visible(`References: ${m.references.join('; ') || 'none'}. Negative control: ${m.negativeControl || 'none'}.`),
      markdown: visible(`**References:** ${m.references.join('; ') || 'none'}\n\n**Negative control:** ${m.negativeControl || 'none'}`),
    },
    defaultConfiguration: { level: level(m.profiles.includes(results.profile)) },
    properties: { tags: [...new Set(['security', 'isolation', m.area])] },
  }));
  const sarifResults = results.targets.flatMap((t) => {
    if (t.error !== undefined || t.control) return [];
    return effectiveChecks(results, t)
      .filter((c) => c.status === 'fail' || c.status === 'error')
      .map((c) => ({
        ruleId: c.id,
        ruleIndex: Math.max(0, ids.indexOf(c.id)),
        level: level(c.required),
        message: { text: visible(`${t.name} (${t.runtime}): [${c.id}] ${metaFor(results, c.id).title} — ${c.status}: ${message(c)}`) },
        locations: [{ physicalLocation: { artifactLocation: { uri: opts.location }, region: { startLine: 1 } } }],
        partialFingerprints: { 'isoprobeTargetCheck/v1': fingerprint(t.name, c.id) },
        properties: { target: t.name, runtime: t.runtime, status: c.status, required: c.required },
      }));
  });
  const notifications = results.targets
    .filter((t) => t.error !== undefined)
    .map((t) => ({
      level: 'error',
      message: { text: visible(`target ${t.name} (${t.runtime}) could not run: ${t.error}`) },
      descriptor: { id: 'target-could-not-run' },
    }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'isoprobe', version: results.tool.version, semanticVersion: results.tool.version, rules } },
        invocations: [{ executionSuccessful: notifications.length === 0, startTimeUtc: results.startedAt, toolExecutionNotifications: notifications }],
        results: sarifResults,
        properties: { profile: results.profile },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
