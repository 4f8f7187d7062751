import { expect } from 'chai';
import { ConfigError } from '../../core/errors.js';
import { parseTargetConfig, specFor, targetsFromRuntimes } from '../../core/targets-config.js';

describe('target config', () => {
  it('fills defaults', () => {
    const [t] = parseTargetConfig({ targets: [{ name: 'b', runtime: 'builtin' }] }, 'x.json');
    expect(t).to.deep.equal({ name: 'b', runtime: 'builtin', share: [], rootChange: 'pivot_root', caps: 'default', limits: 'default' });
  });
  const bad: [unknown, RegExp][] = [
    [{}, /x\.json: targets: /],
    [{ targets: [{ name: 'B!', runtime: 'builtin' }] }, /targets\.0\.name/],
    [{ targets: [{ name: 'b', runtime: 'builtin', share: ['pidd'] }] }, /targets\.0\.share\.0/],
    [{ targets: [{ name: 'b', runtime: 'builtin', bogus: 1 }] }, /bogus/],
    [{ targets: [{ name: 'b', runtime: 'builtin' }, { name: 'b', runtime: 'builtin' }] }, /used twice/],
  ];
  for (const [raw, msg] of bad) {
    it(`rejects ${JSON.stringify(raw)} with one clear line`, () => {
      expect(() => parseTargetConfig(raw, 'x.json')).to.throw(ConfigError, msg);
    });
  }
  it('rejects an unknown runtime by name', () => {
    expect(() => targetsFromRuntimes(['builtin', 'lxc'])).to.throw(ConfigError, 'unknown runtime "lxc"');
  });
  it('turns "limits: none" into an empty limit set', () => {
    const [t] = parseTargetConfig({ targets: [{ name: 'b', runtime: 'builtin', limits: 'none' }] }, 'x');
    expect(specFor(t, ['/p']).limits).to.deep.equal({});
  });
});
