/**
 * A sentinel that vanishes during the run (what a foreign reaper did to a live run, issue 10) must
 * turn the checks that read it into `error`, never a pass: a target that shares the host's pid and
 * ipc namespaces would otherwise "not find" the killed process and the removed SysV objects. The
 * test removes them through the engine's injected drivers (RunOptions.drivers): a built-in driver
 * whose target removes them after the engine verified them and before the probe starts, no hook of
 * the production code. Needs root and user namespaces.
 */
import { expect } from 'chai';
import { runSuite } from '../../engine/run.js';
import { CATALOGUE } from '../../checks/catalogue.js';
import { msgget, msgRemove, semget, semRemove, shmget, shmRemove } from '../../host/libc.js';
import type { TargetDriver } from '../../model/driver.js';
import type { CheckResult, RunResults } from '../../model/results.js';
import type { ContainerSpec } from '../../model/spec.js';
import type { Target } from '../../model/target.js';
import { DRIVERS, parseTargetConfig } from '../../targets/registry.js';

/** The value after an option of the probe's command line (engine/run.ts probeArgv). */
function optionOf(spec: ContainerSpec, name: string): number {
  const i = spec.argv.indexOf(name);
  expect(i, `the probe has no ${name}`).to.be.greaterThan(0);
  return Number(spec.argv[i + 1]);
}

/** Kills the sentinel process and removes the SysV objects the probe is about to look for. */
function vanish(spec: ContainerSpec): void {
  process.kill(optionOf(spec, '--host-pid'), 'SIGKILL');
  shmRemove(shmget(optionOf(spec, '--shm-key'), 0, 0));
  msgRemove(msgget(optionOf(spec, '--msg-key'), 0));
  semRemove(semget(optionOf(spec, '--sem-key'), 0, 0));
}

/** The built-in driver, its targets removing those sentinels once the run has started them. */
function vanishingDriver(): TargetDriver {
  const real = DRIVERS.find((d) => d.kind === 'builtin') as unknown as TargetDriver;
  return {
    ...real,
    create(cfg, ctx): Target {
      const t = real.create(cfg, ctx);
      return {
        name: t.name,
        runtime: t.runtime,
        capabilities: t.capabilities,
        provides: t.provides,
        info: () => t.info(),
        run: (spec, hooks) => {
          // The limit-enforcement containers (engine/enforce.ts) and the sibling pair (engine/cross.ts, which needs its hooks) run through here too.
          if (spec.argv[1] === 'facts') vanish(spec);
          return t.run(spec, hooks);
        },
      };
    },
  };
}

// agent.host-process-unsignalable reads the process sentinel too: its vanishing errors the check
// before the check could skip for want of the sandbox profile's decoys (an error is never a pass).
const VANISHED_READERS = [
  'pid.host-invisible',
  'pid.cannot-signal-host',
  'agent.host-process-unsignalable',
  'ipc.sysv-shm-invisible',
  'ipc.sysv-msg-invisible',
  'ipc.sysv-sem-invisible',
];

describe('a sentinel removed mid-run', function () {
  this.timeout(120_000);
  let results: RunResults;
  const byId = () => new Map<string, CheckResult>(results.targets[0].checks.map((c) => [c.id, c]));

  before(async () => {
    const [target] = parseTargetConfig({ targets: [{ name: 'builtin-share-pid-net-ipc', runtime: 'builtin', share: ['pid', 'net', 'ipc'] }] }, 'test');
    results = await runSuite({ drivers: [vanishingDriver()], catalogue: CATALOGUE, targets: [target], profile: 'strict' });
  });

  it('errors every check that reads a vanished sentinel, naming it', () => {
    const checks = byId();
    for (const id of VANISHED_READERS) {
      const c = checks.get(id)!;
      expect(c.status, `${id}: ${JSON.stringify(c)}`).to.equal('error');
      expect(c.reason, id).to.match(/^sentinel .+ vanished during the run: /);
    }
  });

  it('judges the target’s other checks normally (the shared namespaces still fail)', () => {
    const checks = byId();
    for (const id of ['pid.own-ns', 'net.host-listener-unreachable', 'ipc.posix-mq-invisible', 'ipc.own-ns'])
      expect(checks.get(id)?.status, id).to.equal('fail');
    for (const id of ['mnt.root-not-host', 'mnt.dev-shm-private', 'uts.own-ns']) expect(checks.get(id)?.status, id).to.equal('pass');
    const errors = [...checks.values()].filter((c) => c.status === 'error').map((c) => c.id);
    expect(errors.sort()).to.deep.equal([...VANISHED_READERS].sort());
  });
});
