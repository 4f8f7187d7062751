/**
 * The live progress of a run with a target that could not run: its error once, not once per
 * check (the summary, results.json and every report say it once too), and every check still
 * recorded for the reports.
 */
import { expect } from 'chai';
import { check } from '../../checks/define.js';
import { runChecks, type TargetUnderTest } from '../../engine/check-runner.js';
import type { Check } from '../../model/check.js';
import type { ProbeFacts } from '../../model/facts.js';
import { DEFAULT_SPEC } from '../../model/spec.js';
import { ProgressReporter } from '../../reports/progress.js';

const meta = { title: 't', profiles: ['strict' as const], references: [], negativeControls: [] };
const CHECKS = [
  check({ ...meta, area: 'pid' as const, id: 'pid.a', needs: ['container'] }, () => 'ok'),
  check({ ...meta, area: 'pid' as const, id: 'pid.b', needs: ['container'] }, () => 'ok'),
  check({ ...meta, area: 'cgroup' as const, id: 'cgroup.a', needs: ['container'] }, () => 'ok'),
] as Check[];

const running: TargetUnderTest = {
  name: 'good',
  runtime: 'fake',
  info: {},
  ctx: {
    target: 'good',
    profile: 'strict',
    spec: { ...DEFAULT_SPEC, argv: [] },
    request: {},
    capabilities: { timeOffsets: false, lsmProfile: { applied: true } },
    provides: ['container'],
    container: { pid: 1 } as ProbeFacts,
  },
};
const broken: TargetUnderTest = { name: 'broken', runtime: 'oci', info: {}, error: 'runc refused the container (exit 1)', ctx: null };

async function progressOf(targets: TargetUnderTest[]) {
  const lines: string[] = [];
  const write = process.stderr.write;
  const noColor = process.env.NO_COLOR;
  process.env.NO_COLOR = '1';
  process.stderr.write = ((s: string) => {
    lines.push(...String(s).split('\n'));
    return true;
  }) as typeof process.stderr.write;
  try {
    const results = await runChecks(targets, CHECKS, { profile: 'strict', reporter: ProgressReporter });
    return { results, lines: lines.filter((l) => l !== '') };
  } finally {
    process.stderr.write = write;
    if (noColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = noColor;
  }
}

describe('engine: live progress of a target that could not run', () => {
  it('prints its error once, under its name, with how many checks it did not run', async () => {
    const { lines } = await progressOf([broken, running]);
    expect(lines.slice(0, 3)).to.deep.equal(['broken', '    FAIL  could not run (3 checks not run)', '          runc refused the container (exit 1)']);
    expect(lines.filter((l) => l.includes('runc refused'))).to.have.length(1);
    // The target that ran still shows each check under its area.
    expect(lines.slice(3)).to.deep.equal(['good', '  pid', '    pass  [pid.a] t', '    pass  [pid.b] t', '  cgroup', '    pass  [cgroup.a] t']);
  });

  it('still records each of its checks as an error with the reason, in area order', async () => {
    const { results } = await progressOf([broken]);
    expect(results[0]!.checks.map((c) => [c.id, c.status, c.reason])).to.deep.equal([
      ['pid.a', 'error', 'runc refused the container (exit 1)'],
      ['pid.b', 'error', 'runc refused the container (exit 1)'],
      ['cgroup.a', 'error', 'runc refused the container (exit 1)'],
    ]);
  });
});
