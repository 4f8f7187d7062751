/**
 * The security, escape and enforcement checks on recorded facts: test/fixtures/security-facts.json
 * holds the status text and security facts of the built-in runtime as recorded on the reference
 * VM, isolated ("builtin"), without seccomp and no_new_privs ("noseccomp") and with all
 * capabilities ("allcaps"). Enforcement results are small literals.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import type { Check, CheckContext } from '../../model/check.js';
import { evaluate } from '../../engine/evaluate.js';
import type { EnforcementFacts } from '../../model/enforcement.js';
import type { ProbeFacts, SecurityFacts } from '../../model/facts.js';
import type { BpfInsn } from '../../model/parse/seccomp-filters.js';
import type { Request, RequestSource } from '../../model/request.js';
import { DEFAULT_SPEC, type Limits } from '../../model/spec.js';
import { escapeChecks } from '../../checks/escapes.js';
import { cpuAllowanceMs, limitChecks } from '../../checks/limits.js';
import { maskedRightly, refused, securityChecks } from '../../checks/security.js';

type Recorded = Record<'builtin' | 'noseccomp' | 'allcaps', { status: string; security: SecurityFacts }>;
const recorded = JSON.parse(fs.readFileSync(new URL('../../../test/fixtures/security-facts.json', import.meta.url), 'utf8')) as Recorded;
/** The built-in runtime's filter as the host read it (test/fixtures/seccomp-filters.json); the noseccomp case has none. */
const FILTERS = JSON.parse(fs.readFileSync(new URL('../../../test/fixtures/seccomp-filters.json', import.meta.url), 'utf8')) as { builtin: BpfInsn[][] };
const BUILTIN_UID_MAP = '         0     100000      65536\n';
/** The LSM check depends on the host's LSM, not on these facts: its own table is below. */
const LSM_CHECK = securityChecks.find((c) => c.id === 'security.lsm-confined')!;
const ALL = [...securityChecks, ...escapeChecks].filter((c) => c !== LSM_CHECK);

function ctxOf(r: { status: string; security?: SecurityFacts }, over: Partial<CheckContext> = {}, filters: BpfInsn[][] = FILTERS.builtin): CheckContext {
  const facts = { files: { status: { text: r.status, errno: 0, truncated: false } }, security: r.security } as unknown as ProbeFacts;
  const observed = { uidMap: BUILTIN_UID_MAP, seccomp: { pid: 1, filters } };
  const capabilities = { timeOffsets: true, lsmProfile: { applied: false, why: 'none' } };
  return {
    spec: { ...DEFAULT_SPEC, argv: [] },
    request: { noNewPrivs: { value: true, source: 'isoprobe' } },
    capabilities,
    container: facts,
    observed,
    ...over,
  } as CheckContext;
}

function verdicts(checks: readonly Check[], ctx: CheckContext): Record<string, string> {
  return Object.fromEntries(checks.map((c) => [c.id, evaluate(c, ctx).status]));
}

const failing = (v: Record<string, string>) =>
  Object.keys(v)
    .filter((k) => v[k] !== 'pass')
    .sort();

describe('security and escape checks on recorded facts', () => {
  it('the isolated built-in container passes all of them', () => {
    expect(failing(verdicts(ALL, ctxOf(recorded.builtin)))).to.deep.equal([]);
  });
  it("in a sandbox with a kernel of its own, what the syscalls reach says nothing of the host's: an evidence skip", () => {
    const ctx = ctxOf(recorded.noseccomp, { capabilities: { timeOffsets: true, lsmProfile: { applied: false, why: 'none' }, ownKernel: 'the Sentry' } });
    const v = evaluate(securityChecks.find((c) => c.id === 'security.dangerous-syscalls-refused')!, ctx);
    expect(v).to.include({ status: 'skip', requirement: 'evidence' });
  });
  it('without seccomp and no_new_privs: the filter, the syscalls, the other ABIs, no_new_privs and CVE-2022-0185 fail', () => {
    expect(failing(verdicts(ALL, ctxOf(recorded.noseccomp, {}, [])))).to.deep.equal([
      'escape.cve-2022-0185',
      'security.dangerous-syscalls-refused',
      'security.no-new-privs',
      'security.seccomp-abi',
      'security.seccomp-filter',
    ]);
  });
  it('with all capabilities: the capability checks, ptrace and the namespace calls the filter leaves to CAP_SYS_ADMIN fail', () => {
    const ctx = ctxOf(recorded.allcaps);
    expect(failing(verdicts(ALL, ctx))).to.deep.equal([
      'security.caps-default-set',
      'security.dangerous-syscalls-refused',
      'security.no-host-caps',
      'security.ptrace-refused',
    ]);
    const v = evaluate(securityChecks.find((c) => c.id === 'security.dangerous-syscalls-refused')!, ctx);
    expect(v.observed)
      .to.match(/unshare\(flags=CLONE_NEWNET\): reachable/)
      .and.not.match(/keyctl|iopl|ptrace:/);
  });
  it('a filter read that failed is an error with its reason, never a pass', () => {
    const ctx = ctxOf(recorded.builtin, {
      observed: { uidMap: BUILTIN_UID_MAP, seccomp: { unreadable: 'probe seccomp-filters timed out' } } as unknown as CheckContext['observed'],
    });
    const v = evaluate(securityChecks.find((c) => c.id === 'security.dangerous-syscalls-refused')!, ctx);
    expect(v.status).to.equal('error');
    expect(v.reason).to.include('timed out');
  });
  it('a filter that refuses only x86_64 calls (foreign architectures allowed) fails the ABI check, naming i386 calls', () => {
    const nativeOnly = FILTERS.builtin.map((f) => f.map((insn, i) => (i === 2 ? ([0x06, 0, 0, 0x7fff0000] as BpfInsn) : insn)));
    const v = evaluate(securityChecks.find((c) => c.id === 'security.seccomp-abi')!, ctxOf(recorded.builtin, {}, nativeOnly));
    expect(v.status).to.equal('fail');
    expect(v.observed).to.match(/i386 keyctl: allow \(x86_64: errno\(1\)\)/);
  });
  it('a probe without security facts is a broken harness (error), not a fail', () => {
    expect(evaluate(securityChecks.find((c) => c.id === 'security.masked-paths')!, ctxOf({ status: recorded.builtin.status })).status).to.equal('error');
  });
  it('a writable release_agent and a leaked directory fd fail their CVE checks', () => {
    const s: SecurityFacts = {
      ...recorded.builtin.security,
      release_agent: { stage: 5, errno: 0 },
      fds: [{ fd: 7, target: '/sys/fs/cgroup', inside_root: 0 }],
    };
    const v = verdicts(escapeChecks, ctxOf({ status: recorded.builtin.status, security: s }));
    expect(v).to.include({ 'escape.cve-2022-0492': 'fail', 'escape.cve-2024-21626': 'fail' });
  });
  it('a release_agent writable in place (no new user namespace) fails CVE-2022-0492 too', () => {
    const s: SecurityFacts = { ...recorded.builtin.security, release_agent_in_place: { stage: 4, errno: 0 } };
    expect(evaluate(escapeChecks.find((c) => c.id === 'escape.cve-2022-0492')!, ctxOf({ status: recorded.builtin.status, security: s })).status).to.equal(
      'fail',
    );
  });
});

describe('security.lsm-confined on fixtures', () => {
  const APPARMOR_HOST = { active: 'apparmor', evidence: '/sys/kernel/security/lsm: capability,apparmor; /sys/module/apparmor/parameters/enabled: Y' } as const;
  const SELINUX_HOST = { active: 'selinux', evidence: '/sys/kernel/security/lsm: capability,selinux; /sys/fs/selinux/enforce: 1' } as const;
  const NO_LSM = { active: null, evidence: '/sys/kernel/security/lsm: unreadable; /sys/module/apparmor/parameters/enabled: absent' };
  const file = (text: string, errno = 0) => ({ text, errno, truncated: false });
  const EINVAL = file('', 22);
  const BUILTIN_WHY = 'the built-in runtime loads no AppArmor/SELinux profile';
  function lsmCtx(host: object, files: object, target = 'docker', applied = true): CheckContext {
    const lsmProfile = applied ? { applied } : { applied, why: BUILTIN_WHY };
    return { target, container: { files }, reference: { lsm: host }, capabilities: { timeOffsets: false, lsmProfile } } as unknown as CheckContext;
  }
  for (const [what, ctx, status, says] of [
    [
      'AppArmor host, label unconfined',
      lsmCtx(APPARMOR_HOST, { attr_current: file('unconfined\n'), apparmor_current: file('unconfined\n') }),
      'fail',
      'no profile (unconfined)',
    ],
    [
      'AppArmor host, docker-default (enforce)',
      lsmCtx(APPARMOR_HOST, { attr_current: file('docker-default (enforce)\n'), apparmor_current: file('docker-default (enforce)\n') }),
      'pass',
      'docker-default',
    ],
    [
      'AppArmor host, complain mode',
      lsmCtx(APPARMOR_HOST, { attr_current: file('docker-default (complain)\n'), apparmor_current: EINVAL }),
      'fail',
      'complain mode',
    ],
    [
      "AppArmor host, attr/current owned by another LSM: AppArmor's own file decides",
      lsmCtx(APPARMOR_HOST, { attr_current: file('other'), apparmor_current: file('unconfined\n') }),
      'fail',
      'unconfined',
    ],
    ['AppArmor host, label unreadable', lsmCtx(APPARMOR_HOST, { attr_current: EINVAL, apparmor_current: EINVAL }), 'fail', 'could not be read'],
    ['SELinux host, container_t', lsmCtx(SELINUX_HOST, { attr_current: file('system_u:system_r:container_t:s0:c1,c2\0') }), 'pass', 'container_t'],
    ['SELinux host, spc_t (--privileged)', lsmCtx(SELINUX_HOST, { attr_current: file('system_u:system_r:spc_t:s0\0') }), 'fail', 'spc_t is unconfined'],
    [
      'no LSM on the host',
      lsmCtx(NO_LSM, { attr_current: EINVAL, apparmor_current: EINVAL }),
      'skip',
      'the host enables no AppArmor or SELinux (/sys/kernel/security/lsm: unreadable',
    ],
    [
      'AppArmor host, built-in runtime',
      lsmCtx(APPARMOR_HOST, { attr_current: file('unconfined\n') }, 'builtin', false),
      'skip',
      `builtin applies no apparmor profile: ${BUILTIN_WHY}`,
    ],
  ] as const) {
    it(`${what}: ${status}`, () => {
      const v = evaluate(LSM_CHECK, ctx);
      expect(v.status, JSON.stringify(v)).to.equal(status);
      expect(`${v.reason ?? ''} ${v.evidence ?? ''}`).to.include(says);
      if (status === 'fail') expect(v).to.have.property('observed');
    });
  }
  it('a skip names its requirement from the closed list: lsm for the host, target-feature for the built-in runtime', () => {
    expect(evaluate(LSM_CHECK, lsmCtx(NO_LSM, { attr_current: EINVAL })).requirement).to.equal('lsm');
    expect(evaluate(LSM_CHECK, lsmCtx(APPARMOR_HOST, { attr_current: EINVAL }, 'builtin', false)).requirement).to.equal('target-feature');
  });
  it('a probe without the label fields is a broken harness (error) on an LSM host', () => {
    expect(evaluate(LSM_CHECK, lsmCtx(APPARMOR_HOST, {})).status).to.equal('error');
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
    pids: { argv: [], hostEvents: { 'pids.events': 'max 1' }, hostLimits: {}, result: { kind: 'forkbomb', max: 128, forked: 63, errno: 11, elapsed_ms: 100 } },
    memory: {
      argv: [],
      hostEvents: {},
      hostLimits: {},
      result: { kind: 'memhog', max_mb: 128, step_mb: 8, reached_mb: 56, fork_errno: 0, timed_out: false, exit_code: -1, signal: 9, elapsed_ms: 50 },
    },
    cpu: {
      argv: [],
      hostEvents: { 'cpu.stat': 'nr_periods 6\nnr_throttled 2\nthrottled_time 21103367' },
      hostLimits: { 'cpu.cfs_quota_us': '50000', 'cpu.cfs_period_us': '100000' },
      result: { kind: 'cpuburn', wall_ms: 500, cpu_ms: 290, rusage_ms: 290 },
    },
  };
  const asked = (l: Limits, source: RequestSource = 'isoprobe'): Request => ({
    ...(l.pids !== undefined ? { 'limits.pids': { value: l.pids, source } } : {}),
    ...(l.memoryBytes !== undefined ? { 'limits.memory': { value: l.memoryBytes, source } } : {}),
    ...(l.cpus !== undefined ? { 'limits.cpu': { value: l.cpus, source } } : {}),
  });
  const ctx = (e: EnforcementFacts, request: Request) =>
    ({
      spec: { ...DEFAULT_SPEC, argv: [] },
      request,
      enforcement: e,
      capabilities: { timeOffsets: true, lsmProfile: { applied: true } },
    }) as unknown as CheckContext;
  const run = (e: EnforcementFacts, limits: Limits = DEFAULT_SPEC.limits) => verdicts(limitChecks, ctx(e, asked(limits)));
  const noQuota = { ...ok.cpu, hostLimits: { 'cpu.cfs_quota_us': '-1', 'cpu.cfs_period_us': '100000' } };

  it('pass when each probe met its limit', () => {
    expect(run(ok)).to.deep.equal({ 'cgroup.pids-enforced': 'pass', 'cgroup.memory-enforced': 'pass', 'cgroup.cpu-enforced': 'pass' });
  });
  it('fail without limits asked or in force, whatever the probes saw, naming that nobody asked', () => {
    const none = { ...ok, cpu: noQuota, pids: { ...ok.pids, hostLimits: { 'pids.max': 'max' } } };
    expect(failing(run(none, {}))).to.deep.equal(['cgroup.cpu-enforced', 'cgroup.memory-enforced', 'cgroup.pids-enforced']);
    const pids = evaluate(limitChecks.find((c) => c.id === 'cgroup.pids-enforced')!, ctx(none, {}));
    expect(pids.evidence).to.match(/no pids limit is set: pids limit in force pids\.max=max \(runtime default: nobody asked\)/);
  });
  it("judge the limit in force, whoever set it: a user's PidsLimit 100 met at 99 forks passes, sourced to the config", () => {
    const user = { ...ok, pids: { ...ok.pids, hostLimits: { 'pids.max': '100' }, result: { ...ok.pids.result!, max: 200, forked: 99 } } };
    const v = evaluate(limitChecks.find((c) => c.id === 'cgroup.pids-enforced')!, ctx(user, asked({ pids: 100 }, 'user config')));
    expect(v.status).to.equal('pass');
    expect(v.evidence).to.match(/pids\.max=100 \(user config: asked 100\)/);
  });
  it('fail when the limits did not stop the probes', () => {
    const weak: EnforcementFacts = {
      pids: { ...ok.pids, result: { ...ok.pids.result!, forked: 128, errno: 0 } },
      memory: { ...ok.memory, result: { ...ok.memory.result!, reached_mb: 128, signal: 0, exit_code: 0 } },
      cpu: { ...ok.cpu, result: { ...ok.cpu.result!, cpu_ms: 490 } },
    };
    expect(failing(run(weak))).to.deep.equal(['cgroup.cpu-enforced', 'cgroup.memory-enforced', 'cgroup.pids-enforced']);
  });
  it('a burn kept under the quota by a busy machine fails when no quota was in force on its cgroup', () => {
    const unquoted = { ...noQuota, result: { ...ok.cpu.result!, cpu_ms: 250 } };
    expect(run({ ...ok, cpu: unquoted })['cgroup.cpu-enforced']).to.equal('fail');
    expect(run({ ...ok, cpu: { ...unquoted, hostLimits: { 'cpu.max': 'max 100000' } } })['cgroup.cpu-enforced']).to.equal('fail');
    expect(run({ ...ok, cpu: { ...unquoted, hostLimits: { 'cpu.max': '50000 100000' } } })['cgroup.cpu-enforced']).to.equal('pass');
  });
  it('a probe that could not run is an error, not a verdict', () => {
    expect(run({ ...ok, cpu: { argv: [], hostEvents: {}, hostLimits: {}, error: 'probe cpuburn exited with 2' } })['cgroup.cpu-enforced']).to.equal('error');
  });
  it('allows the quota, one period of it and 20 ms', () => {
    expect(cpuAllowanceMs(0.5, 500)).to.equal(250 + 50 + 20);
  });
});
