/** The checks of a sandbox's host processes (checks/sandbox.ts) on small literal views of gVisor's Sentry and gofer. */
import { expect } from 'chai';
import { sandboxChecks } from '../../checks/sandbox.js';
import { evaluate } from '../../engine/evaluate.js';
import type { CheckContext } from '../../model/check.js';
import type { SandboxFacts, SandboxProcess } from '../../model/sandbox.js';

const HOST = { net: 'net:[1]', user: 'user:[2]', mnt: 'mnt:[3]', ipc: 'ipc:[4]', uts: 'uts:[5]', pid: 'pid:[6]' };
const reference = { ns: Object.fromEntries(Object.entries(HOST).map(([k, link]) => [k, { link }])) };

function proc(role: SandboxProcess['role'], over: Partial<SandboxProcess> = {}): SandboxProcess {
  const own = { net: 'net:[11]', user: 'user:[12]', mnt: 'mnt:[13]', ipc: 'ipc:[14]', uts: 'uts:[15]', pid: HOST.pid };
  return {
    role,
    pid: role === 'sandbox' ? 100 : 99,
    ns: role === 'gofer' ? { ...own, user: HOST.user } : own,
    uids: role === 'sandbox' ? [65534, 65534, 65534, 65534] : [0, 0, 0, 0],
    capEff: [],
    noNewPrivs: true,
    seccomp: 2,
    uidMap: null,
    procCgroup: null,
    ...over,
  };
}

function verdict(id: string, sandbox: SandboxFacts) {
  const check = sandboxChecks.find((c) => c.id === id)!;
  const capabilities = { timeOffsets: true, lsmProfile: { applied: false, why: 'none' } };
  return evaluate(check, { target: 'runsc', profile: 'strict', request: {}, capabilities, sandbox, reference } as unknown as CheckContext).status;
}

const facts = (processes: SandboxProcess[], limits: Record<string, string> = {}): SandboxFacts => ({
  processes,
  cgroup: { paths: ['/sys/fs/cgroup/pids/x'], limits },
});

describe("a sandbox's host processes (checks/sandbox.ts)", () => {
  const good = facts([proc('sandbox'), proc('gofer')], {
    'pids.max': '64',
    'memory.limit_in_bytes': '268435456',
    'cpu.cfs_quota_us': '50000',
    'cpu.cfs_period_us': '100000',
  });

  it("pass for gVisor's default posture: own namespaces, nobody, no_new_privs, seccomp, limits", () => {
    for (const c of sandboxChecks) expect(verdict(c.id, good), c.id).to.equal('pass');
  });
  it("the host's network namespace fails net.sandbox-own-ns", () => {
    expect(verdict('net.sandbox-own-ns', facts([proc('sandbox', { ns: { ...proc('sandbox').ns, net: HOST.net } }), proc('gofer')]))).to.equal('fail');
  });
  it("the host's user namespace for the Sentry fails security.sandbox-namespaces", () => {
    expect(verdict('security.sandbox-namespaces', facts([proc('sandbox', { ns: { ...proc('sandbox').ns, user: HOST.user } }), proc('gofer')]))).to.equal(
      'fail',
    );
  });
  it('a Sentry as host root, or without its filter, fails security.sandbox-unprivileged', () => {
    expect(verdict('security.sandbox-unprivileged', facts([proc('sandbox', { uids: [0, 0, 0, 0] })]))).to.equal('fail');
    expect(verdict('security.sandbox-unprivileged', facts([proc('sandbox'), proc('gofer', { seccomp: 0 })]))).to.equal('fail');
  });
  it('no cgroup limits fails cgroup.sandbox-limits-set', () => {
    expect(verdict('cgroup.sandbox-limits-set', facts([proc('sandbox')]))).to.equal('fail');
  });
  it('a Sentry the host could not read is a skip, never a pass', () => {
    for (const c of sandboxChecks) expect(verdict(c.id, facts([])), c.id).to.equal('skip');
  });
});
