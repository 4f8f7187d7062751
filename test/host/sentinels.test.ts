/**
 * The sentinels as an unprivileged user can check them; the checks that need root (fresh namespaces
 * through unshare(1), the mqueue listing of the leftovers scan) are in sentinels.root.test.ts.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { pendingCleanups } from '../../host/cleanup.js';
import { captureHostView } from '../../host/host-view.js';
import { scanLeftovers } from '../../host/leftovers.js';
import { armSentinels, disarmSentinels, isIsoprobeIpcKey, probeArgs, verifySentinelsFromHost } from '../../host/sentinels.js';
import { SENTINEL_KINDS, vanishedBetween, type Sentinels } from '../../model/sentinels.js';
import { mentionsRun, probe } from '../support/sentinels.js';
import { endJournal } from '../../host/journal.js';

describe('host sentinels', function () {
  this.timeout(20_000);
  let s: Sentinels;
  let pendingBefore: string[];

  before(async () => {
    pendingBefore = pendingCleanups();
    s = await armSentinels();
  });
  after(async () => {
    if (s) await disarmSentinels(s);
    // Armed outside a run, the sentinels opened this process's journal: end it, or every later
    // `isoprobe clean` of the test run would see this process as a run still going.
    endJournal();
  });

  it('are all reachable from the host (the positive control)', async () => {
    const states = await verifySentinelsFromHost(s);
    expect(Object.keys(states).sort()).to.deep.equal([...SENTINEL_KINDS].sort());
    expect(Object.entries(states).filter(([, v]) => 'problem' in v)).to.deep.equal([]);
    expect(vanishedBetween(states, await verifySentinelsFromHost(s)), 'verified twice, nothing in between').to.deep.equal({});
  });

  it('tell a sentinel re-made under the same name from the one armed', async () => {
    const before = await verifySentinelsFromHost(s);
    fs.rmSync(s.markers.shm);
    fs.writeFileSync(s.markers.shm, 'a stranger\n');
    const lost = vanishedBetween(before, await verifySentinelsFromHost(s));
    expect(Object.keys(lost)).to.deep.equal(['marker-shm']);
    expect(lost['marker-shm']).to.match(/^replaced during the probe \(stat .+ born \d+ before, stat .+ born \d+ after\)$/);
  });

  it('carry the run nonce and the recognisable SysV key prefix', () => {
    expect(s.nonce).to.match(/^[0-9a-f]{12}$/);
    for (const k of [s.shmKey, s.msgKey, s.semKey]) expect(isIsoprobeIpcKey(k), k.toString(16)).to.equal(true);
    expect(new Set([s.shmKey, s.msgKey, s.semKey]).size).to.equal(3);
    expect(s.mqName).to.equal(`/isoprobe-${s.nonce}`);
    expect(s.markers).to.deep.equal({ root: `/tmp/isoprobe-marker-${s.nonce}`, shm: `/dev/shm/isoprobe-marker-${s.nonce}` });
    expect(fs.readFileSync(`/proc/${s.sentinelPid}/cmdline`, 'utf8').split('\0')[0]).to.equal(`isoprobe-sentinel-${s.nonce}`);
    expect(fs.readFileSync('/proc/net/unix', 'utf8')).to.contain(`@${s.abstractName}`);
  });

  it('builds the probe options of probes/README.md', () => {
    const hv = captureHostView();
    const args = probeArgs(s, hv);
    const value = (flag: string) => args.filter((_, i) => args[i - 1] === flag);
    expect(value('--tcp')).to.deep.equal([`127.0.0.1:${s.tcpPort}`]);
    expect(value('--bind-port')).to.deep.equal([String(s.tcpPort)]);
    expect(value('--shm-key')).to.deep.equal([String(s.shmKey)]);
    expect(value('--marker')).to.deep.equal([s.markers.root, s.markers.shm]);
    expect(value('--host-pid')).to.deep.equal([String(s.sentinelPid)]);
    expect(value('--host-ns')).to.include(`uts:${hv.ns.uts.ino}`).and.include(`mnt:${hv.ns.mnt.ino}`);
    expect(args).to.not.include('--set-hostname');
  });

  it('are seen by the probe run on the host', () => {
    const seen = probe(s);
    for (const k of ['tcp', 'abstract', 'shm', 'msg', 'sem', 'mq', 'kill']) expect(seen[k].errno, k).to.equal(0);
    expect(seen.sentinel_argv.found).to.equal(true);
    expect(seen.bind_port.errno, 'the port is busy on the host').to.equal(98); // EADDRINUSE
  });

  it('are gone after disarm: nothing reachable, no leftover, no pending undo', async () => {
    await disarmSentinels(s);
    const states = await verifySentinelsFromHost(s);
    expect(Object.values(states).filter((v) => 'problem' in v)).to.have.length(SENTINEL_KINDS.length);
    expect(mentionsRun(scanLeftovers(), s)).to.deep.equal([]);
    expect(pendingCleanups()).to.deep.equal(pendingBefore);
  });
});
