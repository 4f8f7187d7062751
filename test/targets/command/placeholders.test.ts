import { expect } from 'chai';
import { argvProblem, expandArgv } from '../../../targets/command/placeholders.js';
import { COMMAND_WEAKENINGS, UNSHARE_ARGV } from '../../../targets/command/weakenings.js';
import { parseTargetConfig } from '../../../targets/registry.js';

const V = { probe: '/run/p', args: ['--nonce=n1', 'facts', '--wait-stdin'], workspace: '/run/w', rootfs: '/run/r', nonce: 'n1' };

describe('command target placeholders', () => {
  it('expands {probe}, {args} (one element each), and placeholders inside an element', () => {
    expect(expandArgv(['bwrap', '--bind', '{workspace}', '{workspace}', '--x={rootfs}:{nonce}', '--', '{probe}', '{args}'], V)).to.deep.equal([
      'bwrap',
      '--bind',
      '/run/w',
      '/run/w',
      '--x=/run/r:n1',
      '--',
      '/run/p',
      '--nonce=n1',
      'facts',
      '--wait-stdin',
    ]);
  });

  it('accepts the default unshare line and its controls', () => {
    expect(argvProblem(UNSHARE_ARGV)).to.equal(null);
    for (const w of COMMAND_WEAKENINGS) expect(argvProblem(w.settings.argv as string[])).to.equal(null);
  });

  it('refuses an empty argv, a missing or repeated {probe}, an unknown placeholder, a partial {args}, a placeholder as argv[0]', () => {
    expect(argvProblem([])).to.match(/empty/);
    expect(argvProblem(['unshare', '--', '{args}'])).to.match(/\{probe\}" must appear exactly once.*0 times/);
    expect(argvProblem(['unshare', '{probe}', '{probe}'])).to.match(/exactly once.*2 times/);
    expect(argvProblem(['unshare', '{probe}', '{prbe}'])).to.match(/unknown placeholder "\{prbe\}"/);
    expect(argvProblem(['unshare', '{probe}', '--a={args}'])).to.match(/whole element/);
    expect(argvProblem(['{probe}', '{args}'])).to.match(/argv\[0\]/);
  });

  it('a config with a bad argv is one line naming the field', () => {
    expect(() => parseTargetConfig({ targets: [{ name: 'x', runtime: 'command', argv: ['unshare', '{nope}', '{probe}'] }] }, 'f.json')).to.throw(
      /^invalid target config f\.json: targets\.0\.argv: unknown placeholder "\{nope\}"/,
    );
  });
});
