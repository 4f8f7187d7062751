/** pid.init-is-pid1 judges the namespace (NSpid from the host, the ancestry inside), not the probe's own pid. */
import { expect } from 'chai';
import { pidChecks } from '../../checks/pid.js';
import { evaluate } from '../../engine/evaluate.js';
import type { CheckContext } from '../../model/check.js';

const CHECK = pidChecks.find((c) => c.id === 'pid.init-is-pid1')!;
type Link = { pid: number; errno: number; ppid?: number; comm?: string };

function verdict(nsPid: number[] | null | undefined, pid: number, ppid: number, ancestry?: Link[]) {
  const ctx = { container: { pid, ppid, ancestry }, observed: { nsPid }, reference: { pidLevels: 1 } } as unknown as CheckContext;
  return evaluate(CHECK, ctx);
}

const CASES: [string, Parameters<typeof verdict>, string][] = [
  ['the probe is PID 1 of its own namespace', [[4242, 1], 1, 0, [{ pid: 1, errno: 0, ppid: 0, comm: 'probe' }]], 'pass'],
  [
    'the probe is the child of an init, and the host observes the probe (bwrap)',
    [
      [4243, 7],
      7,
      1,
      [
        { pid: 7, errno: 0, ppid: 1, comm: 'probe' },
        { pid: 1, errno: 0, ppid: 0, comm: 'docker-init' },
      ],
    ],
    'pass',
  ],
  [
    'the probe is the child of an init, and the host observes the init (docker --init, a pause container)',
    [
      [4243, 1],
      7,
      1,
      [
        { pid: 7, errno: 0, ppid: 1, comm: 'probe' },
        { pid: 1, errno: 0, ppid: 0, comm: 'docker-init' },
      ],
    ],
    'pass',
  ],
  ['a probe from before ancestry, as PID 1', [[4242, 1], 1, 0, undefined], 'pass'],
  ['a probe from before ancestry, not PID 1', [[4243, 7], 7, 1, undefined], 'fail'],
  [
    "the host's pid namespace (--pid=host): one NSpid level",
    [
      [4242],
      4242,
      4200,
      [
        { pid: 4242, errno: 0, ppid: 4200, comm: 'probe' },
        { pid: 4200, errno: 0, ppid: 1, comm: 'containerd-shim' },
        { pid: 1, errno: 0, ppid: 0, comm: 'systemd' },
      ],
    ],
    'fail',
  ],
  ['joined from outside (setns): ppid 0 but not PID 1', [[4242, 5], 5, 0, [{ pid: 5, errno: 0, ppid: 0, comm: 'probe' }]], 'fail'],
  [
    'an ancestor that cannot be read',
    [
      [4243, 7],
      7,
      1,
      [
        { pid: 7, errno: 0, ppid: 1, comm: 'probe' },
        { pid: 1, errno: 13 },
      ],
    ],
    'fail',
  ],
  [
    "NSpid whose innermost pid is not the probe's own",
    [
      [4243, 9],
      7,
      1,
      [
        { pid: 7, errno: 0, ppid: 1, comm: 'probe' },
        { pid: 1, errno: 0, ppid: 0, comm: 'init' },
      ],
    ],
    'fail',
  ],
  ['NSpid not read on the host', [null, 1, 0, [{ pid: 1, errno: 0, ppid: 0, comm: 'probe' }]], 'fail'],
];

describe('pid.init-is-pid1', () => {
  for (const [what, args, want] of CASES) {
    it(`${what}: ${want}`, () => {
      const v = verdict(...args);
      expect(v.status, JSON.stringify(v)).to.equal(want);
    });
  }
  it('shows NSpid and the ancestry as evidence', () => {
    expect(
      verdict([4243, 7], 7, 1, [
        { pid: 7, errno: 0, ppid: 1, comm: 'probe' },
        { pid: 1, errno: 0, ppid: 0, comm: 'docker-init' },
      ]).evidence,
    ).to.equal("NSpid from the host 4243 7 (the harness's: 1 level); inside getpid()=7, getppid()=1, ancestry 7 probe → 1 docker-init");
  });
});
