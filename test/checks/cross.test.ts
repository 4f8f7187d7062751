/**
 * The cross checks on small fixtures of a sibling pair: an isolated pair passes every one; each
 * sentinel the other reached fails exactly its check; a sentinel not live for the other's look
 * makes the checks that read it an error (engine/evidence.ts), never a pass.
 */
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { contextFor, type TargetEvidence } from '../../engine/evidence.js';
import { evaluate } from '../../engine/evaluate.js';
import type { Check } from '../../model/check.js';
import { SIBLING_SENTINELS, type SiblingDoc, type SiblingRun, type SiblingsEvidence } from '../../model/sibling.js';
import { siblingNames } from '../../engine/cross.js';

const CROSS = CATALOGUE.filter((c) => c.area === 'cross');

function doc(nonce: string, hostname: string, peer: string): SiblingDoc {
  const states = Object.fromEntries(SIBLING_SENTINELS.map((k) => [k, { errno: 0, id: `${k}-${nonce}` }])) as SiblingDoc['armed'];
  return {
    schema: 1,
    kind: 'sibling',
    nonce,
    armed: states,
    hostname,
    addrs: ['127.0.0.1', '172.17.0.2'],
    look: {
      tcp: { target: '127.0.0.1:1', errno: 111, greeted: false },
      abstract: { target: 'x', errno: 111, greeted: false },
      shm: { key: 1, errno: 2 },
      msg: { key: 2, errno: 2 },
      sem: { key: 3, errno: 2 },
      mq: { name: '/x', errno: 2 },
      marker: { path: '/dev/shm/x', errno: 2 },
      process: { needle: 'n', found_pid: 0, scanned: 1, errno: 0, kill_errno: -1 },
      hostname: { ours: hostname, peer },
      addrs: [
        { addr: '127.0.0.1', errno: 111, greeted: false },
        { addr: '172.17.0.3', errno: 110, greeted: false },
      ],
    },
    held: structuredClone(states),
    phase: 'done',
    errno: 0,
  };
}

function pair(): SiblingsEvidence {
  const [a, b] = siblingNames();
  const run = (names: typeof a, d: SiblingDoc, uts: string): SiblingRun => ({ names, doc: d, hostPid: 10, observedNs: { uts: { link: uts } as never } });
  return {
    joined: [],
    first: run(a, doc(a.nonce, 'sib-a', 'sib-b'), 'uts:[1]'),
    second: run(b, doc(b.nonce, 'sib-b', 'sib-a'), 'uts:[2]'),
    request: {},
  };
}

function verdicts(s: SiblingsEvidence): Record<string, string> {
  const ev = { target: 't', profile: 'restricted', spec: {}, request: {}, capabilities: {}, provides: ['siblings'], siblings: s } as unknown as TargetEvidence;
  return Object.fromEntries(
    CROSS.map((c: Check) => {
      const r = contextFor(c, ev);
      return [c.id, 'verdict' in r ? r.verdict.status : evaluate(c, r.ctx).status];
    }),
  );
}

const allPass = () => Object.fromEntries(CROSS.map((c) => [c.id, 'pass']));

describe('cross checks', () => {
  it('an isolated pair passes every cross check', () => {
    expect(verdicts(pair())).to.deep.equal(allPass());
  });

  const reached: [string, (l: NonNullable<SiblingDoc['look']>) => void][] = [
    ['cross.pid', (l) => Object.assign(l.process, { found_pid: 7, kill_errno: 0 })],
    ['cross.ipc', (l) => (l.sem.errno = 0)],
    ['cross.shm', (l) => (l.marker.errno = 0)],
    ['cross.abstract-socket', (l) => Object.assign(l.abstract, { errno: 0, greeted: true })],
    ['cross.loopback', (l) => Object.assign(l.tcp, { errno: 0, greeted: true })],
    ['cross.net-reachable', (l) => Object.assign(l.addrs[1], { errno: 0, greeted: true })],
  ];
  for (const [id, reach] of reached) {
    it(`${id} fails, and only it, when the second sibling reached the first's`, () => {
      const s = pair();
      reach(s.second.doc!.look!);
      expect(verdicts(s)).to.deep.equal({ ...allPass(), [id]: 'fail' });
    });
  }

  it('a connect that something else answered (no greeting) is not the sibling', () => {
    const s = pair();
    Object.assign(s.first.doc!.look!.tcp, { errno: 0, greeted: false });
    expect(verdicts(s)['cross.loopback']).to.equal('pass');
  });

  it('cross.uts: one hostname in one UTS namespace fails; in two (a runtime copied it) passes on the host-side view; without that view it skips (evidence)', () => {
    const s = pair();
    s.first.doc!.look!.hostname.peer = 'sib-a';
    expect(verdicts(s)['cross.uts']).to.equal('pass');
    s.second.observedNs.uts = { link: 'uts:[1]' } as never;
    expect(verdicts(s)['cross.uts']).to.equal('fail');
    delete s.second.observedNs.uts;
    expect(verdicts(s)['cross.uts']).to.equal('skip');
  });

  it('a sentinel re-made or gone before the end of the exchange errors the checks that read it, and only those', () => {
    const s = pair();
    s.second.doc!.held.marker.id = 'another inode';
    s.first.doc!.held.tcp.errno = 111;
    expect(verdicts(s)).to.deep.equal({ ...allPass(), 'cross.shm': 'error', 'cross.loopback': 'error' });
  });

  it('a sibling that did not finish the exchange, or gave no document, errors every cross check', () => {
    const s = pair();
    s.first.doc!.phase = 'no-end';
    expect(Object.values(verdicts(s))).to.deep.equal(CROSS.map(() => 'error'));
    const t = pair();
    delete t.second.doc;
    t.second.error = 'probe sibling exited with 4';
    expect(Object.values(verdicts(t))).to.deep.equal(CROSS.map(() => 'error'));
  });

  it('every cross check names the sibling sentinels it reads, its settings and a negative control', () => {
    for (const c of CROSS) {
      expect(c.siblingSentinels, c.id).to.not.be.empty;
      expect(c.settings, c.id).to.not.be.empty;
      expect(c.negativeControls, c.id).to.not.be.empty;
    }
  });

  it('net-reachable is required by restricted and strict, not baseline (a default engine network is shared on purpose)', () => {
    expect(CROSS.find((c) => c.id === 'cross.net-reachable')!.profiles).to.deep.equal(['restricted', 'strict']);
  });
});
