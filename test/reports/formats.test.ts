/**
 * The formats beside JUnit (issue 15): TAP 14 parsed by tap-parser (what node-tap and its
 * consumers use), CSV by RFC 4180's rules, GitHub workflow commands by the runner's escaping.
 */
import { expect } from 'chai';
import { Parser } from 'tap-parser';
import type { RunResults } from '../../model/results.js';
import { csvText } from '../../reports/csv.js';
import { ANNOTATION_CAP, githubAnnotations } from '../../reports/github.js';
import { sarifJson } from '../../reports/sarif.js';
import { tapText } from '../../reports/tap.js';
import { smallResults } from '../fixtures/results-small.js';

interface TapSummary {
  ok: boolean;
  count: number;
  pass: number;
  fail: number;
  failures: { name: string }[];
}
function parseTap(text: string): Promise<{ summary: TapSummary; children: TapSummary[]; errors: unknown[] }> {
  return new Promise((resolve) => {
    const children: TapSummary[] = [];
    const errors: unknown[] = [];
    const p = new Parser((summary) => resolve({ summary: summary as unknown as TapSummary, children, errors }));
    p.on('child', (c: Parser) => c.on('complete', (r: unknown) => children.push(r as TapSummary)));
    p.on('parseError', (e: unknown) => errors.push(e));
    p.end(text);
  });
}

function broken(): RunResults {
  const r = smallResults();
  r.targets[1]!.error = 'crun refused the container # exit 1';
  r.targets[1]!.checks = [];
  return r;
}

describe('reports: TAP, CSV, GitHub', () => {
  it('TAP 14: a subtest per target, the failed required checks not ok, a broken target one not ok', async () => {
    const text = tapText(broken());
    expect(text).to.match(/^TAP version 14\n1\.\.2\n# Subtest: builtin\n {4}1\.\.\d+\n/);
    const { summary, children, errors } = await parseTap(text);
    expect(errors).to.deep.equal([]);
    expect(summary.count).to.equal(2);
    // builtin's one failure is not required by the profile: a TODO, so the subtest is ok.
    expect(summary.failures.map((f) => f.name)).to.deep.equal(['builtin-share-pid could not run']);
    expect(text).to.include('# TODO not required by the profile');
    expect(children).to.have.length(1);
    expect(children[0]!.count).to.equal(smallResults().targets[0]!.checks.length);
    // The reason's '#' is escaped: no directive hides in the description.
    expect(text).to.include('not ok 2 - builtin-share-pid could not run\n  ---\n  severity: "error"\n  reason: "crun refused the container # exit 1"\n  ...');
  });

  it("TAP: a not-required failure and a control target's are TODO, not counted", async () => {
    const r = smallResults();
    r.targets[1]!.control = true;
    r.targets[1]!.checks = r.targets[1]!.checks.filter((c) => c.status !== 'error');
    const text = tapText(r);
    expect(text).to.match(/not ok \d+ - \[[^\]]+\] [^\n]* # TODO control target: deliberately weakened/);
    const { summary } = await parseTap(text);
    expect(summary.ok).to.equal(true);
    // An error on a control target is the harness's, not its purpose.
    const withError = smallResults();
    withError.targets[1]!.control = true;
    expect((await parseTap(tapText(withError))).summary.failures.map((f) => f.name)).to.deep.equal(['builtin-share-pid']);
  });

  it('CSV: a header and a row per target and check, every field quoted, quotes doubled', () => {
    const r = smallResults();
    r.targets[0]!.checks[0]!.reason = 'said "no", then, left';
    const rows = csvText(r).split('\r\n').filter(Boolean);
    expect(rows[0]).to.equal('"target","runtime","control","area","id","title","required","status","requirement","reason","expected","observed","durationMs"');
    expect(rows).to.have.length(1 + r.targets.reduce((n, t) => n + t.checks.length, 0));
    expect(rows[1]).to.include('"said ""no"", then, left"');
  });

  it('GitHub: required failures as ::error first, escaped; the rest as ::warning; more than GitHub shows said in a ::notice', () => {
    const out = githubAnnotations(smallResults()).trimEnd().split('\n');
    expect(out[0]).to.equal(
      '::error title=builtin-share-pid%3A [pid.host-invisible] host processes are not visible::fail: expected no host pids, observed 1 (systemd), 4242 (sentinel)',
    );
    expect(out.at(-1)).to.match(/^::warning title=builtin%3A \[security.no-new-privs\] no_new_privs is set::fail: expected 1, observed 0$/);
    expect(githubAnnotations(broken())).to.include('::error title=builtin-share-pid could not run::crun refused the container # exit 1');
    const many = smallResults();
    const c = many.targets[1]!.checks.find((x) => x.status === 'fail' && x.required)!;
    many.targets[1]!.checks = Array.from({ length: ANNOTATION_CAP + 3 }, (_, i) => ({ ...c, id: `${c.id}-${i}`, observed: `line1\nline2 100%` }));
    const lines = githubAnnotations(many).trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('::error'))).to.have.length(ANNOTATION_CAP);
    expect(lines[ANNOTATION_CAP]).to.match(/^::notice title=isoprobe%3A 3 more errors::GitHub shows 10 errors per step; all 13 are in junit.xml/);
    expect(lines.slice(ANNOTATION_CAP + 1).every((l) => l.startsWith('::warning'))).to.equal(true);
    expect(lines[0]).to.include('line1%0Aline2 100%25');
  });
});

describe('reports: SARIF 2.1.0', () => {
  const log = (r: RunResults) => JSON.parse(sarifJson(r, { location: 'targets.json' }));

  it('rules are the catalogue, levelled by the profile, with references as help and unique tags', () => {
    const r = smallResults();
    const run = log(r).runs[0];
    expect(log(r).version).to.equal('2.1.0');
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).to.deep.equal(r.catalogue.map((m) => m.id));
    for (const rule of run.tool.driver.rules) expect(new Set(rule.properties.tags).size).to.equal(rule.properties.tags.length);
    const req = r.catalogue.find((m) => m.profiles.includes(r.profile))!;
    expect(run.tool.driver.rules.find((x: { id: string }) => x.id === req.id).defaultConfiguration.level).to.equal('error');
  });

  it('results: the failed and errored checks of isolated targets, each located and fingerprinted stably', () => {
    const run = log(smallResults()).runs[0];
    expect(run.results.map((x: { ruleId: string; properties: { target: string } }) => `${x.properties.target} ${x.ruleId}`)).to.deep.equal([
      'builtin security.no-new-privs',
      'builtin-share-pid pid.host-invisible',
      'builtin-share-pid pid.own-namespace',
      'builtin-share-pid net.loopback-unreachable',
    ]);
    const first = run.results[1];
    expect(first.level).to.equal('error');
    expect(first.locations[0].physicalLocation.artifactLocation.uri).to.equal('targets.json');
    expect(first.partialFingerprints['isoprobeTargetCheck/v1']).to.match(/^[0-9a-f]{32}$/);
    expect(log(smallResults()).runs[0].results[1].partialFingerprints).to.deep.equal(first.partialFingerprints);
    expect(run.results[0].level).to.equal('warning');
  });

  it('a target that could not run is one tool execution notification, not a result per check; a control target adds none', () => {
    const r = broken();
    const run = log(r).runs[0];
    expect(run.results.every((x: { properties: { target: string } }) => x.properties.target !== 'builtin-share-pid')).to.equal(true);
    expect(run.invocations[0].executionSuccessful).to.equal(false);
    expect(run.invocations[0].toolExecutionNotifications).to.deep.equal([
      {
        level: 'error',
        message: { text: 'target builtin-share-pid (builtin) could not run: crun refused the container # exit 1' },
        descriptor: { id: 'target-could-not-run' },
      },
    ]);
    const c = smallResults();
    c.targets[1]!.control = true;
    expect(log(c).runs[0].results.map((x: { properties: { target: string } }) => x.properties.target)).to.deep.equal(['builtin']);
  });
});
