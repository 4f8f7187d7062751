/**
 * The side-by-side matrix: targets as columns, checks as rows grouped by area.
 * Markdown for CI summaries, and one self-contained HTML page a person can open offline.
 */
import { areaCellClass, areaCellText, areaGrid } from './area-grid.js';
import { seccompHtml, seccompMarkdown } from './seccomp.js';
import { decidedByText } from './decided-by.js';
import type { CheckResult, RunResults, Status, TargetResult } from '../model/results.js';
import { byArea, countStatuses, effectiveChecks, expectedObserved, expectedText, isBlocking, metaFor, observedText, requiredFailures } from './rows.js';
import { hasProvenance, notAsked, PROVENANCE_LEGEND, provenanceMarks, provenanceText, requestRows } from './provenance.js';
import { oneLine, visible } from './text.js';

interface Grid {
  targets: TargetResult[];
  /** area → check ids, in canonical area order and first-seen check order. */
  areas: [string, string[]][];
  cell(target: TargetResult, id: string): CheckResult | undefined;
}

function grid(results: RunResults): Grid {
  const cells = new Map<string, Map<string, CheckResult>>();
  const union: CheckResult[] = [];
  for (const t of results.targets) {
    const checks = effectiveChecks(results, t);
    cells.set(t.name, new Map(checks.map((c) => [c.id, c])));
    for (const c of checks) if (!union.some((u) => u.id === c.id)) union.push(c);
  }
  const areas = byArea(results, union).map(([area, cs]): [string, string[]] => [area, cs.map((c) => c.id)]);
  return { targets: results.targets, areas, cell: (t, id) => cells.get(t.name)?.get(id) };
}

const MARK: Record<Status, string> = { pass: '✅ pass', fail: '❌ **fail**', skip: '⏭️ skip', error: '⚠️ **error**' };

function mdEscape(s: string): string {
  // Backslashes first, or the escapes added for pipes would themselves be escaped.
  return htmlEscape(oneLine(s, 200))
    .replace(/([\\`*_[\]])/g, '\\$1')
    .replace(/\|/g, '\\|');
}

/** The verdict, then a mark per source of its settings ("✅ pass ᵈ"). */
function mdCell(c: CheckResult | undefined, t: TargetResult): string {
  if (!c) return '—';
  // Its one error is in the totals row and the list of failures.
  if (t.error !== undefined) return 'not run';
  const marks = provenanceMarks(c.provenance);
  const by = decidedByText(t, c);
  return `${MARK[c.status]}${marks ? ` ${marks}` : ''}${c.status === 'fail' && !c.required ? ' (not required)' : ''}${by ? ` <sub>by ${mdEscape(by)}</sub>` : ''}`;
}

export function matrixMarkdown(results: RunResults): string {
  const g = grid(results);
  const head = `| check | ${g.targets.map((t) => `${mdEscape(t.name)}${t.control ? ' (control)' : ''}`).join(' | ')} |`;
  const rule = `|---|${g.targets.map(() => '---|').join('')}`;
  const totals = `| *totals* | ${g.targets.map((t) => mdTally(results, t)).join(' | ')} |`;
  const rows = g.areas.flatMap(([area, ids]) => [
    `| **${mdEscape(area)}** |${g.targets.map(() => ' |').join('')}`,
    ...ids.map(
      (id) => `| \`${id.replace(/`/g, "'")}\` ${mdEscape(metaFor(results, id).title)} | ${g.targets.map((t) => mdCell(g.cell(t, id), t)).join(' | ')} |`,
    ),
  ]);
  const title = `### isoprobe — profile \`${results.profile}\`, ${results.startedAt}`;
  const partial = results.partial ? [`**Partial results:** ${mdEscape(oneLine(results.partialReason ?? 'some targets could not run', 400))}`, ''] : [];
  // The legend is this file's own text, not evidence: no escaping (mdEscape would also cut it short).
  const legend = hasProvenance(results) ? ['', `*${PROVENANCE_LEGEND}*`] : [];
  return `${[title, '', ...partial, ...mdAreaGrid(results), head, rule, totals, ...rows, ...legend, ...mdDetails(results, g), ...mdRequests(g), ...mdInformation(g), ...mdPosture(g), ...seccompMarkdown(results, mdEscape)].join('\n')}\n`;
}

const AREA_GRID_TITLE = 'Areas at a glance: checks passed of those decided, ✗ failed, ⚠ error; bold: a required check not passing';

/** The area × target grid above the check rows (./area-grid.ts). */
function mdAreaGrid(results: RunResults): string[] {
  const a = areaGrid(results);
  if (a.targets.length === 0) return [];
  // A control target's weak areas are what it is for: its column says so, as in the check rows.
  const head = `| area | ${a.targets.map((t) => `${mdEscape(t.name)}${t.control ? ' (control)' : ''}`).join(' | ')} |`;
  const rule = `|---|${a.targets.map(() => '---|').join('')}`;
  const rows = a.areas.map((area) => {
    const cells = a.targets.map((t) => {
      const c = a.cell(area, t);
      const text = areaCellText(c);
      return areaCellClass(c) === 'weak' ? `**${text}**` : text;
    });
    return `| ${mdEscape(area)} | ${cells.join(' | ')} |`;
  });
  return [`*${AREA_GRID_TITLE}*`, '', head, rule, ...rows, ''];
}

function mdTally(results: RunResults, t: TargetResult): string {
  if (t.error !== undefined) return `could not run (${effectiveChecks(results, t).length} checks not decided)`;
  const n = countStatuses(effectiveChecks(results, t));
  const line = standing(results, t);
  const flagged = /required not passing|not a working control/.test(line) ? ` — **${line}**` : t.control ? ` — ${line}` : '';
  const took = t.durationMs === undefined ? '' : ` · ${(t.durationMs / 1000).toFixed(1)} s`;
  return `${n.pass} pass · ${n.fail} fail · ${n.skip} skip · ${n.error} error${took}${flagged}`;
}

const REQUEST_TITLE = 'Requests: what each runtime was asked for, and who asked';

/** Per target: each requested setting with its value and source, then what was left to the runtime. */
function mdRequests(g: Grid): string[] {
  const blocks = g.targets.flatMap((t) => {
    const rows = requestRows(t);
    if (!rows) return [];
    const table =
      rows.length > 0 ? ['| setting | value | source |', '|---|---|---|', ...rows.map((r) => `| ${r.setting} | ${mdEscape(r.value)} | ${r.source} |`)] : [];
    const rest = notAsked(t);
    return ['', `*${mdEscape(t.name)}*`, '', ...table, ...(table.length ? [''] : []), `Not asked (runtime default): ${rest.join(', ') || 'none'}`];
  });
  return blocks.length > 0 ? ['', `**${REQUEST_TITLE}**`, ...blocks] : [];
}

/** Facts about each target that are no verdict (TargetResult.information), under everything else. */
function mdInformation(g: Grid): string[] {
  const lines = g.targets.flatMap((t) => Object.entries(t.information ?? {}).map(([k, v]) => `- **${mdEscape(t.name)}** ${mdEscape(k)}: ${mdEscape(v)}`));
  return lines.length > 0 ? ['', '**Information (not compared)**', '', ...lines] : [];
}

/** "asked new, delivered inherited" per field; a target with a posture and no difference delivered what it was asked. */
function postureLines(t: TargetResult): [string, string][] {
  if (!t.posture) return [];
  if (t.posture.diff.length === 0) return [['all compared fields', 'as asked']];
  return t.posture.diff.map((d) => [d.field, `asked ${d.expected}, delivered ${d.observed}`]);
}

const POSTURE_TITLE = 'Posture: asked vs delivered (information, not a verdict)';

function mdPosture(g: Grid): string[] {
  const lines = g.targets.flatMap((t) => postureLines(t).map(([k, v]) => `- **${mdEscape(t.name)}** ${mdEscape(k)}: ${mdEscape(v)}`));
  return lines.length > 0 ? ['', `**${POSTURE_TITLE}**`, '', ...lines] : [];
}

/** Failures and errors spelled out under the table, since a table cell has no room for them. */
function mdDetails(results: RunResults, g: Grid): string[] {
  const lines: string[] = [];
  for (const t of g.targets) {
    // A control target's failures are its purpose; listing each would bury the ones that matter.
    if (t.control && t.error === undefined) {
      const n = requiredFailures(t).length;
      lines.push(
        `- **${mdEscape(t.name)}** (control, deliberately weakened): ${n} required check${n === 1 ? '' : 's'} failed${n > 0 ? ', as expected' : ' — expected at least one: the suite cannot tell it from an isolated target'}`,
      );
      continue;
    }
    // A target that could not run: one line, not one per check it could not decide.
    if (t.error !== undefined) {
      const n = effectiveChecks(results, t).length;
      lines.push(`- **${mdEscape(t.name)}** could not run (${n} checks not decided): ${mdEscape(t.error)}`);
      continue;
    }
    for (const c of effectiveChecks(results, t)) {
      if (c.status !== 'fail' && c.status !== 'error') continue;
      const why = c.status === 'fail' ? (expectedObserved(c) ?? 'failed') : (c.reason ?? 'error');
      const settings = c.status === 'fail' ? provenanceText(c.provenance) : '';
      lines.push(
        `- **${mdEscape(t.name)}** \`${c.id.replace(/`/g, "'")}\` ${c.status}: ${mdEscape(why)}${settings ? ` — settings ${mdEscape(settings)}` : ''}`,
      );
    }
  }
  return lines.length > 0 ? ['', '**Failures and errors**', '', ...lines] : [];
}

export function htmlEscape(s: string): string {
  const map: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return visible(s).replace(/[&<>"']/g, (ch) => map[ch] ?? ch);
}

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1f2328;background:#fff}
h1{font-size:1.3rem;margin:0 0 .25rem}
.meta{color:#57606a;margin:0 0 1rem}
table{border-collapse:collapse;margin-bottom:1.5rem}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;vertical-align:top;text-align:left}
thead th{background:#f6f8fa;position:sticky;top:0}
th.area{background:#eaeef2;text-transform:uppercase;letter-spacing:.04em;font-size:.8rem}
td.check code{font-size:.85rem;color:#57606a}
td.pass{background:#dafbe1} td.fail{background:#ffd8d3} td.skip{background:#f6f8fa;color:#57606a}
td.error{background:#fff1c2} td.none{color:#8c959f}
td.optional.fail{background:#ffefe8}
summary{cursor:pointer;font-weight:600}
pre{white-space:pre-wrap;word-break:break-word;max-width:36rem;margin:.25rem 0;font-size:.8rem}
dl{margin:.25rem 0} dt{font-weight:600;font-size:.8rem;color:#57606a}
dd{margin:0 0 .3rem}
.target-error{color:#9a6700;font-weight:normal;font-size:.8rem}
thead th.target{min-width:6.5rem;max-width:13rem}
.tally{font-weight:normal;font-size:.75rem;color:#57606a;white-space:nowrap}
.tally .bad{color:#cf222e;font-weight:600}
.tally .standing{white-space:normal}
summary{white-space:nowrap}
.prov{color:#57606a;font-size:.9rem}
.legend,.grid-legend{color:#57606a;font-size:.85rem;max-width:60rem}
table.areas td{white-space:nowrap;text-align:center}
td.area-weak{background:#ffd8d3;font-weight:700} td.area-mixed{background:#fff1c2} td.area-clean{background:#dafbe1} td.area-none{color:#8c959f}
th.check{font-weight:normal;background:inherit}
th.check code{font-size:.85rem;color:#57606a}
.refs{font-size:.75rem;color:#57606a}
td.fail summary,td.error summary,td.fail>span.v,td.error>span.v{font-weight:700}
/* Without colour (deuteranopia, greyscale print) weight must tell a failure from a pass: summaries are otherwise 600. */
td.pass summary,td.skip summary{font-weight:normal}
tbody th.area{position:sticky;top:var(--head,2.5rem);z-index:1}
.toolbar{margin:.5rem 0 1rem}
body.diff-only tr[data-same]{display:none}
@media (max-width:48rem){
body{margin:.75rem}
table{display:block;overflow-x:auto;max-width:100%}
}
@media (prefers-color-scheme:dark){
body{color:#e6edf3;background:#0d1117}
th,td{border-color:#30363d}
thead th,td.skip{background:#161b22} th.area{background:#21262d}
td.pass,td.area-clean{background:#12361f} td.fail,td.area-weak{background:#4a1e1e} td.error,td.area-mixed{background:#3d2e00} td.optional.fail{background:#3a2a20}
.meta,.legend,.grid-legend,.tally,.prov,.refs,dt,th.check code,td.skip{color:#9198a1}
a{color:#58a6ff}
}
@page{size:A4 landscape;margin:1cm}
@media print{
body{margin:0;font-size:9px}
pre{font-size:8px}
thead th,tbody th.area{position:static}
body.diff-only tr[data-same]{display:table-row}
.toolbar,.seccomp-diff select{display:none}
td,th{print-color-adjust:exact;-webkit-print-color-adjust:exact}
pre{max-width:none}
table.matrix,table.areas{width:100%;table-layout:fixed}
table.matrix thead th:first-child{width:14%}
thead th.target{min-width:0;max-width:none}
td,th{overflow-wrap:anywhere}
.tally,summary,table.areas td{white-space:normal}
.tally,.target-error,dt,.legend,.grid-legend{font-size:1em}
}
`;

/** Glyph and word per status: readable without colour (deuteranopia, print in black and white). */
const GLYPH: Record<string, string> = { pass: '✓ pass', fail: '✗ fail', error: '⚠ error', skip: '– skip' };

// Print the evidence: every <details> opened for printing and closed again after; the differences
// toggle hides the rows every target decided alike; the area rows stick under the target heads.
const PAGE_SCRIPT = `(() => {
  const opened = [];
  addEventListener('beforeprint', () => { for (const d of document.querySelectorAll('details:not([open])')) { d.open = true; opened.push(d); } });
  addEventListener('afterprint', () => { while (opened.length) opened.pop().open = false; });
  const box = document.getElementById('diff-only');
  if (box) box.onchange = () => document.body.classList.toggle('diff-only', box.checked);
  const head = document.querySelector('table.matrix thead');
  if (head) document.documentElement.style.setProperty('--head', head.offsetHeight + 'px');
})();`;

/** A reference as a link where it names something with a stable public page. */
function referenceHtml(ref: string): string {
  const text = htmlEscape(ref);
  const cve = /\bCVE-\d{4}-\d{4,}\b/.exec(ref);
  if (cve) return `<a href="https://www.cve.org/CVERecord?id=${cve[0]}">${text}</a>`;
  const man = /\b([a-z_][a-z0-9_]*)\(([1-8])\)/.exec(ref);
  if (man) return `<a href="https://man7.org/linux/man-pages/man${man[2]}/${man[1]}.${man[2]}.html">${text}</a>`;
  if (/^OCI runtime spec/.test(ref)) return `<a href="https://github.com/opencontainers/runtime-spec/blob/main/config.md">${text}</a>`;
  if (/^CIS Docker/.test(ref)) return `<a href="https://www.cisecurity.org/benchmark/docker">${text}</a>`;
  if (/Pod Security Standards/.test(ref)) return `<a href="https://kubernetes.io/docs/concepts/security/pod-security-standards/">${text}</a>`;
  return text;
}

export function matrixHtml(results: RunResults): string {
  const g = grid(results);
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>isoprobe — ${htmlEscape(results.profile)} — ${htmlEscape(results.startedAt)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<h1>isoprobe matrix — profile ${htmlEscape(results.profile)}</h1>`,
    `<p class="meta">${htmlEscape(`isoprobe ${results.tool.version}, started ${results.startedAt}`)}</p>`,
    ...(results.partial
      ? [`<p class="target-error">Partial results: ${htmlEscape(oneLine(results.partialReason ?? 'some targets could not run', 400))}</p>`]
      : []),
    htmlAreaGrid(results),
    '<p class="toolbar"><label><input type="checkbox" id="diff-only"> differences only: hide the checks every target decided alike</label></p>',
    htmlTable(results, g),
    ...(hasProvenance(results) ? [`<p class="legend">${htmlEscape(PROVENANCE_LEGEND)}</p>`] : []),
    '<h2>Targets</h2>',
    targetsTable(results.targets),
    seccompHtml(results, htmlEscape),
    '<h2>Environment</h2>',
    kvTable(results.environment),
    `<script>${PAGE_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

function htmlAreaGrid(results: RunResults): string {
  const a = areaGrid(results);
  if (a.targets.length === 0) return '';
  const control = '<br><small>control: expected to fail</small>';
  const head = `<tr><th scope="col">area</th>${a.targets.map((t) => `<th scope="col">${htmlEscape(t.name)}${t.control ? control : ''}</th>`).join('')}</tr>`;
  const rows = a.areas.map((area) => {
    const cells = a.targets.map((t) => {
      const c = a.cell(area, t);
      return `<td class="area-${areaCellClass(c)}">${htmlEscape(areaCellText(c))}</td>`;
    });
    return `<tr><th scope="row">${htmlEscape(area)}</th>${cells.join('')}</tr>`;
  });
  return `<h2>Areas at a glance</h2>\n<p class="grid-legend">${htmlEscape(AREA_GRID_TITLE.replace(/^[^:]*: /, ''))}</p>\n<table class="areas">\n<thead>${head}</thead>\n<tbody>${rows.join('\n')}</tbody>\n</table>`;
}

function htmlTable(results: RunResults, g: Grid): string {
  const heads = g.targets.map((t) => {
    const err = t.error === undefined ? '' : `<br><span class="target-error">could not run: ${htmlEscape(oneLine(t.error))}</span>`;
    const control = t.control ? '<br><small>control: expected to fail</small>' : '';
    return `<th scope="col" class="target">${htmlEscape(t.name)}<br><small>${htmlEscape(t.runtime)}</small>${control}<br>${tally(results, t)}${err}</th>`;
  });
  const body = g.areas.map(([area, ids]) => {
    const rows = ids.map((id) => htmlRow(results, g, id));
    return `<tbody><tr><th scope="rowgroup" class="area" colspan="${g.targets.length + 1}">${htmlEscape(area)}</th></tr>\n${rows.join('\n')}</tbody>`;
  });
  return `<table class="matrix">\n<thead><tr><th scope="col">check</th>${heads.join('')}</tr></thead>\n${body.join('\n')}\n</table>`;
}

/** A column's totals, so a reader sees each target's standing before reading its cells. */
function tally(results: RunResults, t: TargetResult): string {
  const checks = effectiveChecks(results, t);
  // Its one error is said beside it (could not run: …), not once per check it never decided.
  if (t.error !== undefined) return `<span class="tally"><span class="bad">${checks.length} checks not decided</span></span>`;
  const n = countStatuses(checks);
  const parts = [`${n.pass} pass`, `${n.fail} fail`, `${n.skip} skip`, `${n.error} error`].join(' · ');
  return `<span class="tally">${parts}<br><span class="standing">${htmlEscape(standing(results, t))}</span></span>`.replace(
    /(\d+ required not passing|fails no required check[^<]*)/,
    '<span class="bad">$1</span>',
  );
}

/** One line on what a target's column means for the run (a control target is meant to fail). */
function standing(results: RunResults, t: TargetResult): string {
  if (t.control) {
    const failed = requiredFailures(t).length;
    return failed > 0 ? `${failed} required failing, as a control should` : 'fails no required check: not a working control';
  }
  const blocking = effectiveChecks(results, t).filter(isBlocking).length;
  return blocking === 0 ? 'no required check failed' : `${blocking} required not passing`;
}

function targetsTable(targets: TargetResult[]): string {
  const rows = targets.map((t) => {
    const info = {
      runtime: t.runtime,
      ...(t.control ? { control: 'deliberately weakened: failures expected, none would fail the run' } : {}),
      ...(t.error === undefined ? {} : { error: t.error }),
      ...(t.durationMs === undefined ? {} : { 'wall time': `${(t.durationMs / 1000).toFixed(1)} s` }),
      ...t.info,
    };
    // Kept apart from the settings and the verdicts: what the probe showed, never compared.
    const information = t.information ? `<h3>information (not compared)</h3>${kvTable(t.information)}` : '';
    const posture = t.posture ? `<h3>${htmlEscape(POSTURE_TITLE)}</h3>${kvTable(Object.fromEntries(postureLines(t)))}` : '';
    return `<tr><th>${htmlEscape(t.name)}</th><td>${kvTable(info)}${requestTable(t)}${information}${posture}</td></tr>`;
  });
  return `<table>\n${rows.join('\n')}\n</table>`;
}

function requestTable(t: TargetResult): string {
  const rows = requestRows(t);
  if (!rows) return '';
  const body = rows.map((r) => `<tr><th>${htmlEscape(r.setting)}</th><td><pre>${htmlEscape(r.value)}</pre></td><td>${htmlEscape(r.source)}</td></tr>`);
  const head = '<tr><th>setting</th><th>value</th><th>source</th></tr>';
  const rest = `<p>Not asked (runtime default): ${htmlEscape(notAsked(t).join(', ') || 'none')}</p>`;
  return `<h3>${htmlEscape(REQUEST_TITLE)}</h3><table>\n${[head, ...body].join('\n')}\n</table>${rest}`;
}

function htmlRow(results: RunResults, g: Grid, id: string): string {
  const meta = metaFor(results, id);
  const refs = meta.references.length > 0 ? `<br><span class="refs">${meta.references.map(referenceHtml).join(' · ')}</span>` : '';
  const label = `<th scope="row" class="check">${htmlEscape(meta.title)}<br><code>${htmlEscape(id)}</code>${refs}</th>`;
  // Between the targets that ran: a target that could not run decided nothing to differ by.
  const statuses = g.targets.filter((t) => t.error === undefined).map((t) => g.cell(t, id)?.status ?? 'none');
  const same = new Set(statuses).size <= 1 ? ' data-same' : '';
  return `<tr${same}>${label}${g.targets.map((t) => htmlCell(g.cell(t, id), t)).join('')}</tr>`;
}

function htmlCell(c: CheckResult | undefined, t: TargetResult): string {
  if (!c) return '<td class="none">—</td>';
  // Its one error is in its column head; a cell per check would say it again for every row.
  if (t.error !== undefined) return '<td class="none">not run</td>';
  const label = c.status === 'fail' && !c.required ? `${GLYPH.fail} (not required)` : (GLYPH[c.status] ?? c.status);
  const cls = `${c.status}${c.required ? '' : ' optional'}`;
  const marks = provenanceMarks(c.provenance);
  const settings = provenanceText(c.provenance);
  const mark = marks ? ` <span class="prov" title="${htmlEscape(settings)}">${marks}</span>` : '';
  const facts: [string, string | undefined][] = [
    ['expected', c.expected === undefined ? undefined : expectedText(c)],
    ['observed', c.observed === undefined ? undefined : observedText(c)],
    ['reason', c.reason],
    ['evidence', c.evidence],
    ['settings', settings],
    ['decided by', decidedByText(t, c) ?? undefined],
  ];
  const shown = facts.filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '');
  if (shown.length === 0) return `<td class="${cls}"><span class="v">${htmlEscape(label)}</span>${mark}</td>`;
  const dl = shown.map(([k, v]) => `<dt>${k}</dt><dd><pre>${htmlEscape(v)}</pre></dd>`).join('');
  return `<td class="${cls}"><details><summary>${htmlEscape(label)}${mark}</summary><dl>${dl}</dl></details></td>`;
}

function kvTable(map: Record<string, string>): string {
  const rows = Object.entries(map).map(([k, v]) => `<tr><th>${htmlEscape(k)}</th><td><pre>${htmlEscape(v)}</pre></td></tr>`);
  return `<table>\n${rows.join('\n')}\n</table>`;
}
