import { expect } from 'chai';
import { BWRAP_SHAREABLE, bwrapArgv, bwrapOptions, HOST_ROOT_PROBE_DIR, namespaceArgs, relocate, STATUS_FD } from '../../../targets/bwrap/argv.js';
import { BWRAP_WEAKENINGS } from '../../../targets/bwrap/weakenings.js';
import { weakeningLabel } from '../../../model/weakening.js';

const paths = { rootfs: '/run/isoprobe/run-1-x/bwrap-rootfs', scratch: '/run/isoprobe/run-1-x/bwrap-1-scratch' };
const probe = ['/isoprobe/probe', 'facts', '--wait-stdin'];

describe('bwrap command line', () => {
  it('runs the probe the way bwrap runs one command isolated', () => {
    expect(bwrapArgv({ share: [], hostname: 'isoprobe', args: [], argv: probe }, paths)).to.deep.equal([
      '--unshare-all',
      '--die-with-parent',
      '--ro-bind',
      paths.rootfs,
      '/',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--tmpfs',
      '/tmp',
      '--bind',
      paths.scratch,
      '/scratch',
      '--hostname',
      'isoprobe',
      '--json-status-fd',
      String(STATUS_FD),
      '--',
      ...probe,
    ]);
  });

  it("asks for no capability drop and no seccomp filter: bwrap's defaults as root stay as they are", () => {
    const argv = bwrapArgv({ share: [], hostname: 'isoprobe', args: [], argv: probe }, paths);
    for (const flag of ['--cap-drop', '--seccomp', '--add-seccomp-fd', '--as-pid-1', '--new-session', '--disable-userns']) expect(argv).to.not.include(flag);
  });

  it("keeps the host network with bwrap's own --share-net", () => {
    expect(namespaceArgs(['net'])).to.deep.equal(['--unshare-all', '--share-net']);
  });

  it('lists the other namespaces one by one when one of them is shared', () => {
    expect(namespaceArgs(['pid'])).to.deep.equal(['--unshare-user-try', '--unshare-ipc', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try']);
    expect(namespaceArgs(['user', 'net'])).to.deep.equal(['--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try']);
    expect(namespaceArgs([...BWRAP_SHAREABLE])).to.deep.equal([]);
  });

  it('sets no hostname when the uts namespace is shared (bwrap refuses --hostname then)', () => {
    const argv = bwrapArgv({ share: ['uts'], hostname: 'isoprobe', args: [], argv: probe }, paths);
    expect(argv).to.not.include('--hostname');
  });

  it("puts the user's raw arguments after isoprobe's and before the command", () => {
    const argv = bwrapArgv({ share: [], hostname: 'isoprobe', args: ['--cap-drop', 'ALL'], argv: probe }, paths);
    expect(argv.slice(argv.indexOf('--json-status-fd') + 2)).to.deep.equal(['--cap-drop', 'ALL', '--', ...probe]);
  });

  it("describes every setting with who asked for it, the user's arguments and shares as the user's", () => {
    const plain = bwrapOptions({ share: [], hostname: 'isoprobe', args: [] });
    expect(plain.slice(0, 6).map((o) => o.setting)).to.deep.equal(['share', 'root', 'caps', 'limits', 'seccomp', 'no-new-privs']);
    expect(plain.find((o) => o.setting === 'namespaces')).to.deep.equal({
      setting: 'namespaces',
      value: '--unshare-all (mnt always new, time never)',
      source: 'isoprobe',
    });
    expect(plain.find((o) => o.setting === 'caps')?.source).to.equal('runtime default');
    expect(plain.find((o) => o.setting === 'limits')?.value).to.match(/^none/);
    expect(plain.some((o) => o.setting === 'args')).to.equal(false);
    const user = bwrapOptions({ share: ['net'], hostname: 'isoprobe', args: ['--cap-drop', 'ALL'] });
    expect(user.find((o) => o.setting === 'share')).to.deep.equal({ setting: 'share', value: 'net', source: 'user config' });
    expect(user.find((o) => o.setting === 'namespaces')?.value).to.match(/^--unshare-all --share-net /);
    expect(user.find((o) => o.setting === 'args')).to.deep.equal({ setting: 'args', value: '--cap-drop ALL', source: 'user config' });
  });

  it('has one weakening per namespace bwrap can leave shared, as data', () => {
    expect(BWRAP_WEAKENINGS.map(weakeningLabel)).to.deep.equal(BWRAP_SHAREABLE.map((ns) => `bwrap share=${ns}`));
  });
});

describe('bwrap command line under a host root (the sandbox profile)', () => {
  it("binds the host's / read-only and moves isoprobe's paths into the /tmp tmpfs", () => {
    const argv = bwrapArgv(
      {
        share: [],
        hostname: 'isoprobe',
        rootfs: 'host',
        workspace: '/srv/ws',
        args: ['--tmpfs', '/run'],
        argv: ['/isoprobe/probe', 'facts', '--create-file', '/scratch/f'],
      },
      paths,
    );
    expect(argv.slice(0, 5)).to.deep.equal(['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/']);
    expect(argv.join(' ')).to.include(`--ro-bind ${paths.rootfs}/isoprobe ${HOST_ROOT_PROBE_DIR} --bind ${paths.scratch} /tmp/scratch --bind /srv/ws /srv/ws`);
    // The user's arguments after isoprobe's binds, the relocated probe after "--".
    expect(argv.slice(argv.indexOf('--tmpfs', 10))).to.deep.equal(['--tmpfs', '/run', '--', '/tmp/isoprobe/probe', 'facts', '--create-file', '/tmp/scratch/f']);
  });

  it('relocates only the probe directory and /scratch', () => {
    expect(relocate(['/isoprobe/probe', '/scratch', '/scratch/x', '/scratchy', '/etc/isoprobe/probe'])).to.deep.equal([
      '/tmp/isoprobe/probe',
      '/tmp/scratch',
      '/tmp/scratch/x',
      '/scratchy',
      '/etc/isoprobe/probe',
    ]);
  });
});
