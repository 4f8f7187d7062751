/**
 * agent area (the sandbox profile, docs/sandbox-profile.md): what agent and CI sandboxes are
 * for. They share the host's filesystem on purpose, so these checks ask whether the host's
 * decoys (host/decoys.ts) stay out of the workload's reach: a secret file, a listening socket, a
 * process, a directory outside the workspace, the network; and whether the workspace itself is
 * writable. A decoy that was not live for the whole probe errors its check (engine/evidence.ts):
 * not finding a decoy that was not there is no isolation. Without --profile sandbox no decoy is
 * armed and these checks skip.
 */
import { expect } from 'chai';
import { skip, type CheckContext } from '../model/check.js';
import type { AgentFacts } from '../model/facts.js';
import {
  BWRAP_SANDBOX_HOST_RUN,
  BWRAP_SANDBOX_HOST_VARTMP,
  BWRAP_SANDBOX_KEEP_ENV,
  BWRAP_SANDBOX_RO_WORKSPACE,
  BWRAP_SANDBOX_SHARE_NET,
  share,
} from './controls.js';
import { check, errnoName } from './define.js';

const SANDBOX = ['sandbox'] as const;
const DOC = 'docs/sandbox-profile.md';

/** The decoys and the probe's agent section, or the skip / error that says why there are none. */
function agentOf(ctx: CheckContext<'container' | 'sentinels'>): AgentFacts {
  if (!ctx.sentinels.decoys) skip('not-requested', 'the decoys are planted only under --profile sandbox');
  if (!ctx.container.agent) throw new Error('the probe was given the decoys but reported no agent section: probe and harness are from different builds');
  return ctx.container.agent;
}

export const agentChecks = [
  check(
    {
      id: 'agent.secret-unreadable',
      area: 'agent',
      title: 'a secret-looking host file outside the workspace (an SSH key, cloud credentials) is unreadable',
      profiles: [...SANDBOX],
      references: [DOC, 'bwrap(1) --ro-bind, --tmpfs', 'CWE-538'],
      needs: ['container', 'sentinels'],
      sentinels: ['decoy-secrets'],
      settings: ['ns.mnt', 'readonlyRootfs'],
      negativeControls: [BWRAP_SANDBOX_HOST_VARTMP],
    },
    (ctx) => {
      const a = agentOf(ctx);
      expect(a.secret_files.length, 'the probe tried none of the decoy secrets').to.equal(ctx.sentinels.decoys!.secrets.length);
      const evidence = a.secret_files
        .map(
          (s) => `${s.path}: ${s.errno ? errnoName(s.errno) : s.match ? `read, ${s.bytes} bytes matching the decoy` : `read ${s.bytes} bytes of another file`}`,
        )
        .join('; ');
      expect(
        a.secret_files.filter((s) => s.errno === 0 && s.match).map((s) => s.path),
        `decoy secret read: ${evidence}`,
      ).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    {
      id: 'agent.host-socket-unreachable',
      area: 'agent',
      title: "a listening unix socket in the host's runtime directory cannot be connected to",
      profiles: [...SANDBOX],
      references: [DOC, 'unix(7)', 'CIS Docker 5.31 (Docker socket not mounted)'],
      needs: ['container', 'sentinels'],
      sentinels: ['decoy-socket'],
      settings: ['ns.mnt'],
      negativeControls: [BWRAP_SANDBOX_HOST_RUN],
    },
    (ctx) => {
      const s = agentOf(ctx).host_socket;
      expect(s, 'the probe did not try the decoy socket').to.not.equal(undefined);
      const evidence = `connect(${s!.path}): ${errnoName(s!.errno)}`;
      expect(errnoName(s!.errno), `host socket reachable: ${evidence}`).to.not.equal('success');
      return evidence;
    },
  ),
  check(
    {
      id: 'agent.host-process-unsignalable',
      area: 'agent',
      title: 'a host process cannot be signalled',
      profiles: [...SANDBOX],
      references: [DOC, 'kill(2)', 'pid_namespaces(7)'],
      needs: ['container', 'sentinels'],
      sentinels: ['process'],
      settings: ['ns.pid'],
      negativeControls: [share('pid'), { kind: 'bwrap', settings: { share: ['pid'] } }],
    },
    (ctx) => {
      // The process sentinel is there in every profile, but this area is judged only where the
      // run armed the sandbox profile's decoys: elsewhere pid.cannot-signal-host asks it.
      agentOf(ctx);
      const k = ctx.container.sentinels.kill;
      expect(k, 'the probe did not try the host process').to.not.equal(undefined);
      const evidence = `kill(${k!.pid}, 0): ${errnoName(k!.errno)}`;
      expect(errnoName(k!.errno), `host process signalable: ${evidence}`).to.not.equal('success');
      return evidence;
    },
  ),
  check(
    {
      id: 'agent.write-outside-refused',
      area: 'agent',
      title: 'a write outside the declared workspace (a host directory open to all) is refused',
      profiles: [...SANDBOX],
      references: [DOC, 'bwrap(1) --ro-bind', 'open(2) EROFS'],
      needs: ['container', 'sentinels'],
      sentinels: ['decoy-outside'],
      settings: ['ns.mnt', 'readonlyRootfs'],
      negativeControls: [BWRAP_SANDBOX_HOST_VARTMP],
    },
    (ctx) => {
      const w = agentOf(ctx).write_outside;
      expect(w, 'the probe did not try to write outside').to.not.equal(undefined);
      const evidence = `open(${w!.path}, O_CREAT|O_EXCL): ${errnoName(w!.errno)}${w!.errno === 0 ? `, removed: ${w!.removed}` : ''}`;
      expect(errnoName(w!.errno), `write outside the workspace allowed: ${evidence}`).to.not.equal('success');
      return evidence;
    },
  ),
  check(
    {
      id: 'agent.write-inside-allowed',
      area: 'agent',
      title: 'a write inside the declared workspace is allowed',
      profiles: [...SANDBOX],
      references: [DOC, 'bwrap(1) --bind'],
      needs: ['container', 'sentinels'],
      sentinels: ['decoy-outside'],
      settings: ['ns.mnt'],
      negativeControls: [BWRAP_SANDBOX_RO_WORKSPACE],
    },
    (ctx) => {
      const w = agentOf(ctx).write_inside;
      expect(w, 'the probe did not try to write in the workspace').to.not.equal(undefined);
      const evidence = `open(${w!.path}, O_CREAT|O_EXCL): ${errnoName(w!.errno)}`;
      expect(errnoName(w!.errno), `write inside the workspace refused: ${evidence}`).to.equal('success');
      return evidence;
    },
  ),
  check(
    {
      id: 'agent.no-egress',
      area: 'agent',
      title: 'an address of the outside world (a network namespace the run made) is unreachable',
      profiles: [...SANDBOX],
      references: [DOC, 'bwrap(1) --unshare-net', 'network_namespaces(7)'],
      needs: ['container', 'sentinels'],
      sentinels: ['decoy-egress'],
      settings: ['ns.net'],
      negativeControls: [BWRAP_SANDBOX_SHARE_NET, share('net')],
    },
    (ctx) => {
      const e = agentOf(ctx).egress;
      if (!ctx.sentinels.decoys!.egress.port) skip('host-interface', 'the decoy network was not made');
      expect(e, 'the probe did not try the outside address').to.not.equal(undefined);
      const who =
        e!.greeting.trim() === `isoprobe-decoy ${ctx.sentinels.nonce}`
          ? 'the decoy listener answered'
          : `something else answered (${JSON.stringify(e!.greeting)})`;
      const evidence = `connect(${e!.target}): ${errnoName(e!.errno)} in ${e!.ms} ms${e!.errno === 0 ? `; ${who}` : ''}`;
      expect(errnoName(e!.errno), `egress: ${evidence}`).to.not.equal('success');
      return evidence;
    },
  ),
  check(
    {
      id: 'agent.env-decoys-withheld',
      area: 'agent',
      title: "secret-shaped variables in the wrapper's environment do not reach the workload (names reported, never values)",
      profiles: [...SANDBOX],
      references: [DOC, 'bwrap(1) --clearenv', 'environ(7)'],
      needs: ['container', 'sentinels'],
      sentinels: ['decoy-secrets'],
      settings: [],
      negativeControls: [BWRAP_SANDBOX_KEEP_ENV],
    },
    (ctx) => {
      const a = agentOf(ctx);
      const planted = Object.keys(ctx.sentinels.decoys!.env);
      const evidence = `secret-shaped names inside: ${a.env_secret_names.join(', ') || 'none'} (of ${a.env_scanned} variables); planted: ${planted.join(', ')}`;
      expect(
        planted.filter((n) => a.env_secret_names.includes(n)),
        `decoy variables reached the workload: ${evidence}`,
      ).to.deep.equal([]);
      return evidence;
    },
  ),
];
