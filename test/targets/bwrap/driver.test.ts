import { expect } from 'chai';
import { ConfigError, EnvError } from '../../../model/errors.js';
import { bwrap, type BwrapTargetConfig } from '../../../targets/bwrap/driver.js';
import { parseTargetConfig, targetsFromRuntimes } from '../../../targets/registry.js';
import type { Setting } from '../../../model/driver.js';

const settingsLine = (rows: Setting[]) => rows.map((r) => `${r.setting}=${r.value}`).join(' ');

const parse = (t: Record<string, unknown>) => parseTargetConfig({ targets: [{ name: 'b', runtime: 'bwrap', ...t }] }, 'x.json')[0] as BwrapTargetConfig;

describe('bwrap driver', () => {
  it("answers --runtime bwrap with bwrap's defaults: nothing shared, no extra arguments", () => {
    expect(targetsFromRuntimes(['bwrap'])).to.deep.equal([
      { name: 'bwrap', runtime: 'bwrap', share: [], rootChange: 'pivot_root', args: [], rootfs: 'template', caps: 'default', limits: 'default' },
    ]);
  });

  it('takes raw args and the namespaces bwrap can leave shared; refuses what bwrap cannot do, naming the field', () => {
    expect(parse({ share: ['net'], args: ['--cap-drop', 'ALL'] }))
      .to.include({ runtime: 'bwrap' })
      .and.deep.include({ share: ['net'], args: ['--cap-drop', 'ALL'] });
    expect(() => parse({ share: ['mnt'] })).to.throw(ConfigError, 'invalid target config x.json: targets.0.share.0:');
    expect(() => parse({ share: ['time'] })).to.throw(ConfigError, 'targets.0.share.0:');
    expect(() => parse({ rootChange: 'chroot' })).to.throw(ConfigError, 'targets.0.rootChange: only the built-in runtime can use "chroot"');
    expect(() => parse({ noNewPrivs: false })).to.throw(ConfigError, 'targets.0.noNewPrivs: bwrap always sets no_new_privs; it cannot be turned off');
    expect(() => parse({ args: '--cap-drop ALL' })).to.throw(ConfigError, 'targets.0.args:');
  });

  it('asks bwrap for what its command line gives: every capability, no seccomp filter, no limits', () => {
    const spec = bwrap.spec(parse({}), ['/isoprobe/probe', 'facts']);
    expect(spec).to.deep.include({
      share: [],
      caps: 'all',
      seccomp: 'none',
      noNewPrivs: true,
      limits: {},
      hostname: 'isoprobe',
      argv: ['/isoprobe/probe', 'facts'],
    });
  });

  it("describes the settings in bwrap's terms, each with who asked for it", () => {
    const rows = bwrap.describe(parse({ share: ['net'], args: ['--cap-drop', 'ALL'] }));
    expect(settingsLine(rows)).to.match(/^share=net root=pivot_root caps=all of root's .* namespaces=--unshare-all --share-net .* args=--cap-drop ALL$/);
    expect(rows.filter((r) => r.source === 'user config').map((r) => r.setting)).to.deep.equal(['share', 'namespaces', 'args']);
  });

  it('preflight: bwrap not installed is one line naming the package and the targets', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const err = await bwrap.preflight([parse({})]).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(EnvError);
      expect((err as Error).message).to.equal(
        'bubblewrap is not installed ("bwrap" not found in PATH), needed by target "b" (Debian: apt-get install bubblewrap)',
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});
