import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { expect } from 'chai';
import { pendingCleanups } from '../../host/cleanup.js';
import { captureHostView } from '../../host/host-view.js';
import { scanLeftovers } from '../../host/leftovers.js';
import { PROBE_BINARY } from '../../host/paths.js';
import { armSentinels, disarmSentinels, isIsoprobeIpcKey, probeArgs, verifySentinelsFromHost } from '../../host/sentinels.js';
import type { Sentinels } from '../../model/sentinels.js';

/** Runs the real probe with the sentinel options, optionally in fresh namespaces via unshare(1). */
function probe(s: Sentinels, unshare: string[] = []): Record<string, { errno?: number; found?: boolean }> {
  const argv = [PROBE_BINARY, 'facts', ...probeArgs(s, captureHostView())];
  const r = unshare.length ? spawnSync('unshare', [...unshare, ...argv], { encoding: 'utf8' }) : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
  return JSON.parse(r.stdout).sentinels;
}

function mentionsRun(l: ReturnType<typeof scanLeftovers>, s: Sentinels): string[] {
  const keys = [s.shmKey, s.msgKey, s.semKey].map((k) => `key=0x${k.toString(16)} `);
  return Object.values(l).flat().filter((e) => e.includes(s.nonce) || keys.some((k) => e.includes(k)));
}

describe('host sentinels', function () {
  this.timeout(20_000);
  let s: Sentinels;
  let pendingBefore: string[];

  before(async () => {
    pendingBefore = pendingCleanups();
    s = await armSentinels();
  });
  after(async () => { if (s) await disarmSentinels(s); });

  it('are all reachable from the host (the positive control)', async () => {
    expect(await verifySentinelsFromHost(s)).to.deep.equal([]);
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

  it('are gone after disarm: nothing reachable, no leftover, no pending undo', async () => {
    await disarmSentinels(s);
    const problems = await verifySentinelsFromHost(s);
    expect(problems).to.have.length(9);
    expect(mentionsRun(scanLeftovers(), s)).to.deep.equal([]);
    expect(pendingCleanups()).to.deep.equal(pendingBefore);
  });
});
