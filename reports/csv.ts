/**
 * CSV (RFC 4180): one row per target and check, for spreadsheets and ad-hoc queries. Every field
 * is quoted, quotes doubled; line breaks inside a field stay (RFC 4180 allows them quoted).
 */
import type { RunResults } from '../model/results.js';
import { effectiveChecks, expectedText, metaFor, observedText } from './rows.js';
import { visible } from './text.js';

const COLUMNS = [
  'target',
  'runtime',
  'control',
  'area',
  'id',
  'title',
  'required',
  'status',
  'requirement',
  'reason',
  'expected',
  'observed',
  'durationMs',
] as const;

const field = (v: string | number | boolean | undefined) => `"${visible(String(v ?? '')).replace(/"/g, '""')}"`;

export function csvText(results: RunResults): string {
  const rows = results.targets.flatMap((t) =>
    effectiveChecks(results, t).map((c) => {
      const meta = metaFor(results, c.id);
      return [
        t.name,
        t.runtime,
        t.control === true,
        meta.area,
        c.id,
        meta.title,
        c.required,
        c.status,
        c.requirement,
        c.reason,
        c.expected === undefined ? undefined : expectedText(c),
        c.observed === undefined ? undefined : observedText(c),
        Math.round(c.durationMs * 1000) / 1000,
      ];
    }),
  );
  return `${[COLUMNS.map(field), ...rows.map((r) => r.map(field))].map((r) => r.join(',')).join('\r\n')}\r\n`;
}
