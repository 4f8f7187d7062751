/** The enforcement probes' command lines: bounded from the limits asked, by whoever asked, and harmless with none. */
import { expect } from 'chai';
import { enforcementArgv, limitsAsked } from '../../model/enforcement.js';

describe('enforcement command lines', () => {
  it('take the limits asked, the user\'s among them; none asked and "none" (0) are no limit', () => {
    expect(limitsAsked({})).to.deep.equal({});
    expect(
      limitsAsked({
        'limits.pids': { value: 100, source: 'user config' },
        'limits.memory': { value: 0, source: 'user config' },
        'limits.cpu': { value: 0.5, source: 'isoprobe' },
      }),
    ).to.deep.equal({ pids: 100, cpus: 0.5 });
  });
  it('without a limit, each probe has its fixed cap: 128 forks, 128 MiB, a 500 ms burn', () => {
    const a = enforcementArgv({});
    expect([a.pids.slice(1), a.memory.slice(1), a.cpu.slice(1)]).to.deep.equal([
      ['forkbomb', '--max', '128', '--hold-ms', '5000'],
      ['memhog', '--max-mb', '128', '--step-mb', '8'],
      ['cpuburn', '--ms', '500'],
    ]);
  });
  it("with a limit, twice it, never past the probes' own bounds", () => {
    const a = enforcementArgv({ pids: 100, memoryBytes: 256 * 2 ** 20 });
    expect([a.pids[3], a.memory[3]]).to.deep.equal(['200', '512']);
    const big = enforcementArgv({ pids: 1e6, memoryBytes: 2 ** 40 });
    expect([big.pids[3], big.memory[3]]).to.deep.equal(['4096', '1024']);
  });
});
