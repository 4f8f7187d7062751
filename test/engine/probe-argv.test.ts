/** The probe's command line names what the request asks for beyond its fixed lists, within the probe's bounds. */
import { expect } from 'chai';
import { probeArgv } from '../../engine/run.js';
import type { HostView } from '../../model/host-view.js';
import type { Sentinels } from '../../model/sentinels.js';

const SENTINELS = {
  nonce: 'n',
  tcpPort: 4242,
  abstractName: 'a',
  shmKey: 1,
  msgKey: 2,
  semKey: 3,
  mqName: '/m',
  markers: { root: '/isoprobe-marker-n', shm: '/dev/shm/isoprobe-marker-n' },
  sentinelPid: 1,
  sentinelArgv: 's',
} as unknown as Sentinels;
const HOST = { ns: {} } as unknown as HostView;

describe('probeArgv', () => {
  it('asks the probe for each requested sysctl and each masked or read-only path, once', () => {
    const argv = probeArgv(SENTINELS, HOST, 't', {
      sysctls: { value: { 'net.ipv4.ip_forward': '0', 'Bad/Name': '1' }, source: 'user config' },
      maskedPaths: { value: ['/proc/kcore', '/proc/keys'], source: 'isoprobe' },
      readonlyPaths: { value: ['/proc/sys', '/proc/kcore', 'relative'], source: 'isoprobe' },
    });
    const valuesOf = (flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]] : []));
    expect(valuesOf('--sysctl')).to.deep.equal(['net.ipv4.ip_forward']);
    expect(valuesOf('--path')).to.deep.equal(['/proc/kcore', '/proc/keys', '/proc/sys']);
  });

  it('names nothing more without a request, and stays within the probe bound of 32 each', () => {
    expect(probeArgv(SENTINELS, HOST, 't')).to.not.include('--path');
    const many = Array.from({ length: 40 }, (_, i) => `/p${i}`);
    const argv = probeArgv(SENTINELS, HOST, 't', { maskedPaths: { value: many, source: 'user config' } });
    expect(argv.filter((a) => a === '--path')).to.have.length(32);
  });
});
