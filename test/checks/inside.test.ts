/**
 * The inside-only namespace checks (checks/inside.ts) on facts the probe recorded on this host's
 * initial namespaces (test/fixtures/facts-host.json) and under `unshare` (facts-unshare.json): the
 * initial inodes fail, others pass, an absent link is an evidence skip, and each stands in for its
 * own-ns check without taking its id.
 */
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { CATALOGUE } from '../../checks/catalogue.js';
import { INITIAL_NS_INODE, insideChecks, nsInode } from '../../checks/inside.js';
import { evaluate } from '../../engine/evaluate.js';
import type { CheckContext } from '../../model/check.js';

const require = createRequire(import.meta.url);
const HOST = require('../../../test/fixtures/facts-host.json');
const UNSHARE = require('../../../test/fixtures/facts-unshare.json');
const ctx = (container: unknown) => ({ target: 't', container, capabilities: {} }) as unknown as CheckContext;

describe('inside-only namespace checks', () => {
  it('has one check per namespace with a fixed initial inode, none for net and mnt', () => {
    expect(insideChecks.map((c) => c.id)).to.deep.equal([
      'inside.ipc-ns-not-initial',
      'inside.uts-ns-not-initial',
      'inside.user-ns-not-initial',
      'inside.pid-ns-not-initial',
      'inside.cgroup-ns-not-initial',
      'inside.time-ns-not-initial',
    ]);
    for (const c of insideChecks) expect(c.needs).to.deep.equal(['container']);
  });

  it("the initial inodes are the ones the probe saw in this host's own namespaces", () => {
    for (const [ns, inode] of Object.entries(INITIAL_NS_INODE)) expect(nsInode(HOST.ns[ns].link), ns).to.equal(inode);
  });

  for (const c of insideChecks) {
    it(`${c.id}: fails in the initial namespace, passes under unshare`, () => {
      const host = evaluate(c, ctx(HOST));
      expect(host.status, JSON.stringify(host)).to.equal('fail');
      expect(host).to.include({ negated: true });
      expect(evaluate(c, ctx(UNSHARE)).status).to.equal('pass');
    });
  }

  it('an absent link is a skip for evidence (a kernel without it, or a sandbox kernel that does not show it)', () => {
    const none = { ...UNSHARE, ns: { ...UNSHARE.ns, uts: { link: null, errno: 2 } } };
    const v = evaluate(insideChecks.find((c) => c.id === 'inside.uts-ns-not-initial')!, ctx(none));
    expect(v).to.include({ status: 'skip', requirement: 'evidence' });
    expect(v.reason).to.include('ENOENT (2)');
  });

  it('takes the profiles and negative controls of the own-ns check it stands in for', () => {
    for (const c of insideChecks) {
      const ns = c.id.split('.')[1]!.replace('-ns-not-initial', '');
      const own = CATALOGUE.find((x) => x.id === `${ns}.own-ns`)!;
      expect(c.profiles, c.id).to.deep.equal(own.profiles);
      expect(c.negativeControls, c.id).to.deep.equal(own.negativeControls);
      expect(c.title).to.match(/^inside view only: /);
    }
  });
});
