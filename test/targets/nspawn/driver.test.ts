import { expect } from 'chai';
import { ConfigError, EnvError } from '../../../model/errors.js';
import { nspawn, type NspawnTargetConfig } from '../../../targets/nspawn/driver.js';
import { machineName } from '../../../targets/nspawn/nspawn.js';
import { parseTargetConfig, targetsFromRuntimes } from '../../../targets/registry.js';

const parse = (t: Record<string, unknown>) => parseTargetConfig({ targets: [{ name: 'n', runtime: 'nspawn', ...t }] }, 'x.json')[0] as NspawnTargetConfig;

describe('systemd-nspawn driver', () => {
  it("answers --runtime nspawn with nspawn's defaults: the host's network, no extra arguments", () => {
    expect(targetsFromRuntimes(['nspawn'])).to.deep.equal([
      { name: 'nspawn', runtime: 'nspawn', share: ['net'], rootChange: 'pivot_root', args: [], caps: 'default', limits: 'default' },
    ]);
  });

  it('takes share [] (--private-network), caps, seccomp and raw args; refuses what it cannot express, naming the field', () => {
    expect(parse({ share: [], caps: 'all', seccomp: 'none', args: ['-x'] })).to.deep.include({ share: [], caps: 'all', seccomp: 'none', args: ['-x'] });
    expect(() => parse({ share: ['pid'] })).to.throw(ConfigError, 'targets.0.share.0:');
    expect(() => parse({ limits: 'none' })).to.throw(ConfigError, 'targets.0.limits: nspawn sets no cgroup limits here');
    expect(() => parse({ noNewPrivs: true })).to.throw(ConfigError, 'targets.0.noNewPrivs:');
    expect(() => parse({ rootChange: 'chroot' })).to.throw(ConfigError, 'targets.0.rootChange:');
  });

  it('specs what nspawn does: the host user and time namespaces, no no_new_privs, no limits', () => {
    expect(nspawn.spec(parse({}), ['/isoprobe/probe'])).to.deep.include({ share: ['net', 'user', 'time'], noNewPrivs: false, limits: {}, caps: 'default' });
    expect(nspawn.spec(parse({ share: [] }), []).share).to.deep.equal(['user', 'time']);
  });

  it('requests the hostname, and what the controls or --private-network say, nothing else', () => {
    const cfg = parse({});
    expect(nspawn.request!(cfg, nspawn.spec(cfg, []))).to.deep.equal({ hostname: { value: 'isoprobe', source: 'isoprobe' } });
    const weak = parse({ share: [], caps: 'all', seccomp: 'none' });
    const r = nspawn.request!(weak, nspawn.spec(weak, []));
    expect(Object.keys(r).sort()).to.deep.equal(['caps', 'hostname', 'ns.net', 'seccomp']);
    expect(r['ns.net']).to.deep.equal({ value: 'new', source: 'user config' });
    expect(r.seccomp).to.deep.equal({ value: 'unconfined', source: 'user config' });
  });

  it("names machines after the run directory, within nspawn's 64 characters", () => {
    expect(machineName('/run/isoprobe/run-123-abcdef', 2)).to.equal('isoprobe-run-123-abcdef-2');
    expect(machineName(`/run/isoprobe/run-1-${'x'.repeat(80)}`, 12345).length).to.be.at.most(64);
  });

  it('preflight: systemd-nspawn not installed is one line naming the package and the targets', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const err = await nspawn.preflight([parse({})]).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(EnvError);
      expect((err as Error).message).to.equal(
        'systemd-nspawn is not installed ("systemd-nspawn" not found in PATH), needed by target "n" (Debian: apt-get install systemd-container)',
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});
