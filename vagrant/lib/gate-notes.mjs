#!/usr/bin/env node
// What only the gate knows, appended under the matrix.md that `isoprobe merge` wrote in
// REPORTS_DIR: why a machine left no results.json (its `vagrant up` and isoprobe exit codes, the
// last provisioning line of its logs; the merged results say only that the file is missing), and
// the wall time of each stage (the gate's GATE_STAGES file so far, each guest's guest-stages.txt).
// The reasons are printed on stderr too. Exit 0, also when there is nothing to add.
//   node vagrant/lib/gate-notes.mjs REPORTS_DIR MACHINE...
import fs from 'node:fs';
import path from 'node:path';

const [dir, ...machines] = process.argv.slice(2);
if (!dir || machines.length === 0) {
  process.stderr.write('usage: gate-notes.mjs REPORTS_DIR MACHINE...\n');
  process.exit(2);
}

const read = (file) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

const reasons = machines
  .filter((m) => !fs.existsSync(path.join(dir, m, 'results.json')))
  .map((m) => {
    const own = (f) => read(path.join(dir, m, f))?.trim();
    const lines = (own('isoprobe.log') ?? own('vagrant-up.log') ?? '').split(/[\r\n]/).filter(Boolean);
    const tail = lines.filter((l) => l.includes('provision[')).slice(-1)[0] ?? lines.slice(-1)[0];
    return `${m}: no results.json (vagrant up exit ${own('vagrant-up-exit-code') ?? '?'}, isoprobe exit ${own('exit-code') ?? '?'}${tail ? `: ${tail}` : ''})`;
  });
for (const r of reasons) process.stderr.write(`gate: ${r}\n`);

// "gate-stage NAME SECONDS" / "guest-stage NAME SECONDS" lines → [name, seconds].
const stageLines = (file, prefix) =>
  (read(file) ?? '')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[0] === prefix && f.length === 3 && /^\d+$/.test(f[2]))
    .map((f) => [f[1], Number(f[2])]);
const stageRows = [];
for (const [name, s] of process.env.GATE_STAGES ? stageLines(process.env.GATE_STAGES, 'gate-stage') : []) {
  stageRows.push([name, s]);
  const m = machines.find((x) => name === `${x}:up+suite`);
  if (!m) continue;
  // vagrant up = boot (+ box upload, rsync) + the provisioner's steps timed in the guest.
  const guest = stageLines(path.join(dir, m, 'guest-stages.txt'), 'guest-stage');
  const inGuest = guest.reduce((t, [, g]) => t + g, 0);
  if (guest.length > 0) stageRows.push([`  ${m}:boot+rsync (up before the provisioner)`, Math.max(0, s - inGuest)]);
  for (const [g, gs] of guest) stageRows.push([`  ${m}:${g}`, gs]);
}

// Markdown table cells: a "|" or a line break in a log line must not end the cell.
const cell = (s) => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
const md = [
  ...(reasons.length === 0 ? [] : ['', '#### Machines without results', '', ...reasons.map((r) => `- ${cell(r)}`)]),
  ...(stageRows.length === 0
    ? []
    : [
        '',
        '#### Wall time per stage (s)',
        '',
        '| stage | s |',
        '|---|---:|',
        ...stageRows.map(([n, s]) => `| ${n.startsWith(' ') ? '↳ ' : ''}${n.trim()} | ${s} |`),
      ]),
];
const matrix = path.join(dir, 'matrix.md');
// No matrix.md: the merge itself failed (exit 2), and a table alone would read as a report.
if (md.length > 0 && fs.existsSync(matrix)) fs.appendFileSync(matrix, `${md.join('\n')}\n`);
