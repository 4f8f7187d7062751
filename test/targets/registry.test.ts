import { expect } from 'chai';
import { EnvError } from '../../model/errors.js';
import { parseTargetConfig } from '../../targets/config.js';
import { findBinary, preflightTargets } from '../../targets/registry.js';

describe('target registry', () => {
  it('finds a runtime binary by name in PATH or by path', () => {
    expect(findBinary('sh')).to.match(/\/sh$/);
    expect(findBinary('/bin/sh')).to.equal('/bin/sh');
    expect(findBinary('isoprobe-no-such-runtime')).to.equal(null);
  });

  it('preflight: an OCI runtime that is not installed is an environment error naming the target', async () => {
    const targets = parseTargetConfig({ targets: [{ name: 'my-oci', runtime: 'oci', binary: 'isoprobe-no-such-runtime' }] }, 'x');
    const err = await preflightTargets(targets).catch((e) => e);
    expect(err).to.be.instanceOf(EnvError);
    expect(err.message).to.equal('the OCI runtime "isoprobe-no-such-runtime" of target "my-oci" is not installed (not found in PATH)');
  });

  it('preflight: nothing to check for the built-in runtime', async () => {
    await preflightTargets(parseTargetConfig({ targets: [{ name: 'b', runtime: 'builtin' }] }, 'x'));
  });
});
