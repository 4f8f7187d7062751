/**
 * The matrix's seccomp section (issue 14): each target's effective profile in one line, and the
 * x86_64 calls whose verdicts differ between targets side by side. In HTML two pickers narrow the
 * table to any two targets and to the calls those two treat differently.
 */
import type { RunResults } from '../model/results.js';
import { profilesSideBySide, type SeccompResult, seccompSummary, seccompSummaryLines } from '../model/seccomp/summary.js';

const TITLE = 'Seccomp: the effective profile the host read (every call of each ABI; `?` conditional on arguments)';

function withProfiles(results: RunResults): { name: string; seccomp: SeccompResult }[] {
  return results.targets.flatMap((t) => (t.seccomp ? [{ name: t.name, seccomp: t.seccomp }] : []));
}

export function seccompMarkdown(results: RunResults, esc: (s: string) => string): string[] {
  const profiles = withProfiles(results);
  if (profiles.length === 0) return [];
  const lines = [
    '',
    `**${TITLE}**`,
    '',
    ...profiles.flatMap((p) => {
      const [head, ...abis] = seccompSummaryLines(p.seccomp);
      return [`- **${esc(p.name)}** ${esc(head ?? '')}`, ...abis.map((l) => `  - ${esc(l)}`)];
    }),
  ];
  const side = profilesSideBySide(profiles);
  if (side.names.length < 2 || side.rows.length === 0) return lines;
  return [
    ...lines,
    '',
    `<details><summary>x86_64 calls treated differently (${side.rows.length})</summary>`,
    '',
    `| call | ${side.names.map(esc).join(' | ')} |`,
    `|---|${side.names.map(() => '---|').join('')}`,
    ...side.rows.map((r) => `| \`${r.call}\` | ${r.verdicts.map(esc).join(' | ')} |`),
    '',
    '</details>',
  ];
}

export function seccompHtml(results: RunResults, esc: (s: string) => string): string {
  const profiles = withProfiles(results);
  if (profiles.length === 0) return '';
  const items = profiles.map((p) => `<li><b>${esc(p.name)}</b> ${esc(seccompSummary(p.seccomp))}</li>`).join('\n');
  const side = profilesSideBySide(profiles);
  let table = '';
  if (side.names.length >= 2 && side.rows.length > 0) {
    const options = side.names.map((n, i) => `<option value="${i}">${esc(n)}</option>`).join('');
    const head = `<tr><th scope="col">call</th>${side.names.map((n, i) => `<th scope="col" data-col="${i}">${esc(n)}</th>`).join('')}</tr>`;
    const rows = side.rows
      .map((r) => `<tr><th scope="row"><code>${esc(r.call)}</code></th>${r.verdicts.map((v, i) => `<td data-col="${i}">${esc(v)}</td>`).join('')}</tr>`)
      .join('\n');
    table = [
      `<details class="seccomp-diff"><summary>x86_64 calls treated differently (${side.rows.length})</summary>`,
      `<p>Compare <select id="sc-a">${options}</select> with <select id="sc-b">${options.replace('value="1"', 'value="1" selected')}</select> <label><input type="checkbox" id="sc-all"> all targets</label></p>`,
      `<table class="seccomp" id="sc-table"><thead>${head}</thead><tbody>${rows}</tbody></table>`,
      `<script>${PICKER}</script>`,
      '</details>',
    ].join('\n');
  }
  return `<h2>Seccomp</h2>\n<p class="legend">${esc(TITLE)}</p>\n<ul class="seccomp">${items}</ul>\n${table}`;
}

// Shows two columns and the rows where they differ; "all targets" shows the whole table.
const PICKER = `(() => {
  const a = document.getElementById('sc-a'), b = document.getElementById('sc-b'), all = document.getElementById('sc-all');
  const t = document.getElementById('sc-table');
  const show = () => {
    const cols = [a.value, b.value];
    for (const cell of t.querySelectorAll('[data-col]')) cell.hidden = !all.checked && !cols.includes(cell.dataset.col);
    for (const row of t.tBodies[0].rows) {
      const v = cols.map((c) => row.querySelector('[data-col="' + c + '"]').textContent);
      row.hidden = !all.checked && v[0] === v[1];
    }
  };
  a.onchange = b.onchange = all.onchange = show;
  show();
})();`;
