import { expect } from 'chai';
import type { CleanItem } from '../../model/clean-report.js';
import { runClean, type CleanDeps } from '../../cli/clean.js';

/** Fakes that record the order of the calls and what was printed. */
function fakes(over: Partial<CleanDeps> = {}) {
  const calls: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  let hostItems: CleanItem[] = [{ kind: 'cgroups', found: [], remaining: [] }];
  const deps: CleanDeps = {
    isRoot: () => true,
    runRootProblem: () => null,
    liveRuns: () => [],
    drivers: [
      {
        kind: 'docker',
        clean: async () => {
          calls.push('docker');
          return [{ kind: 'docker containers', found: [], remaining: [] }];
        },
      },
      {
        kind: 'oci',
        clean: async () => {
          calls.push('oci');
          return [{ kind: 'runc containers', found: [], remaining: [] }];
        },
      },
    ],
    // The reaper's order (host/reap.ts): each driver with its journal entries, then the host's kinds.
    reap: async (drivers, opts) => {
      const items: CleanItem[] = [];
      for (const d of drivers) items.push(...(await d.clean({ inUse: opts.inUse, shared: opts.shared, entries: [], keep: () => {} })));
      calls.push('host');
      items.push(...hostItems);
      return { items };
    },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    ...over,
  };
  return { deps, calls, out, err, setHost: (h: CleanItem[]) => (hostItems = h) };
}

const item = (kind: string, found: string[], remaining: string[] = []): CleanItem => ({ kind, found, remaining });

describe('isoprobe clean (orchestration)', () => {
  it('refuses while a run is going, touching nothing (exit 2)', async () => {
    const f = fakes({ liveRuns: () => [4242] });
    expect(await runClean(f.deps)).to.equal(2);
    expect(f.calls).to.deep.equal([]);
    expect(f.err).to.deep.equal(['isoprobe clean: runs 4242 are still going; stop them first']);
  });

  it('as a user who is not root: one line saying it needs root, nothing touched (exit 2)', async () => {
    const f = fakes({ isRoot: () => false });
    expect(await runClean(f.deps)).to.equal(2);
    expect(f.calls).to.deep.equal([]);
    expect(f.err).to.deep.equal(["isoprobe clean: needs root (what runs leave is root's: containers, cgroups, mounts)"]);
  });

  it('RUN_ROOT unusable (a file in its place): one line, nothing touched (exit 2)', async () => {
    const f = fakes({ runRootProblem: () => '/run/isoprobe is not a directory' });
    expect(await runClean(f.deps)).to.equal(2);
    expect(f.calls).to.deep.equal([]);
    expect(f.err).to.deep.equal(['isoprobe clean: /run/isoprobe is not a directory']);
  });

  it('each driver in registry order first (their state would go stale under the host sweep), then the host', async () => {
    const f = fakes();
    expect(await runClean(f.deps)).to.equal(0);
    expect(f.calls).to.deep.equal(['docker', 'oci', 'host']);
  });

  it('prints one line per kind, found and removed', async () => {
    const f = fakes({
      drivers: [
        { kind: 'docker', clean: async () => [item('docker containers', []), item('docker images', ['isoprobe-probe:abc'])] },
        { kind: 'oci', clean: async () => [item('runc containers', ['isoprobe-7-1-runc']), item('crun containers', [])] },
      ],
    });
    f.setHost([item('cgroups', ['/sys/fs/cgroup/pids/isoprobe/x']), item('run directories', ['/run/isoprobe/run-7-a'])]);
    expect(await runClean(f.deps)).to.equal(0);
    expect(f.out).to.deep.equal([
      'isoprobe clean: docker containers: 0 found, 0 removed',
      'isoprobe clean: docker images: 1 found, 1 removed',
      'isoprobe clean: runc containers: 1 found, 1 removed',
      'isoprobe clean: crun containers: 0 found, 0 removed',
      'isoprobe clean: cgroups: 1 found, 1 removed',
      'isoprobe clean: run directories: 1 found, 1 removed',
    ]);
    expect(f.err).to.deep.equal([]);
  });

  it('a runtime that is not installed and a daemon that does not answer are said, not failures (exit 0)', async () => {
    const f = fakes({
      drivers: [
        {
          kind: 'docker',
          clean: async () => [{ kind: 'docker', found: [], remaining: [], unchecked: 'no Docker daemon answers at /x.sock (connect ENOENT /x.sock)' }],
        },
        {
          kind: 'oci',
          clean: async () => [item('runc containers', []), { kind: 'crun containers', found: [], remaining: [], unchecked: 'crun is not installed' }],
        },
      ],
    });
    expect(await runClean(f.deps)).to.equal(0);
    expect(f.out).to.include('isoprobe clean: crun containers: not checked, crun is not installed');
    expect(f.out).to.include('isoprobe clean: docker: not checked, no Docker daemon answers at /x.sock (connect ENOENT /x.sock)');
  });

  it('something that could not be removed is named and fails clean (exit 1), the rest still runs', async () => {
    const f = fakes({
      drivers: [
        { kind: 'oci', clean: async () => [item('runc containers', ['isoprobe-7-1-x'], ['isoprobe-7-1-x: still listed'])] },
        {
          kind: 'docker',
          clean: async () => {
            f.calls.push('docker');
            return [];
          },
        },
      ],
    });
    expect(await runClean(f.deps)).to.equal(1);
    expect(f.calls).to.deep.equal(['docker', 'host']);
    expect(f.out[0]).to.equal('isoprobe clean: runc containers: 1 found, 0 removed; could not remove 1: isoprobe-7-1-x: still listed');
    expect(f.err).to.deep.equal(['isoprobe clean: 1 thing could not be removed (see above)']);
  });

  it('asks again for live runs when Docker is about to remove the images', async () => {
    let asked = 0;
    let answer: string | null = 'unset';
    const f = fakes({
      liveRuns: () => (asked++ === 0 ? [] : [99, 100]),
      drivers: [
        {
          kind: 'docker',
          clean: async (ctx) => {
            answer = ctx.inUse();
            return [];
          },
        },
      ],
    });
    await runClean(f.deps);
    expect(answer).to.equal('runs 99, 100 started meanwhile and may use them');
  });
});
