/** The sibling probe's contract: its command line, the armed/peer file text, and when its sentinels count as live. */
import { expect } from 'chai';
import { ephemeralPorts, siblingNames, siblingPortRange } from '../../engine/cross.js';
import { parsePeerText, peerText, siblingArgv, siblingSentinelsLost, SIBLING_SENTINELS, type SiblingDoc, type SiblingRun } from '../../model/sibling.js';

describe('model/sibling', () => {
  it('names two siblings apart: ports, keys and nonces all distinct, keys with the isoprobe prefix', () => {
    const [a, b] = siblingNames();
    expect(new Set([a.tcpPort, a.anyPort, b.tcpPort, b.anyPort]).size).to.equal(4);
    const keys = [a.shmKey, a.msgKey, a.semKey, b.shmKey, b.msgKey, b.semKey];
    expect(new Set(keys).size).to.equal(6);
    for (const k of keys) expect(k >>> 16).to.equal(0x150b);
    expect(a.nonce).to.not.equal(b.nonce);
  });

  it("draws the siblings' ports outside the kernel's ephemeral range (a host connect in a shared network namespace cannot hold one)", () => {
    const [low, high] = ephemeralPorts();
    const [a, b] = siblingNames();
    for (const p of [a.tcpPort, a.anyPort, b.tcpPort, b.anyPort]) expect(p < low || p > high, `port ${p} in ${low}-${high}`).to.equal(true);
    expect(ephemeralPorts('32768\t60999\n')).to.deep.equal([32768, 60999]);
    expect(ephemeralPorts('')).to.deep.equal([32768, 60999]);
    expect(siblingPortRange([32768, 60999])).to.deep.equal([20000, 32768]);
    expect(siblingPortRange([10000, 40000])).to.deep.equal([40001, 65536]);
    expect(siblingPortRange([4000, 65535])).to.deep.equal([1024, 4000]);
  });

  it('gives the probe its own names and the peer ones, with a relative scratch directory', () => {
    const [a, b] = siblingNames();
    const argv = siblingArgv(a, b);
    expect(argv.slice(0, 4)).to.deep.equal(['/isoprobe/probe', 'sibling', '--dir', 'scratch']);
    expect(argv[argv.indexOf('--argv') + 1]).to.equal(a.argv);
    expect(argv[argv.indexOf('--peer-argv') + 1]).to.equal(b.argv);
    expect(argv[argv.indexOf('--peer-shm-key') + 1]).to.equal(String(b.shmKey));
  });

  it('reads the armed text and writes it back as the peer text', () => {
    const text = 'hostname sib-a\naddr 127.0.0.1\naddr 172.17.0.2\naddr fd00::2\n';
    expect(parsePeerText(text)).to.deep.equal({ hostname: 'sib-a', addrs: ['127.0.0.1', '172.17.0.2', 'fd00::2'] });
    expect(peerText(parsePeerText(text)!)).to.equal(text);
  });

  it('refuses a malformed armed text (no hostname, a foreign line, an address that is not one)', () => {
    expect(parsePeerText('addr 127.0.0.1\n')).to.equal(null);
    expect(parsePeerText('hostname a\nrm -rf /\n')).to.equal(null);
    expect(parsePeerText('hostname a\naddr ../etc\n')).to.equal(null);
  });

  it('a sentinel counts only when armed, held and the same object at both ends', () => {
    const [a] = siblingNames();
    const states = Object.fromEntries(SIBLING_SENTINELS.map((k) => [k, { errno: 0, id: k }])) as SiblingDoc['armed'];
    const doc = { armed: states, held: structuredClone(states), phase: 'done' } as unknown as SiblingDoc;
    const run: SiblingRun = { names: a, doc, hostPid: 1, observedNs: {} };
    expect(siblingSentinelsLost(run, ['tcp', 'shm'])).to.equal(null);
    doc.held.shm = { errno: 0, id: 'id 9' };
    expect(siblingSentinelsLost(run, ['tcp'])).to.equal(null);
    expect(siblingSentinelsLost(run, ['shm'])).to.match(/shm did not stay live/);
    doc.armed.tcp = { errno: 98, id: '' };
    expect(siblingSentinelsLost(run, ['tcp'])).to.match(/tcp was not armed \(errno 98\)/);
    doc.phase = 'no-peer';
    expect(siblingSentinelsLost(run, ['mq'])).to.match(/stopped at "no-peer"/);
  });
});
