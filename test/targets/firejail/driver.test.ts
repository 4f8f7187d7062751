import { expect } from 'chai';
import type { Setting } from '../../../model/driver.js';
import { ConfigError, EnvError } from '../../../model/errors.js';
import { harnessBoundingCaps } from '../../../targets/common/config.js';
import { firejail, type FirejailTargetConfig } from '../../../targets/firejail/driver.js';
import { parseTargetConfig, targetsFromRuntimes } from '../../../targets/registry.js';

const settingsLine = (rows: Setting[]) => rows.map((r) => `${r.setting}=${r.value}`).join(' ');
const parse = (t: Record<string, unknown>) => parseTargetConfig({ targets: [{ name: 'f', runtime: 'firejail', ...t }] }, 'x.json')[0] as FirejailTargetConfig;

describe('firejail driver', () => {
  it("answers --runtime firejail with firejail's defaults: the host's network, no extra arguments", () => {
    expect(targetsFromRuntimes(['firejail'])).to.deep.equal([
      { name: 'firejail', runtime: 'firejail', share: [], rootChange: 'pivot_root', net: 'host', args: [], caps: 'default', limits: 'default' },
    ]);
  });

  it('takes raw args, net and the common options; refuses what firejail cannot do, naming the field', () => {
    expect(parse({ net: 'none', args: ['--caps.drop=all'] })).to.deep.include({ net: 'none', args: ['--caps.drop=all'] });
    expect(() => parse({ share: ['pid'] })).to.throw(ConfigError, 'invalid target config x.json: targets.0.share:');
    expect(() => parse({ net: 'bridge' })).to.throw(ConfigError, 'targets.0.net:');
    expect(() => parse({ rootChange: 'chroot' })).to.throw(ConfigError, 'targets.0.rootChange:');
    expect(() => parse({ noNewPrivs: false })).to.throw(ConfigError, 'targets.0.noNewPrivs: firejail sets no_new_privs while it loads a seccomp filter');
    expect(parse({ noNewPrivs: false, seccomp: 'none' })).to.deep.include({ noNewPrivs: false, seccomp: 'none' });
  });

  it('specs what firejail gives: the host user, cgroup, time (and by default network) namespaces, no limits', () => {
    expect(firejail.spec(parse({}), ['/isoprobe/probe', 'facts'])).to.deep.include({ share: ['user', 'cgroup', 'time', 'net'], caps: 'default', limits: {} });
    expect(firejail.spec(parse({ net: 'none', caps: 'all', seccomp: 'none' }), [])).to.deep.include({
      share: ['user', 'cgroup', 'time'],
      caps: 'all',
      seccomp: 'none',
    });
  });

  it("requests only what the command line asks: isoprobe's hostname, and the user's typed settings", () => {
    const spec = firejail.spec(parse({}), []);
    expect(firejail.request(parse({}), spec)).to.deep.equal({ hostname: { value: 'isoprobe', source: 'isoprobe' } });
    const weak = parse({ net: 'none', caps: 'all', seccomp: 'none', noNewPrivs: false });
    expect(firejail.request(weak, firejail.spec(weak, []))).to.deep.equal({
      hostname: { value: 'isoprobe', source: 'isoprobe' },
      'ns.net': { value: 'new', source: 'user config' },
      caps: { value: { add: harnessBoundingCaps(), drop: [] }, source: 'user config' },
      seccomp: { value: 'unconfined', source: 'user config' },
      noNewPrivs: { value: false, source: 'user config' },
    });
  });

  it("describes the settings in firejail's terms", () => {
    const line = settingsLine(firejail.describe(parse({ args: ['--x'] })));
    expect(line).to.match(/^share=user,cgroup,time,net .* profile=\/etc\/firejail\/server.profile .* hostname=--hostname=isoprobe .* args=--x$/);
  });

  it('preflight: firejail not installed is one line naming the package and the targets', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const err = await firejail.preflight([parse({})]).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(EnvError);
      expect((err as Error).message).to.equal(
        'firejail is not installed ("firejail" not found in PATH), needed by target "f" (Debian: apt-get install firejail)',
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});
