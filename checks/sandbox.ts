/**
 * A sandbox whose workload is not a host process (gVisor): what the host can see of it is the
 * Sentry, which runs the workload's system calls, and the gofer, which serves its files. Their
 * posture is judged against the reference (the harness's own namespaces) from the host side
 * (`sandbox` evidence, model/sandbox.ts); ids from inside the sandbox are never compared here.
 * Targets whose workload is a host process have no such evidence: these checks skip there.
 */
import { expect } from 'chai';
import { skip } from '../model/check.js';
import { limitsInForce } from '../model/parse/cgroup.js';
import type { SandboxFacts, SandboxProcess } from '../model/sandbox.js';
import type { Namespace } from '../model/spec.js';
import { askedText, limitShown } from './asked.js';
import { LIMIT_KEYS } from './cgroup.js';
import { GVISOR_HOST_NETWORK, gvisor } from './controls.js';
import { check, requireSettableLimits } from './define.js';

const ALL = ['baseline', 'restricted', 'strict'] as const;
const GVISOR_SECURITY = 'gVisor documentation: Security Model (the Sentry and gofer run in their own namespaces, under seccomp, without privileges)';
const HOST_NET = GVISOR_HOST_NETWORK;

function nsRows(
  s: SandboxFacts,
  ref: Partial<Record<Namespace, { link: string | null } | undefined>>,
  want: Partial<Record<SandboxProcess['role'], Namespace[]>>,
) {
  return s.processes.flatMap((p) => (want[p.role] ?? []).map((ns) => ({ who: `${p.role} ${p.pid}`, ns, link: p.ns[ns] ?? null, host: ref[ns]?.link ?? null })));
}

function requireSentry(s: SandboxFacts): void {
  if (!s.processes.some((p) => p.role === 'sandbox')) skip('evidence', 'the host could not read the sandbox process while it ran');
}

export const sandboxChecks = [
  check(
    {
      id: 'net.sandbox-own-ns',
      area: 'net',
      title: "the sandbox's host processes (Sentry and gofer) are not in the host's network namespace",
      profiles: [...ALL],
      references: [GVISOR_SECURITY, 'runsc --network'],
      needs: ['sandbox', 'reference'],
      settings: ['ns.net'],
      negativeControls: [HOST_NET],
    },
    ({ sandbox, reference }) => {
      requireSentry(sandbox);
      const rows = nsRows(sandbox, reference.ns, { sandbox: ['net'], gofer: ['net'] });
      const evidence = `${rows.map((r) => `${r.who} ${r.link ?? 'unreadable'}`).join('; ')}; host ${reference.ns.net?.link}`;
      expect(
        rows.filter((r) => r.link === null || r.link === r.host).map((r) => r.who),
        evidence,
      ).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    {
      id: 'security.sandbox-namespaces',
      area: 'security',
      title: 'the Sentry has its own user, mount, ipc and uts namespaces, and the gofer its own mount, ipc and uts ones',
      profiles: [...ALL],
      references: [GVISOR_SECURITY],
      needs: ['sandbox', 'reference'],
      settings: ['ns.net'],
      // The Sentry keeps the host's user namespace when it uses the host's network stack.
      negativeControls: [HOST_NET],
    },
    ({ sandbox, reference }) => {
      requireSentry(sandbox);
      const rows = nsRows(sandbox, reference.ns, { sandbox: ['user', 'mnt', 'ipc', 'uts'], gofer: ['mnt', 'ipc', 'uts'] });
      const evidence = rows.map((r) => `${r.who} ${r.link ?? `${r.ns} unreadable`}${r.link === r.host ? ' (the host’s)' : ''}`).join('; ');
      expect(
        rows.filter((r) => r.link === null || r.link === r.host).map((r) => `${r.who} ${r.ns}`),
        `in the host's namespace: ${evidence}`,
      ).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    {
      id: 'security.sandbox-unprivileged',
      area: 'security',
      title: 'the Sentry does not run as host root, and the Sentry and gofer run with no_new_privs under a seccomp filter',
      profiles: [...ALL],
      references: [GVISOR_SECURITY, 'proc(5) /proc/pid/status Uid, NoNewPrivs, Seccomp'],
      needs: ['sandbox'],
      settings: ['ns.net'],
      negativeControls: [HOST_NET, gvisor('--rootless')],
    },
    ({ sandbox }) => {
      requireSentry(sandbox);
      const shown = (p: SandboxProcess) =>
        `${p.role} ${p.pid}: uid ${p.uids.join(' ')}, NoNewPrivs ${p.noNewPrivs ?? 'absent'}, Seccomp ${p.seccomp ?? 'absent'}, CapEff ${p.capEff.join(',') || 'none'}`;
      const evidence = sandbox.processes.map(shown).join('; ');
      const wrong = sandbox.processes.flatMap((p) => [
        ...(p.role === 'sandbox' && p.uids.includes(0) ? [`${p.role} runs as host uid 0`] : []),
        ...(p.noNewPrivs !== true ? [`${p.role} has no no_new_privs`] : []),
        ...(p.seccomp !== 2 ? [`${p.role} has no seccomp filter`] : []),
      ]);
      expect(wrong, evidence).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    {
      id: 'cgroup.sandbox-limits-set',
      area: 'cgroup',
      title: "pids, memory and cpu limits are set on the sandbox's cgroup, as the host reads them",
      profiles: ['restricted', 'strict'],
      references: ['OCI runtime spec: linux.resources', 'runsc --ignore-cgroups'],
      needs: ['sandbox'],
      settings: ['limits.pids', 'limits.memory', 'limits.cpu'],
      negativeControls: [gvisor('--ignore-cgroups')],
    },
    (ctx) => {
      requireSettableLimits(ctx);
      const { sandbox, request } = ctx;
      requireSentry(sandbox);
      const inForce = limitsInForce(sandbox.cgroup.limits);
      const rows = LIMIT_KEYS.map(([name, key]) => ({ name, f: inForce[name], who: askedText(request, key, limitShown) }));
      const shown = (r: (typeof rows)[number]) => `${r.f.file}=${r.f.text ?? 'absent'} (${r.who})`;
      const evidence = `sandbox cgroup ${sandbox.cgroup.paths.join(' ') || 'none'}: ${rows.map(shown).join('; ')}`;
      const unset = rows.filter((r) => r.f.value === null).map(shown);
      expect(unset, `limits not set: ${unset.join('; ')}; ${evidence}`).to.deep.equal([]);
      return evidence;
    },
  ),
];
