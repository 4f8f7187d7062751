/**
 * The formats beside JUnit (issue 15): TAP 14 parsed by tap-parser (what node-tap and its
 * consumers use), CSV by RFC 4180's rules, GitHub workflow commands by the runner's escaping.
 */
import { expect } from 'chai';
import { Parser } from 'tap-parser';
import type { RunResults } from '../../model/results.js';
import { csvText } from '../../reports/csv.js';
import { ANNOTATION_CAP, githubAnnotations } from '../../reports/github.js';
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
