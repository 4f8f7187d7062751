import { expect } from 'chai';
import { nspawnArgv, nspawnEnv, nspawnOptions, type NspawnRequest } from '../../../targets/nspawn/argv.js';

const req = (r: Partial<NspawnRequest> = {}): NspawnRequest => ({
  share: ['net'],
  machine: 'isoprobe-run-1-ab-1',
  hostname: 'isoprobe',
  caps: 'default',
  env: {},
  args: [],
  argv: ['/isoprobe/probe', 'facts', '--wait-stdin'],
  ...r,
});
const paths = { root: '/run/isoprobe/run-1-ab/isoprobe-run-1-ab-1', scratch: '/run/isoprobe/run-1-ab/s' };

describe('systemd-nspawn command line', () => {
  it("is nspawn's default invocation plus what a host without systemd needs, the hostname and the scratch bind", () => {
    expect(nspawnArgv(req(), paths)).to.deep.equal([
      '-q',
      '--keep-unit',
      '--register=no',
      '--console=pipe',
      '--machine=isoprobe-run-1-ab-1',
      '-D',
      paths.root,
      '--hostname=isoprobe',
      '--bind=/run/isoprobe/run-1-ab/s:/scratch',
      '--',
      '/isoprobe/probe',
      'facts',
      '--wait-stdin',
    ]);
  });

  it('asks for a network namespace, every capability and the planted variables only when told; user args come last before --', () => {
    const argv = nspawnArgv(req({ share: [], caps: 'all', env: { SECRET: 'x=y' }, args: ['--drop-capability=CAP_SYS_ADMIN'] }), paths);
    const opts = argv.slice(argv.indexOf('--bind=/run/isoprobe/run-1-ab/s:/scratch') + 1, argv.indexOf('--'));
    expect(opts).to.deep.equal(['--private-network', '--capability=all', '--setenv=SECRET=x=y', '--drop-capability=CAP_SYS_ADMIN']);
  });

  it('gives nspawn PATH only, and SYSTEMD_SECCOMP=0 for the seccomp control', () => {
    expect(nspawnEnv('default')).to.deep.equal({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin' });
    expect(nspawnEnv('none')).to.deep.include({ SYSTEMD_SECCOMP: '0' });
  });

  it('describes each setting with who asked for it', () => {
    const rows = nspawnOptions({ share: ['net'], hostname: 'isoprobe', caps: 'default', seccomp: 'default', args: [] });
    expect(rows.find((r) => r.setting === 'share')).to.deep.equal({ setting: 'share', value: 'net,user,time', source: 'runtime default' });
    expect(rows.filter((r) => r.source === 'user config')).to.deep.equal([]);
    const weak = nspawnOptions({ share: [], hostname: 'isoprobe', caps: 'all', seccomp: 'none', args: ['-x'] });
    expect(weak.filter((r) => r.source === 'user config').map((r) => r.setting)).to.deep.equal(['share', 'caps', 'seccomp', 'namespaces', 'args']);
  });
});
