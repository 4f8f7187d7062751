#!/usr/bin/env node
// Combines each machine's results.json (reports/vagrant/<machine>/) into one run whose targets are
// <machine>/<target>, and writes junit.xml, results.json, matrix.html and matrix.md beside them
// with the project's own report code (dist/, built by the gate). A machine with no readable
// results is a target that could not run. Exit code: isoprobe's (1 if a required check failed or a
// target could not run). The wall time of each stage (the gate's GATE_STAGES file so far, each
// guest's guest-stages.txt) goes into the environment and under the Markdown matrix.
//   node vagrant/lib/combine.mjs REPORTS_DIR MACHINE...
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
const { readResults, writeResults } = await import(`${dist}/reports/results-json.js`);
const { matrixHtml, matrixMarkdown } = await import(`${dist}/reports/matrix.js`);
const { junitXml } = await import(`${dist}/reports/junit.js`);
const { exitCodeFor, summaryText } = await import(`${dist}/reports/summary.js`);

const [dir, ...machines] = process.argv.slice(2);
if (!dir || machines.length === 0) {
  process.stderr.write('usage: combine.mjs REPORTS_DIR MACHINE...\n');
  process.exit(2);
}

const runs = [];
for (const m of machines) {
  const file = path.join(dir, m, 'results.json');
  const why = () => {
    const read = (f) => {
      try {
        return fs.readFileSync(path.join(dir, m, f), 'utf8').trim();
      } catch {
        return undefined;
      }
    };
    const up = read('vagrant-up-exit-code');
    const code = read('exit-code');
    const lines = (read('isoprobe.log') ?? read('vagrant-up.log') ?? '').split(/[\r\n]/).filter(Boolean);
    const tail = lines.filter((l) => l.includes('provision[')).slice(-1)[0] ?? lines.slice(-1)[0];
    return `no results.json from ${m} (vagrant up exit ${up ?? '?'}, isoprobe exit ${code ?? '?'}${tail ? `: ${tail}` : ''})`;
  };
  if (!fs.existsSync(file)) {
    runs.push({ machine: m, error: why() });
    continue;
  }
  try {
    runs.push({ machine: m, results: readResults(file) });
  } catch (e) {
    runs.push({ machine: m, error: `${m}: ${e.message}` });
  }
}

const ok = runs.filter((r) => r.results).map((r) => r.results);
const first = ok[0];
const catalogue = [];
for (const r of ok) for (const c of r.catalogue) if (!catalogue.some((x) => x.id === c.id)) catalogue.push(c);
const environment = {};
for (const r of runs) {
  if (!r.results) continue;
  for (const [k, v] of Object.entries(r.results.environment)) environment[`${r.machine}.${k}`] = v;
}
const targets = runs.flatMap((r) =>
  r.results
    ? r.results.targets.map((t) => ({ ...t, name: `${r.machine}/${t.name}`, info: { ...t.info, machine: r.machine } }))
    : [{ name: `${r.machine}/(machine)`, runtime: 'vagrant', error: r.error, info: { machine: r.machine }, checks: [] }],
);
const profiles = new Set(ok.map((r) => r.profile));
if (profiles.size > 1) process.stderr.write(`combine: machines ran different profiles (${[...profiles].join(', ')}); showing ${first.profile}\n`);

// "gate-stage NAME SECONDS" / "guest-stage NAME SECONDS" lines → [name, seconds].
const stageLines = (file, prefix) => {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[0] === prefix && f.length === 3 && /^\d+$/.test(f[2]))
    .map((f) => [f[1], Number(f[2])]);
};
const gateStages = process.env.GATE_STAGES ? stageLines(process.env.GATE_STAGES, 'gate-stage') : [];
const stageRows = [];
for (const [name, s] of gateStages) {
  stageRows.push([name, s]);
  const m = machines.find((x) => name === `${x}:up+suite`);
  if (!m) continue;
  // vagrant up = boot (+ box upload, rsync) + the provisioner's steps timed in the guest.
  const guest = stageLines(path.join(dir, m, 'guest-stages.txt'), 'guest-stage');
  const inGuest = guest.reduce((t, [, g]) => t + g, 0);
  if (guest.length > 0) stageRows.push([`  ${m}:boot+rsync (up before the provisioner)`, Math.max(0, s - inGuest)]);
  for (const [g, gs] of guest) stageRows.push([`  ${m}:${g}`, gs]);
}
for (const [name, s] of stageRows) if (!name.startsWith(' ')) environment[`gate.stage.${name}`] = `${s}s`;
for (const [name, s] of stageRows) if (name.startsWith(' ')) environment[`gate.stage.${name.trim().split(' ')[0]}`] = `${s}s`;

const combined = {
  schema: first?.schema ?? 1,
  tool: first?.tool ?? { name: 'isoprobe', version: JSON.parse(fs.readFileSync(path.join(dist, '../package.json'), 'utf8')).version },
  startedAt: first?.startedAt ?? new Date().toISOString(),
  durationMs: ok.reduce((s, r) => s + r.durationMs, 0),
  profile: first?.profile ?? (process.env.ISOPROBE_PROFILE || 'baseline'),
  environment,
  catalogue,
  targets,
};

writeResults(path.join(dir, 'results.json'), combined);
fs.writeFileSync(path.join(dir, 'junit.xml'), junitXml(combined));
fs.writeFileSync(path.join(dir, 'matrix.html'), matrixHtml(combined));
const stagesMd =
  stageRows.length === 0
    ? ''
    : [
        '',
        '#### Wall time per stage (s)',
        '',
        '| stage | s |',
        '|---|---:|',
        ...stageRows.map(([n, s]) => `| ${n.startsWith(' ') ? '↳ ' : ''}${n.trim()} | ${s} |`),
        '',
      ].join('\n');
fs.writeFileSync(path.join(dir, 'matrix.md'), matrixMarkdown(combined) + stagesMd);
process.stdout.write(summaryText(combined));
process.stdout.write(`combined reports written to ${dir}/ (junit.xml, results.json, matrix.html, matrix.md)\n`);
process.exit(exitCodeFor(combined));
