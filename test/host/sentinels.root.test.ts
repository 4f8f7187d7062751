/**
 * The sentinel checks that need root: unshare(1) of ipc, net and pid namespaces, and the leftovers
 * scan, which lists POSIX queues through an mqueue mount in a throwaway mount namespace.
 */
import { expect } from 'chai';
import { scanLeftovers } from '../../host/leftovers.js';
import { armSentinels, disarmSentinels } from '../../host/sentinels.js';
import type { Sentinels } from '../../model/sentinels.js';
import { mentionsRun, probe } from '../support/sentinels.js';
import { endJournal } from '../../host/journal.js';

describe('host sentinels (root)', function () {
  this.timeout(20_000);
  let s: Sentinels;

  before(async () => {
    s = await armSentinels();
  });
  after(async () => {
    if (s) await disarmSentinels(s);
    // Armed outside a run, the sentinels opened this process's journal: end it, or every later
    // `isoprobe clean` of the test run would see this process as a run still going.
    endJournal();
  });

  it('are out of reach of the probe in fresh ipc, net and pid namespaces', () => {
    const seen = probe(s, ['-i', '-n', '-p', '-f', '--mount-proc']);
    for (const k of ['shm', 'msg', 'sem', 'mq']) expect(seen[k].errno, k).to.equal(2); // ENOENT
    expect(seen.tcp.errno, 'tcp').to.not.equal(0);
    expect(seen.abstract.errno, 'abstract').to.not.equal(0);
    expect(seen.kill.errno, 'kill').to.equal(3); // ESRCH
    expect(seen.sentinel_argv.found).to.equal(false);
  });

  it('show up as leftovers while armed', () => {
    const found = mentionsRun(scanLeftovers(), s);
    expect(found.filter((e) => e.startsWith('shm ') || e.startsWith('msg ') || e.startsWith('sem '))).to.have.length(3);
    expect(found).to.include(`mq ${s.mqName}`).and.include(`file ${s.markers.root}`).and.include(`file ${s.markers.shm}`);
    expect(found.some((e) => e.startsWith(`${s.sentinelPid} isoprobe-sentinel-${s.nonce}`))).to.equal(true);
  });
});
