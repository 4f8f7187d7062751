/**
 * The agent checks' judgement table: a decoy reached fails, one kept out passes, no decoys armed
 * (another profile) skips, and a decoy that was not live for the whole probe errors the checks
 * naming it (engine/evidence.ts), whatever the probe saw: absent is not blocked.
 */
import { expect } from 'chai';
import { agentChecks } from '../../checks/agent.js';
import { evaluate } from '../../engine/evaluate.js';
import { contextFor, type TargetEvidence } from '../../engine/evidence.js';
import type { Check } from '../../model/check.js';
import type { AgentFacts } from '../../model/facts.js';
import type { Decoys } from '../../model/sentinels.js';

const DECOYS: Decoys = {
  dir: '/var/tmp/isoprobe-decoy-n',
  secrets: [{ path: '/var/tmp/isoprobe-decoy-n/home/.ssh/id_ed25519', fnv: 'abc' }],
  outside: '/var/tmp/isoprobe-decoy-n/outside',
  socket: '/run/isoprobe-decoy-n.sock',
  netns: 'isoprobe-out-n',
  egress: { host: '198.19.255.2', port: 4000 },
  env: { AWS_SECRET_ACCESS_KEY: 'x', GITHUB_TOKEN: 'y' },
};

const KEPT_OUT: AgentFacts = {
  secret_files: [{ path: DECOYS.secrets[0].path, errno: 2, bytes: 0, match: false }],
  host_socket: { path: DECOYS.socket, errno: 2 },
  egress: { target: '198.19.255.2:4000', errno: 101, greeting: '', ms: 0 },
  write_outside: { path: `${DECOYS.outside}/w`, errno: 30, removed: false },
  write_inside: { path: '/scratch/w', errno: 0, removed: true },
  env_secret_names: [],
  env_scanned: 1,
  landlock: { abi: 7, errno: 0 },
};

const REACHED: AgentFacts = {
  ...KEPT_OUT,
  secret_files: [{ path: DECOYS.secrets[0].path, errno: 0, bytes: 9, match: true }],
  host_socket: { path: DECOYS.socket, errno: 0 },
  egress: { target: '198.19.255.2:4000', errno: 0, greeting: 'isoprobe-decoy n\n', ms: 0 },
  write_outside: { path: `${DECOYS.outside}/w`, errno: 0, removed: true },
  write_inside: { path: '/scratch/w', errno: 30, removed: false },
  env_secret_names: ['GITHUB_TOKEN'],
};

function run(c: Check, agent: AgentFacts | undefined, opts: { decoys?: Decoys | null; vanished?: Record<string, string>; kill?: number } = {}) {
  const ev = {
    target: 't',
    profile: 'sandbox',
    spec: {},
    request: {},
    capabilities: {},
    provides: ['container', 'sentinels'],
    container: { agent, sentinels: { kill: { pid: 7, errno: opts.kill ?? 3 } } },
    sentinels: { nonce: 'n', ...(opts.decoys === null ? {} : { decoys: opts.decoys ?? DECOYS }) },
    sentinelsVanished: opts.vanished ?? {},
  } as unknown as TargetEvidence;
  const r = contextFor(c, ev);
  return 'verdict' in r ? r.verdict : evaluate(c, r.ctx);
}

describe('agent checks', () => {
  for (const c of agentChecks) {
    describe(c.id, () => {
      it('passes when the decoy is kept out', () => {
        expect(run(c, KEPT_OUT).status).to.equal('pass');
      });
      it('fails when the decoy is reached', () => {
        expect(run(c, REACHED, { kill: 0 }).status).to.equal('fail');
      });
      it('errors when its decoy was not live for the whole probe, even where nothing was reached', () => {
        const vanished = Object.fromEntries((c.sentinels ?? []).map((k) => [k, 'gone after the probe']));
        const v = run(c, KEPT_OUT, { vanished });
        expect(v.status).to.equal('error');
        expect(v.reason).to.match(/vanished during the run/);
      });
      it('names references, the sandbox profile and a negative control', () => {
        expect(c.area).to.equal('agent');
        expect(c.profiles).to.deep.equal(['sandbox']);
        expect(c.references).to.not.be.empty;
        expect(c.negativeControls).to.not.be.empty;
      });
    });
  }

  it('skip not-requested where no decoy was armed (another profile)', () => {
    for (const c of agentChecks) {
      const v = run(c, undefined, { decoys: null });
      expect(`${c.id} ${v.status} ${v.requirement}`).to.equal(`${c.id} skip not-requested`);
    }
  });

  it('a probe without an agent section is a broken harness (error), never a pass', () => {
    expect(run(agentChecks.find((c) => c.id === 'agent.secret-unreadable')!, undefined).status).to.equal('error');
  });

  it('a file of other bytes at the decoy path is not the secret', () => {
    const other = { ...KEPT_OUT, secret_files: [{ path: DECOYS.secrets[0].path, errno: 0, bytes: 3, match: false }] };
    const v = run(agentChecks.find((c) => c.id === 'agent.secret-unreadable')!, other);
    expect(v.status).to.equal('pass');
    expect(v.evidence).to.include('read 3 bytes of another file');
  });

  it('reports variables by name only', () => {
    const v = run(agentChecks.find((c) => c.id === 'agent.env-decoys-withheld')!, REACHED);
    expect(v.evidence).to.include('GITHUB_TOKEN').and.not.include('=y');
  });
});
