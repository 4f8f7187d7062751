/**
 * The sandbox profile's facts (docs/sandbox-profile.md): which kernel mechanisms are in force on
 * the workload, and which secret-shaped variable names it sees. Reported with the target's
 * results (TargetResult.information), never a verdict: a sandbox may rely on any of them.
 */
import type { ProbeFacts } from './facts.js';
import type { HostView } from './host-view.js';

function statusField(status: string, field: string): string | null {
  const line = status.split('\n').find((l) => l.startsWith(`${field}:`));
  return line ? line.slice(field.length + 1).trim() : null;
}

const SECCOMP_MODES: Record<string, string> = { '0': 'off', '1': 'strict', '2': 'filter' };

export function agentInformation(facts: ProbeFacts, host: HostView): Record<string, string> {
  const a = facts.agent;
  if (!a) return {};
  const status = facts.files.status.text;
  const seccomp = statusField(status, 'Seccomp');
  const filters = statusField(status, 'Seccomp_filters');
  const nnp = statusField(status, 'NoNewPrivs');
  const inner = facts.ns.user.link;
  const outer = host.ns.user?.link ?? null;
  const userns = !inner || !outer ? 'not observed' : inner === outer ? "the host's" : 'its own';
  const landlock = a.landlock.errno
    ? `unavailable (landlock_create_ruleset: errno ${a.landlock.errno})`
    : `ABI ${a.landlock.abi} offered (whether a domain is in force is not observable)`;
  return {
    'agent.mechanisms': [
      `seccomp ${seccomp === null ? 'not observed' : (SECCOMP_MODES[seccomp] ?? seccomp)}${filters && filters !== '0' ? ` (${filters} filters)` : ''}`,
      `no_new_privs ${nnp ?? 'not observed'}`,
      `user namespace ${userns}`,
      `landlock ${landlock}`,
    ].join('; '),
    'agent.env-secrets-named': a.env_secret_names.join(', ') || 'none',
  };
}
