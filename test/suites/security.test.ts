/**
 * The security, escape and enforcement checks on recorded facts: test/fixtures/security-facts.json
 * holds the status text and security facts of the built-in runtime as recorded on the reference
 * VM, isolated ("builtin"), without seccomp and no_new_privs ("noseccomp") and with all
 * capabilities ("allcaps"). Enforcement results are small literals.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { evaluate, type Check, type CheckContext } from '../../core/check.js';
import type { EnforcementFacts } from '../../core/enforce.js';
import type { ProbeFacts, SecurityFacts } from '../../core/facts.js';
import { DEFAULT_SPEC } from '../../core/spec.js';
import { escapeChecks } from '../../suites/escapes.js';
import { cpuAllowanceMs, limitChecks } from '../../suites/limits.js';
import { maskedRightly, refused, securityChecks } from '../../suites/security.js';

type Recorded = Record<'builtin' | 'noseccomp' | 'allcaps', { status: string; security: SecurityFacts }>;
const recorded = JSON.parse(fs.readFileSync(new URL('../../../test/fixtures/security-facts.json', import.meta.url), 'utf8')) as Recorded;
const ALL = [...securityChecks, ...escapeChecks];

function ctxOf(r: { status: string; security?: SecurityFacts }, over: Partial<CheckContext> = {}): CheckContext {
  const facts = { files: { status: { text: r.status, errno: 0, truncated: false } }, security: r.security } as unknown as ProbeFacts;
  return { spec: { ...DEFAULT_SPEC, argv: [] }, facts, ...over } as CheckContext;
}

function verdicts(checks: readonly Check[], ctx: CheckContext): Record<string, string> {
  return Object.fromEntries(checks.map((c) => [c.id, evaluate(c, ctx).status]));
}

const failing = (v: Record<string, string>) => Object.keys(v).filter((k) => v[k] !== 'pass').sort();

describe('security and escape checks on recorded facts', () => {
  it('the isolated built-in container passes all of them', () => {
    expect(failing(verdicts(ALL, ctxOf(recorded.builtin)))).to.deep.equal([]);
  });
  it('without seccomp and no_new_privs: the filter, the syscalls, no_new_privs and CVE-2022-0185 fail', () => {
    expect(failing(verdicts(ALL, ctxOf(recorded.noseccomp)))).to.deep.equal([
      'escape.cve-2022-0185', 'security.dangerous-syscalls-refused', 'security.no-new-privs', 'security.seccomp-filter',
    ]);
  });
  it('with all capabilities: the capability checks and ptrace fail', () => {
    expect(failing(verdicts(ALL, ctxOf(recorded.allcaps)))).to.deep.equal(['security.caps-default-set', 'security.no-host-caps', 'security.ptrace-refused']);
  });
  it('a probe without security facts is a broken harness (error), not a fail', () => {
    expect(evaluate(securityChecks.find((c) => c.id === 'security.masked-paths')!, ctxOf({ status: recorded.builtin.status })).status).to.equal('error');
  });
  it('a writable release_agent and a leaked directory fd fail their CVE checks', () => {
    const s: SecurityFacts = { ...recorded.builtin.security, release_agent: { stage: 5, errno: 0 }, fds: [{ fd: 7, target: '/sys/fs/cgroup', inside_root: 0 }] };
    const v = verdicts(escapeChecks, ctxOf({ status: recorded.builtin.status, security: s }));
    expect(v).to.include({ 'escape.cve-2022-0492': 'fail', 'escape.cve-2024-21626': 'fail' });
  });
  it('a release_agent writable only directly (no new user+cgroup namespace) fails CVE-2022-0492 too; one not found does not', () => {
    const direct: SecurityFacts = { ...recorded.builtin.security, release_agent: { stage: 5, errno: 2 }, release_agent_direct: { stage: 4, errno: 0 } };
    expect(verdicts(escapeChecks, ctxOf({ status: recorded.builtin.status, security: direct }))['escape.cve-2022-0492']).to.equal('fail');
    const absent: SecurityFacts = { ...direct, release_agent_direct: { stage: 4, errno: 2 } };
    expect(verdicts(escapeChecks, ctxOf({ status: recorded.builtin.status, security: absent }))['escape.cve-2022-0492']).to.equal('pass');
  });
});

describe('masked the right way (CVE-2025-31133)', () => {
  const p = (o: object) => ({ path: '/proc/x', errno: 0, ...o });
  for (const [what, stat, ok] of [
    ['absent', { errno: 2 }, true],
    ['/dev/null', { mode: 0o20666, rdev: '1:3' }, true],
    ['another char device', { mode: 0o20666, rdev: '1:5' }, false],
    ['an empty read-only tmpfs', { mode: 0o40555, fs_type: 0x01021994, rdonly: 1, entries: 0 }, true],
    ['a writable tmpfs', { mode: 0o40755, fs_type: 0x01021994, rdonly: 0, entries: 0 }, false],
    ['a non-empty tmpfs', { mode: 0o40555, fs_type: 0x01021994, rdonly: 1, entries: 1 }, false],
    ['the proc file itself, unreadable', { mode: 0o100400, fs_type: 0x9fa0, rdonly: 0 }, false],
    ['an unreadable stat', { errno: 13 }, false],
  ] as const) {
    it(`${what}: ${ok ? 'masked' : 'not masked'}`, () => expect(maskedRightly(p(stat))).to.equal(ok));
  }
  it('EPERM, EACCES and ENOSYS are refusals; argument errors and success are not', () => {
    expect([1, 13, 38].map(refused)).to.deep.equal([true, true, true]);
    expect([0, 2, 14, 22].map(refused)).to.deep.equal([false, false, false, false]);
  });
});

describe('limit enforcement checks', () => {
  const ok: EnforcementFacts = {
    pids: { argv: [], hostEvents: { 'pids.events': 'max 1' }, result: { kind: 'forkbomb', max: 128, forked: 63, errno: 11, elapsed_ms: 100 } },
    memory: { argv: [], hostEvents: {}, result: { kind: 'memhog', max_mb: 128, step_mb: 8, reached_mb: 56, fork_errno: 0, timed_out: false, exit_code: -1, signal: 9, elapsed_ms: 50 } },
    cpu: { argv: [], hostEvents: {}, result: { kind: 'cpuburn', wall_ms: 500, cpu_ms: 290, rusage_ms: 290 } },
  };
  const run = (e: EnforcementFacts, limits = DEFAULT_SPEC.limits) =>
    verdicts(limitChecks, { spec: { ...DEFAULT_SPEC, limits, argv: [] }, enforcement: e } as unknown as CheckContext);

  it('pass when each probe met its limit', () => {
    expect(run(ok)).to.deep.equal({ 'cgroup.pids-enforced': 'pass', 'cgroup.memory-enforced': 'pass', 'cgroup.cpu-enforced': 'pass' });
  });
  it('fail without limits, whatever the probes saw', () => {
    expect(failing(run(ok, {}))).to.deep.equal(['cgroup.cpu-enforced', 'cgroup.memory-enforced', 'cgroup.pids-enforced']);
  });
  it('fail when the limits did not stop the probes', () => {
    const weak: EnforcementFacts = {
      pids: { ...ok.pids, result: { ...ok.pids.result!, forked: 128, errno: 0 } },
      memory: { ...ok.memory, result: { ...ok.memory.result!, reached_mb: 128, signal: 0, exit_code: 0 } },
      cpu: { ...ok.cpu, result: { ...ok.cpu.result!, cpu_ms: 490 } },
    };
    expect(failing(run(weak))).to.deep.equal(['cgroup.cpu-enforced', 'cgroup.memory-enforced', 'cgroup.pids-enforced']);
  });
  it('a probe that could not run is an error, not a verdict', () => {
    expect(run({ ...ok, cpu: { argv: [], hostEvents: {}, error: 'probe cpuburn exited with 2' } })['cgroup.cpu-enforced']).to.equal('error');
  });
  it('allows the quota, one period of it and 20 ms', () => {
    expect(cpuAllowanceMs(0.5, 500)).to.equal(250 + 50 + 20);
  });
});
