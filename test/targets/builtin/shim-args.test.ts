import { expect } from 'chai';
import { DEFAULT_SPEC } from '../../../model/spec.js';
import { containerArgv, shimArgs } from '../../../targets/builtin/shim-args.js';

describe('shim arguments', () => {
  const spec = { ...DEFAULT_SPEC, argv: ['/isoprobe/probe', 'facts'] };
  it('isolates everything by default', () => {
    expect(shimArgs(spec, '/r')).to.deep.equal([
      '--rootfs',
      '/r',
      '--hostname',
      'isoprobe',
      '--cgroupfs',
      'ro',
      '--time-offsets',
      '604800,777600',
      '--',
      '/isoprobe/probe',
      'facts',
    ]);
  });
  it('passes the cgroup hierarchies to show, and a writable cgroupfs only when asked', () => {
    const mounts = [
      { type: 'cgroup' as const, dir: 'pids', options: 'pids' },
      { type: 'cgroup2' as const, dir: 'unified', options: '' },
    ];
    const args = shimArgs({ ...spec, cgroupfs: 'rw' }, '/r', undefined, mounts);
    expect(args.slice(args.indexOf('--cgroupfs'), args.indexOf('--time-offsets'))).to.deep.equal([
      '--cgroupfs',
      'rw',
      '--cgroup-mount',
      'cgroup:pids:pids',
      '--cgroup-mount',
      'cgroup2:unified:',
    ]);
  });
  it('passes the weakenings', () => {
    const args = shimArgs({ ...spec, share: ['pid', 'net'], rootChange: 'chroot', caps: 'all' }, '/r');
    expect(args.slice(0, 4)).to.deep.equal(['--share', 'pid', '--share', 'net']);
    expect(args).to.include('--chroot').and.to.include('--keep-caps');
  });
  it('turns the seccomp filter and no_new_privs off only when asked', () => {
    expect(shimArgs({ ...spec, seccomp: 'default', noNewPrivs: true }, '/r'))
      .to.not.include('--no-seccomp')
      .and.not.include('--allow-new-privs');
    expect(shimArgs({ ...spec, seccomp: 'none', noNewPrivs: false }, '/r'))
      .to.include('--no-seccomp')
      .and.include('--allow-new-privs');
  });
  it('makes the program path relative to the rootfs when the mount namespace is shared', () => {
    expect(containerArgv({ ...spec, share: ['mnt'] })).to.deep.equal(['./isoprobe/probe', 'facts']);
    expect(containerArgv(spec)).to.deep.equal(['/isoprobe/probe', 'facts']);
  });
});

describe('shim arguments of a sibling that joins the first', () => {
  it("joins the first's namespaces by its /proc path, its user namespace with them", () => {
    const s = { ...DEFAULT_SPEC, argv: ['/p'], joinSibling: { namespaces: ['pid' as const, 'uts' as const], pid: 42 } };
    const args = shimArgs(s, '/r');
    const joins = args.flatMap((a, i) => (a === '--join' ? [args[i + 1]] : []));
    expect(joins).to.deep.equal(['pid:/proc/42/ns/pid', 'uts:/proc/42/ns/uts', 'user:/proc/42/ns/user']);
  });

  it('keeps the host user namespace when it shares it', () => {
    const s = { ...DEFAULT_SPEC, share: ['user' as const], argv: ['/p'], joinSibling: { namespaces: ['net' as const], pid: 7 } };
    const args = shimArgs(s, '/r');
    expect(args.filter((a) => a.startsWith('user:'))).to.deep.equal([]);
    expect(args).to.include('net:/proc/7/ns/net');
  });
});
