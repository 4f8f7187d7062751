import { expect } from 'chai';
import { ALL_CAPS, firejailArgv, firejailOptions, settingArgs, type FirejailRequest } from '../../../targets/firejail/argv.js';

const req = (over: Partial<FirejailRequest> = {}): FirejailRequest => ({
  hostname: 'h',
  net: 'host',
  capsAll: false,
  seccompNone: false,
  noNewPrivsOff: false,
  args: [],
  argv: ['/isoprobe/probe', 'facts', '--wait-stdin'],
  ...over,
});
const paths = { probe: '/run/isoprobe/run-1-x/fj-probe/probe', workspace: '/run/isoprobe/run-1-x/fj-firejail-1-ws' };

describe('firejail command line', () => {
  it("is firejail's default invocation plus --quiet, the hostname and the workspace; the probe by its host path", () => {
    expect(firejailArgv(req(), paths)).to.deep.equal([
      '--quiet',
      '--hostname=h',
      `--private-cwd=${paths.workspace}`,
      '--',
      paths.probe,
      'facts',
      '--wait-stdin',
    ]);
  });

  it("puts the user's args after isoprobe's and before --, and leaves a command other than the probe as it is", () => {
    expect(firejailArgv(req({ args: ['--caps.drop=all'], argv: ['/bin/true'] }), paths).slice(3)).to.deep.equal(['--caps.drop=all', '--', '/bin/true']);
  });

  it('says the typed settings as --ignore= of the profile lines, --caps.keep of every capability and --net=none', () => {
    expect(settingArgs(req())).to.deep.equal([]);
    expect(settingArgs(req({ seccompNone: true }))).to.deep.equal(['--ignore=seccomp', '--ignore=protocol', '--ignore=restrict-namespaces']);
    expect(settingArgs(req({ capsAll: true }))).to.deep.equal(['--ignore=caps', `--caps.keep=${ALL_CAPS}`]);
    expect(ALL_CAPS.split(',')).to.include.members(['chown', 'dac_override', 'sys_admin', 'checkpoint_restore']);
    expect(settingArgs(req({ net: 'none', noNewPrivsOff: true }))).to.deep.equal(['--net=none', '--ignore=nonewprivs']);
  });

  it('describes each setting with who asked for it', () => {
    const rows = firejailOptions({ ...req(), args: ['--x'] });
    expect(rows.filter((r) => r.source === 'isoprobe').map((r) => r.setting)).to.deep.equal(['quiet', 'hostname', 'workspace', 'command', 'environment']);
    expect(rows.filter((r) => r.source === 'user config').map((r) => r.setting)).to.deep.equal(['args']);
    const weak = firejailOptions({ ...req(), seccompNone: true, net: 'none' });
    expect(weak.filter((r) => r.source === 'user config').map((r) => r.setting)).to.deep.equal(['share', 'seccomp', 'net']);
  });
});
