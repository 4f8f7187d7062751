/**
 * The seccomp section of the matrix and `isoprobe diff`'s seccomp regression, on profiles computed
 * from the recorded filters (test/fixtures/seccomp-filters.json): the built-in runtime's deny list
 * and Docker 20.10.24's default.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import type { BpfInsn } from '../../model/parse/seccomp-filters.js';
import type { RunResults } from '../../model/results.js';
import { newlyRunnable, profilesSideBySide, type SeccompResult, seccompResult, seccompSummary } from '../../model/seccomp/summary.js';
import { diffResults } from '../../reports/diff.js';
import { matrixHtml, matrixMarkdown } from '../../reports/matrix.js';
import { smallResults } from '../fixtures/results-small.js';

const FILTERS = JSON.parse(fs.readFileSync(new URL('../../../test/fixtures/seccomp-filters.json', import.meta.url), 'utf8')) as Record<
  'builtin' | 'docker',
  BpfInsn[][]
>;
const of = (filters: BpfInsn[][]) => seccompResult({ pid: 1, filters }, 'workload')!;
const BUILTIN = of(FILTERS.builtin);
const DOCKER = of(FILTERS.docker);

function withProfiles(a: SeccompResult, b: SeccompResult): RunResults {
  const r = smallResults();
  r.targets[0]!.seccomp = a;
  r.targets[1]!.seccomp = b;
  return r;
}

describe('seccomp in results, matrix and diff', () => {
  it('summarises a profile per ABI, naming the dangerous calls the filter lets through', () => {
    expect(seccompSummary(BUILTIN)).to.match(
      /^1 filter \(90 insns\); x86_64: \d+ of 362 run \(2 conditional\), dangerous ones the filter lets through: clone\? .*; i386: none of 440 run; x32: none of 351 run$/,
    );
    expect(seccompSummary(DOCKER)).to.match(/x86_64: .*io_uring_enter io_uring_register io_uring_setup/);
    expect(seccompSummary(of([]))).to.equal('no filter: every call of every ABI runs');
    expect(seccompSummary({ unreadable: 'seize: EPERM' })).to.equal('not read: seize: EPERM');
  });

  it('a failed read is kept as its reason, never as a profile', () => {
    expect(seccompResult({ pid: 7, filters: [], error: { step: 'seize', index: 0, errno: 1 } }, 'workload')).to.deep.equal({
      unreadable: 'filter 0: seize failed with errno 1',
    });
    expect(seccompResult(undefined, 'workload')).to.equal(undefined);
  });

  it("side by side: only the calls the targets treat differently, each target's verdict", () => {
    const side = profilesSideBySide([
      { name: 'builtin', seccomp: BUILTIN },
      { name: 'docker', seccomp: DOCKER },
    ]);
    expect(side.names).to.deep.equal(['builtin', 'docker']);
    expect(side.rows).to.deep.include({ call: 'io_uring_setup', verdicts: ['errno(1)', 'allow'] });
    expect(side.rows.every((r) => r.verdicts[0] !== r.verdicts[1])).to.equal(true);
    expect(side.rows.map((r) => r.call)).to.not.include('read');
  });

  it('the matrix shows the summaries and the differing calls, in Markdown and in HTML with the two pickers', () => {
    const r = withProfiles(BUILTIN, DOCKER);
    const md = matrixMarkdown(r);
    expect(md).to.include('**Seccomp: the effective profile the host read');
    expect(md).to.include('| `io_uring_setup` | errno(1) | allow |');
    const html = matrixHtml(r);
    expect(html).to.include('<select id="sc-a">').and.include('<select id="sc-b">');
    expect(html).to.match(/<tr><th scope="row"><code>io_uring_setup<\/code><\/th><td data-col="0">errno\(1\)<\/td><td data-col="1">allow<\/td><\/tr>/);
  });

  it('diff: a call that runs now and did not before is a regression, the reverse is not', () => {
    expect(newlyRunnable(BUILTIN, DOCKER)).to.include('x86_64 io_uring_setup: errno(1) → allow');
    const before = withProfiles(BUILTIN, BUILTIN);
    const after = withProfiles(DOCKER, BUILTIN);
    const d = diffResults(before, after);
    const item = d.regressions.find((x) => x.id === 'seccomp.profile');
    expect(item?.target).to.equal(before.targets[0]!.name);
    expect(item?.detail).to.match(/^\d+ now run: .*x86_64 io_uring_setup: errno\(1\) → allow/);
    // Tighter (no filter → the deny list) or the same is none; Docker → builtin is one too (Docker refuses calls builtin allows).
    const seccompItems = (a: RunResults, b: RunResults) => diffResults(a, b).regressions.filter((x) => x.id === 'seccomp.profile');
    expect(seccompItems(withProfiles(of([]), BUILTIN), withProfiles(BUILTIN, BUILTIN))).to.deep.equal([]);
    expect(seccompItems(before, before)).to.deep.equal([]);
    expect(seccompItems(after, before)[0]?.detail).to.include('x86_64 _sysctl: errno(1) → allow');
  });
});
