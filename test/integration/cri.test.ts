/**
 * A Kubernetes node through CRI, end to end, on a containerd the run starts itself: the plain pod
 * (what kubelet sends), a reference pod with seccomp RuntimeDefault for the seccomp control, and
 * one target per weakening of targets/cri/weakenings.ts (a pod-spec field as kubelet translates
 * it). Each weakening is the twin of a Docker one: the checks naming that twin that pass on the
 * weakening's reference must fail on it, and every other check keeps the reference's status. The
 * cross area runs on two pods (each sibling a pod of its own). Then what a run leaves: nothing
 * after a normal run or a Ctrl-C; after a SIGKILL, `clean` stops the dead run's containerd, its
 * shims, sandboxes, mounts, bridge and cgroups. Needs containerd and runc (Docker's dependencies).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { runSuite } from '../../engine/run.js';
import { REPO_ROOT, RUN_ROOT } from '../../host/paths.js';
import { lockDeadRuns, reapDeadRuns, releaseDeadRuns } from '../../host/reap.js';
import { scanLeftovers } from '../../host/leftovers.js';
import { requireContainerd } from './requirements.js';
import type { Resource } from '../../model/journal.js';
import { capNames, CAP_NAMES, parseStatus } from '../../model/parse/status.js';
import type { RunResults, TargetResult } from '../../model/results.js';
import { weakeningLabel } from '../../model/weakening.js';
import { cgroupRootOf, CRI_ROOT, mountsUnder, processesNaming, startContainerd, teardown } from '../../targets/cri/containerd.js';
import { imageRefs, importImages } from '../../targets/cri/image.js';
import { removeSandbox } from '../../targets/cri/sandboxes.js';
import { projectProbeFiles } from '../../targets/common/probe-files.js';
import { cri } from '../../targets/cri/driver.js';
import { CRI_WEAKENINGS, type CriWeakening } from '../../targets/cri/weakenings.js';
import { mergePatch } from '../../model/merge-patch.js';
import { DRIVERS, parseTargetConfig } from '../../targets/registry.js';
import { interruptedRun, runDirsOf } from './interrupted-run.js';
import { checksFlippedBy, expectedBeside } from './negative-controls.js';

const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');
const PLAIN = { name: 'cri', runtime: 'cri' };
const RUNTIME_DEFAULT = {
  name: 'cri-runtime-default',
  runtime: 'cri',
  containerConfig: { linux: { securityContext: { seccomp: { profileType: 'RuntimeDefault' } } } },
};

/** kubelet sends Unconfined for a plain pod: the seccomp control turns off what a pod asking for RuntimeDefault has. */
function referenceOf(w: CriWeakening): typeof PLAIN | typeof RUNTIME_DEFAULT {
  return w.weakening.note === 'seccomp Unconfined' ? RUNTIME_DEFAULT : PLAIN;
}

function nameOf(w: CriWeakening): string {
  return `cri-${(w.weakening.note ?? 'w').toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

const TARGETS = parseTargetConfig(
  {
    targets: [PLAIN, RUNTIME_DEFAULT, ...CRI_WEAKENINGS.map((w) => ({ ...(mergePatch(referenceOf(w), w.weakening.settings) as object), name: nameOf(w) }))],
  },
  'cri.test.ts',
);

function statuses(t: TargetResult): Record<string, string> {
  return Object.fromEntries(t.checks.map((c) => [c.id, c.status]));
}

function errors(t: TargetResult): string[] {
  return [...(t.error ? [t.error] : []), ...t.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.reason}`)];
}

/** The harness lacks a capability privileged would grant (this VM: CAP_SYS_RESOURCE): runc refuses the pod. */
function privilegedRefused(t: TargetResult): string | null {
  const missing = CAP_NAMES.filter((c) => !capNames(parseStatus(fs.readFileSync('/proc/self/status', 'utf8')).capBnd).includes(c));
  return missing.length > 0 && t.error ? `refused here (${missing.join(', ')} in no bounding set): ${t.error}` : null;
}

/** The run containerd directories now (a run's is CRI_ROOT/<run id>). */
function criDirs(): string[] {
  try {
    return fs.readdirSync(CRI_ROOT).map((n) => path.join(CRI_ROOT, n));
  } catch {
    return [];
  }
}

/** Whatever of a run's containerd is left: its directory, processes naming it, mounts, bridge, cgroups. */
function remnants(dir: string): string[] {
  const run = path.basename(dir);
  const cg = fs
    .readdirSync('/sys/fs/cgroup')
    .flatMap((h) => (fs.existsSync(path.join('/sys/fs/cgroup', h, cgroupRootOf(run))) ? [`cgroup ${h}${cgroupRootOf(run)}`] : []));
  return [
    ...(fs.existsSync(dir) ? [dir] : []),
    ...processesNaming(dir).map((p) => `process ${p}`),
    ...mountsUnder(dir),
    ...(fs.existsSync(`/sys/class/net/isop${run.slice(0, 10)}`) ? [`bridge isop${run.slice(0, 10)}`] : []),
    ...cg,
  ];
}

/** A cgroup v1 hierarchy exists (a /proc/self/cgroup line other than the v2 "0::"). */
function hasV1Hierarchy(): boolean {
  return fs
    .readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .some((l) => /^[1-9]\d*:/.test(l));
}

/** CRI log files of the probe containers of a run (by its pid): a pod with a started container. */
function probeLogs(pid: number): string[] {
  return runDirsOf(pid).flatMap((run) => {
    try {
      return fs
        .readdirSync(path.join(RUN_ROOT, run))
        .filter((d) => d.startsWith('cri-') && fs.existsSync(path.join(RUN_ROOT, run, d, 'logs', 'probe', '0.log')));
    } catch {
      return [];
    }
  });
}

describe('CRI (a containerd of the run), end to end', function () {
  this.timeout(400_000);
  let results: RunResults;
  let already: ReturnType<typeof scanLeftovers>;
  let dirsBefore: string[];
  const byName = (name: string) => results.targets.find((t) => t.name === name)!;

  before(async function () {
    requireContainerd(this);
    // What dead runs (of other tests) left is the run's start's to reap: reaped first, so the scan is of the living.
    await reapDeadRuns(DRIVERS, { shared: false, inUse: () => null, onlyWithEntries: true });
    already = scanLeftovers();
    dirsBefore = criDirs();
    const t0 = performance.now();
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: TARGETS, profile: 'baseline' });
    process.stdout.write(`    ${TARGETS.length} cri targets in one run: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  });

  it('runs every cri target without a target or harness error (privileged only where the host can grant it)', () => {
    for (const t of results.targets) {
      if (t.name === 'cri-privileged' && privilegedRefused(t)) continue;
      expect(errors(t), t.name).to.deep.equal([]);
    }
  });

  it("the plain pod: kubelet's namespaces (pid, net, ipc, uts, mnt its own; the host's user namespace), seccomp unconfined (its whole verdict list below)", () => {
    const s = statuses(byName('cri'));
    expect(['pid', 'net', 'ipc', 'uts', 'mnt'].map((ns) => s[`${ns}.own-ns`])).to.deep.equal(['pass', 'pass', 'pass', 'pass', 'pass']);
    expect(s['user.own-ns'], 'containerd 1.6 makes no user namespace for a pod').to.equal('fail');
    expect(s['security.seccomp-filter'], 'kubelet sends Unconfined for a plain pod').to.equal('fail');
    expect(statuses(byName('cri-runtime-default'))['security.seccomp-filter']).to.equal('pass');
    for (const c of byName('cri').checks)
      process.stdout.write(`      ${c.status.padEnd(4)} ${c.id}${c.status === 'skip' ? ` (${c.requirement}: ${c.reason})` : ''}\n`);
  });

  it('two pods: the cross area passes between them', () => {
    const cross = byName('cri').checks.filter((c) => c.id.startsWith('cross.'));
    expect(cross.map((c) => `${c.id} ${c.status}`)).to.deep.equal(cross.map((c) => `${c.id} pass`));
  });

  it("says what it talked to: containerd's version, the CRI runtime, the handler", () => {
    const info = byName('cri').info;
    expect(info.containerd).to.match(/^containerd /);
    expect(info.cri).to.match(/^containerd \S+ \(CRI v1/);
    expect(info.runtimeHandler).to.include('runc');
  });

  for (const w of CRI_WEAKENINGS) {
    it(`${weakeningLabel(w.weakening)}: the checks naming its Docker twins that pass on ${referenceOf(w).name} fail, the others as there`, function () {
      const t = byName(nameOf(w));
      if (w.weakening.note === 'privileged') {
        const why = privilegedRefused(t);
        if (why) {
          process.stdout.write(`      skipped: ${why}\n`);
          this.skip();
        }
      }
      const refTarget = byName(referenceOf(w).name);
      const ref = statuses(refTarget);
      // Containerd 1.6 makes no cgroup namespace on a hybrid or v1 host: CAP_SYS_ADMIN then reaches the host's hierarchy.
      const twins = [...w.twins, ...(ref['cgroup.own-ns'] === 'pass' || !hasV1Hierarchy() ? [] : (w.withHostCgroupns ?? []))];
      const flip = [...new Set(twins.flatMap((x) => checksFlippedBy(x, CATALOGUE)))].filter((id) => ref[id] === 'pass' && !(id in (w.except ?? {})));
      expect(flip, `no check naming ${twins.map(weakeningLabel).join(' or ')} passes on ${refTarget.name}: this weakening shows nothing`).to.not.be.empty;
      for (const [id, why] of Object.entries(w.except ?? {})) process.stdout.write(`      not flipped here: ${id}: ${why}\n`);
      const want = Object.fromEntries(
        Object.entries(ref).map(([id, st]) => [id, expectedBeside(CATALOGUE.find((c) => c.id === id)!, st, flip, t.request, refTarget.request)]),
      );
      expect(statuses(t)).to.deep.equal(want);
    });
  }

  it('leaves no containerd, shim, pod sandbox, mount, bridge, cgroup or run directory behind', () => {
    const made = criDirs().filter((d) => !dirsBefore.includes(d));
    expect(made).to.deep.equal([]);
    expect(scanLeftovers()).to.deep.equal(already);
    expect(runDirsOf(process.pid)).to.deep.equal([]);
    expect(fs.existsSync('/run/containerd/runc/k8s.io'), "the shim's default runc root (a real node's) was used").to.equal(false);
  });

  it('Ctrl-C while the pods run leaves none of them, nor the containerd', async () => {
    const before = criDirs();
    let dir = '';
    const run = await interruptedRun('cri', () => {
      dir = criDirs().find((d) => !before.includes(d)) ?? '';
      return dir !== '' && fs.existsSync(path.join(dir, 'state', 'io.containerd.runtime.v2.task'));
    });
    expect(run.seen, 'no pod was ever seen').to.equal(true);
    expect(run.code, run.stderr).to.equal(130);
    expect(remnants(dir)).to.deep.equal([]);
    expect(runDirsOf(run.pid)).to.deep.equal([]);
  });

  it("clean stops a SIGKILLed run's containerd and removes its shims, sandboxes, mounts, bridge and cgroups", async () => {
    const before = criDirs();
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-cri-kill-'));
    try {
      const child = spawn(process.execPath, [CLI, 'run', '--runtime', 'cri', '--out', out], { stdio: 'ignore' });
      const exited = once(child, 'exit');
      let dir = '';
      for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
        dir = criDirs().find((d) => !before.includes(d)) ?? '';
        // Probe containers have started in two pods (their CRI logs exist): what a SIGKILL leaves to the reaper.
        if (dir && probeLogs(child.pid!).length >= 2) break;
      }
      child.kill('SIGKILL');
      await exited;
      expect(dir, 'no containerd of the run was seen').to.not.equal('');
      const left = remnants(dir);
      expect(left.length, 'a SIGKILL left nothing to reap: the test shows nothing').to.be.greaterThan(0);
      const runs = lockDeadRuns();
      releaseDeadRuns(runs);
      const entries: Resource[] = runs.flatMap((r) => r.entries.filter((e) => e.kind === 'cri' && e.dir === dir));
      expect(entries, "the killed run's journal names its containerd").to.have.length(1);
      // What the next run or `isoprobe clean` does: the drivers' share (cri's among it), then the host's (its sentinels).
      const { items } = await reapDeadRuns([cri], { shared: false, inUse: () => null, onlyWithEntries: true });
      const ours = items.find((i) => i.kind === cri.kind || i.kind.startsWith('cri'))!;
      process.stdout.write(`      left by the SIGKILL: ${left.length} (${left.slice(0, 4).join(', ')}…); clean: ${ours.found.join(', ')}\n`);
      expect(ours.remaining).to.deep.equal([]);
      expect(ours.found).to.include(`containerd of run ${path.basename(dir)} (${dir})`);
      expect(
        ours.found.filter((f) => f.startsWith('pod sandbox ')),
        'the live pod sandboxes were removed through CRI',
      ).to.not.be.empty;
      expect(remnants(dir)).to.deep.equal([]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("a named endpoint (a node of the user's): only its own pod sandboxes are made there, and removed with their cgroups", async () => {
    // The "node": a containerd of the test's own, which the run did not start and must not stop.
    const dir = path.join(CRI_ROOT, `endpoint-${process.pid}`);
    const refs = imageRefs(projectProbeFiles());
    const node = await startContainerd(dir, refs.pause, { bridge: `isopep${process.pid}`.slice(0, 15), subnet: '198.19.254.0/24' }, false);
    try {
      // Someone else's pod on that node, from the same pause image: it must be there after the run.
      await importImages(node.socket, projectProbeFiles(), refs, dir);
      const stranger = await node.client.runPodSandbox(
        {
          metadata: { name: 'stranger', uid: 'stranger', namespace: 'default' },
          linux: { securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } },
        },
        '',
      );
      const targets = parseTargetConfig({ targets: [{ name: 'node', runtime: 'cri', endpoint: `unix://${node.socket}` }] }, 'cri.test.ts');
      const res = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets, profile: 'baseline', grep: '^(pid|cross)\\.' });
      expect(errors(res.targets[0]!)).to.deep.equal([]);
      expect(res.targets[0]!.info.endpoint).to.equal(`unix://${node.socket}`);
      const left = await node.client.listPodSandbox({});
      expect(left.map((p) => p.id)).to.deep.equal([stranger]);
      expect(processesNaming(node.socket).length, "the node's containerd still runs").to.be.greaterThan(0);
      expect(fs.readdirSync('/sys/fs/cgroup/pids').filter((n) => n.startsWith('isoprobe-cri-'))).to.deep.equal([]);
    } finally {
      await node.client
        .listPodSandbox({})
        .then((all) => Promise.all(all.map((p) => removeSandbox(node.client, p.id))))
        .catch(() => {});
      node.client.close();
      await teardown({ dir, pid: node.pid, bridge: `isopep${process.pid}`.slice(0, 15) });
    }
  });
});
