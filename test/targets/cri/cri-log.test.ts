import { expect } from 'chai';
import { overlaps, pickNetwork } from '../../../targets/cri/cni.js';
import { parseCriLog } from '../../../targets/cri/cri-log.js';
import { pidOf } from '../../../targets/cri/cri.js';

describe('CRI log files', () => {
  it('joins partial chunks, keeps the streams apart and counts what is not in the format', () => {
    const text = [
      '2026-12-01T22:00:00.000000001Z stdout P {"schema":',
      '2026-12-01T22:00:00.000000002Z stdout F 1}',
      '2026-12-01T22:00:00.000000003Z stderr F probe: a warning',
      '2026-12-01T22:00:00.000000004Z stdout F ',
      'garbage',
      '',
    ].join('\n');
    expect(parseCriLog(text)).to.deep.equal({ stdout: '{"schema":1}\n\n', stderr: 'probe: a warning\n', malformed: 1 });
  });

  it("reads the workload's pid from containerd's verbose info, 0 when it has none", () => {
    expect(pidOf({ info: JSON.stringify({ pid: 4242, sandboxID: 'x' }) })).to.equal(4242);
    expect(pidOf({ info: '{"pid":0}' })).to.equal(0);
    expect(pidOf({ info: 'not json' })).to.equal(0);
    expect(pidOf({})).to.equal(0);
  });
});

describe('the run pod network', () => {
  it('takes a /24 of 198.18.0.0/15 that no host route overlaps, and a bridge name within IFNAMSIZ', () => {
    const net = pickNetwork('0000abcdef12', ['198.18.0.0/24', '198.18.1.0/24', '10.0.0.0/8']);
    expect(net.subnet).to.equal('198.18.2.0/24');
    expect(net.bridge.length).to.be.at.most(15);
    expect(() => pickNetwork('0000abcdef12', ['198.18.0.0/15']), 'the whole range routed').to.throw(/no free \/24/);
  });

  it('compares prefixes at the shorter length', () => {
    expect(overlaps('198.18.0.0/15', '198.19.7.0/24')).to.equal(true);
    expect(overlaps('198.18.3.0/24', '198.18.4.0/24')).to.equal(false);
    expect(overlaps('0.0.0.0/0', '198.18.4.0/24')).to.equal(true);
  });
});
