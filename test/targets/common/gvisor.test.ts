import { expect } from 'chai';
import { flagValue, isRunscRuntime, runscGlobalFlags, runscNetwork, runscRequest, runscSettings } from '../../../targets/common/gvisor.js';
import { bundleOf } from '../../../targets/common/gvisor-sandbox.js';
import { decidedByText } from '../../../reports/decided-by.js';

describe('runsc flags (targets/common/gvisor.ts)', () => {
  it('reads --x=v, -x=v, --x v and bare booleans; the last one wins', () => {
    expect(flagValue(['--network=host'], 'network')).to.equal('host');
    expect(flagValue(['-network', 'none', '--network=host'], 'network')).to.equal('host');
    expect(flagValue(['--rootless'], 'rootless')).to.equal('true');
    expect(flagValue(['--platform=kvm'], 'network')).to.equal(undefined);
  });
  it("asks for --network=none, as isoprobe's request, only where the flags name no network", () => {
    expect(runscGlobalFlags([], '/r')).to.deep.equal(['--root', '/r', '--network=none']);
    expect(runscGlobalFlags(['--network=host'], '/r')).to.deep.equal(['--root', '/r', '--network=host']);
    expect(runscNetwork([])).to.deep.equal({ value: 'none', source: 'isoprobe' });
    expect(runscRequest(['--network=host'])).to.deep.equal({ 'ns.net': { value: 'host', source: 'user config' } });
    expect(runscSettings([])[0]).to.include({ setting: 'runsc --network', source: 'isoprobe' });
    expect(runscSettings([])[0].value).to.match(/^none \(runsc 20221219 refuses/);
  });
  it('knows runsc by name or by the registered binary', () => {
    expect(isRunscRuntime('runsc')).to.equal(true);
    expect(isRunscRuntime('gvisor', '/usr/bin/runsc')).to.equal(true);
    expect(isRunscRuntime('crun', '/usr/bin/crun')).to.equal(false);
    expect(isRunscRuntime(undefined)).to.equal(false);
  });
  it("finds a runsc command line's bundle", () => {
    expect(bundleOf(['runsc-gofer', '--root=/r', 'gofer', '--bundle', '/b', '--spec-fd=3'])).to.equal('/b');
    expect(bundleOf(['runsc-sandbox', 'boot', '--bundle=/b'])).to.equal('/b');
    expect(bundleOf(['runsc-sandbox'])).to.equal(null);
  });
});

describe('deciding evidence in reports (reports/decided-by.ts)', () => {
  it('is named only for a target that cannot give the host view of its workload', () => {
    expect(decidedByText({ provides: ['container', 'sentinels', 'sandbox'] }, { decidedBy: ['container', 'sentinels'] })).to.equal('container, sentinels');
    expect(decidedByText({ provides: ['container', 'observed'] }, { decidedBy: ['container'] })).to.equal(null);
    expect(decidedByText({}, { decidedBy: ['container'] })).to.equal(null);
    expect(decidedByText({ provides: ['container'] }, {})).to.equal(null);
  });
});
