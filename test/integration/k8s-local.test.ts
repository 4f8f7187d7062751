/**
 * `isoprobe k8s`, run locally: one node's generated targets.json, minus its `endpoint` (so the
 * cri target starts a containerd of its own, test/integration/cri.test.ts), run with the
 * observer's own command line (`run --config … --profile baseline`), then its results turned into
 * the observer's log record (`k8s --record`) and read back. Every subject ran, and what its Pod
 * object declares is what was delivered: read from the Pod itself here (not from fleet/translate),
 * and compared with the results' request, the observed posture and the conformance checks.
 * RuntimeClass runsc has no handler in isoprobe's containerd (targets/cri/containerd.ts): that
 * subject is then a target that could not run, in the results, and a skip here with the reason.
 * Needs root, containerd and runc.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { IPod } from 'kubernetes-models/v1';
import { REPO_ROOT } from '../../host/paths.js';
import { requireContainerd } from './requirements.js';
import type { RunResults, TargetResult } from '../../model/results.js';
import { DEFAULT_CAPS } from '../../model/spec.js';
import { decodeRecord, encodeRecord, MAX_RECORD_BYTES } from '../../fleet/log-record.js';

const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');
const SUBJECTS = ['default', 'restricted', 'runtimeclass-runc', 'runtimeclass-runsc'];

function cli(args: string[], timeoutMs: number) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What kubelet gives a Pod, read from the Pod as a reader of its YAML would: the settings the run must show delivered. */
function declared(pod: IPod) {
  const spec = pod.spec!;
  const c = spec.containers[0]!.securityContext ?? {};
  const p = spec.securityContext ?? {};
  const uid = c.runAsUser ?? p.runAsUser;
  const gid = c.runAsGroup ?? p.runAsGroup;
  const seccomp = (c.seccompProfile ?? p.seccompProfile)?.type;
  const drop = c.capabilities?.drop ?? [];
  return {
    'ns.pid': spec.hostPID ? 'host' : 'new',
    'ns.net': spec.hostNetwork ? 'host' : 'new',
    'ns.ipc': spec.hostIPC ? 'host' : 'new',
    // kubelet without --seccomp-default: a Pod naming no profile runs Unconfined.
    seccomp: seccomp === 'RuntimeDefault' ? 'default' : 'unconfined',
    noNewPrivs: c.allowPrivilegeEscalation === false,
    caps: { add: c.capabilities?.add ?? [], drop: drop.includes('ALL') ? [...DEFAULT_CAPS] : drop },
    user: uid === undefined ? undefined : { uid, gid: gid ?? 0 },
  };
}

describe('k8s: one node of a generated fleet, run locally through CRI', function () {
  this.timeout(600_000);
  let tmp: string;
  let node: string;
  let run: ReturnType<typeof cli>;
  let results: RunResults;
  let seconds: number;
  const target = (name: string): TargetResult => results.targets.find((t) => t.name === name)!;
  const pod = (key: string): IPod => JSON.parse(fs.readFileSync(path.join(node, 'subjects', `${key}.json`), 'utf8'));

  before(function () {
    requireContainerd(this);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-k8s-'));
    const gen = cli(['k8s', '--nodes', '1', '--runtime-class', 'runc,runsc', '--out', path.join(tmp, 'fleet')], 30_000);
    expect(gen.code, gen.stderr).to.equal(0);
    process.stdout.write(gen.stdout.replace(/^/gm, '    '));
    node = path.join(tmp, 'fleet', 'nodes', 'node-1');
    const generated = JSON.parse(fs.readFileSync(path.join(node, 'targets.json'), 'utf8')) as { targets: { endpoint?: string }[] };
    expect(generated.targets.map((t) => t.endpoint)).to.deep.equal(SUBJECTS.map(() => 'unix:///run/containerd/containerd.sock'));
    const local = { targets: generated.targets.map(({ endpoint: _, ...t }) => t) };
    fs.writeFileSync(path.join(tmp, 'targets.json'), JSON.stringify(local));
    const t0 = performance.now();
    run = cli(['run', '--config', path.join(tmp, 'targets.json'), '--profile', 'baseline', '--out', path.join(tmp, 'out')], 540_000);
    seconds = (performance.now() - t0) / 1000;
    results = JSON.parse(fs.readFileSync(path.join(tmp, 'out', 'results.json'), 'utf8'));
    const verdict = run.stdout.trimEnd().split('\n').at(-2) ?? '';
    process.stdout.write(`    run: exit ${run.code} in ${seconds.toFixed(1)} s; ${verdict}\n`);
  });

  after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

  it('ran as a run with a verdict (exit 0 or 1, never a usage or environment error), every subject a target of the results', () => {
    expect(run.code, run.stderr).to.be.oneOf([0, 1]);
    expect(results.targets.map((t) => t.name)).to.deep.equal(SUBJECTS);
  });

  for (const key of SUBJECTS) {
    it(`${key}: ran, and what its Pod declares is what was requested, delivered and conformant`, function () {
      const t = target(key);
      if (key === 'runtimeclass-runsc' && t.error) {
        // Not dropped: the results hold it as a target that could not run, with containerd's reason.
        expect(t.error).to.match(/RunPodSandbox: .*no runtime for "runsc" is configured/);
        process.stdout.write(`      skipped: ${t.error}\n`);
        this.skip();
      }
      expect(t.error, t.error).to.equal(undefined);
      const want = declared(pod(key));
      const r = t.request!;
      expect(r['ns.pid']?.value).to.equal(want['ns.pid']);
      expect(r['ns.net']?.value).to.equal(want['ns.net']);
      expect(r['ns.ipc']?.value).to.equal(want['ns.ipc']);
      expect(r.seccomp?.value).to.equal(want.seccomp);
      expect(r.noNewPrivs?.value).to.equal(want.noNewPrivs);
      expect(r.caps?.value).to.deep.equal(want.caps);
      expect(r.user?.value).to.deep.equal(want.user);
      const seen = t.posture!.observed;
      expect([seen.namespaces.pid, seen.namespaces.net, seen.namespaces.ipc]).to.deep.equal(
        [want['ns.pid'], want['ns.net'], want['ns.ipc']].map((v) => (v === 'host' ? 'inherited' : 'new')),
      );
      expect(seen.seccomp).to.equal(want.seccomp === 'default' ? 'filter' : 'disabled');
      expect(seen.noNewPrivs).to.equal(want.noNewPrivs);
      if (want.caps.drop.length === DEFAULT_CAPS.length) expect(seen.capabilities.effective).to.deep.equal([]);
      const status = (id: string) => t.checks.find((c) => c.id === id)?.status;
      for (const id of ['conformance.namespaces', 'conformance.capabilities', 'conformance.seccomp', 'conformance.no-new-privs'])
        expect(status(id), id).to.equal('pass');
      expect(status('conformance.user')).to.equal(want.user ? 'pass' : 'skip');
      // The sandbox is the Pod's: its name (with the run's nonce) and namespace went to the runtime.
      const sent = JSON.parse(t.info.podConfig!) as { metadata: { name: string; namespace: string } };
      expect(sent.metadata).to.deep.equal({ name: pod(key).metadata!.name, namespace: pod(key).metadata!.namespace });
    });
  }

  it('the RuntimeClass subjects asked for their handler', () => {
    expect(target('runtimeclass-runc').info.runtimeHandler).to.equal('runc');
    expect(target('default').info.runtimeHandler).to.equal('(default: runc)');
  });

  it("the observer's last step: k8s --record prints one line that reads back as these results; sizes measured", () => {
    const file = path.join(tmp, 'out', 'results.json');
    const rec = cli(['k8s', '--record', file], 30_000);
    expect(rec.code, rec.stderr).to.equal(0);
    expect(rec.stdout.split('\n')).to.have.length(2);
    const d = decodeRecord(rec.stdout);
    expect(d.status).to.equal('complete');
    expect((d as { results: unknown }).results).to.deep.equal(results);
    const bytes = fs.statSync(file).size;
    const line = encodeRecord({ results: fs.readFileSync(file, 'utf8') }).length;
    process.stdout.write(
      `      results.json ${bytes} bytes for ${results.targets.length} targets; record ${rec.stdout.length - 1} bytes (gzip+base64), ${((100 * line) / bytes).toFixed(1)} %, bound ${MAX_RECORD_BYTES}\n`,
    );
    expect(line).to.be.below(MAX_RECORD_BYTES);
    const missing = cli(['k8s', '--record', path.join(tmp, 'none.json')], 30_000);
    expect(decodeRecord(missing.stdout)).to.include({ status: 'missing' });
  });

  it("merge joins the node's results, as read back from its record, with a normal run into one matrix", () => {
    // What an operator does after the fleet ran: each observer's log line decoded to a file, then
    // merged with any other run (here the built-in runtime on this machine).
    const rec = decodeRecord(cli(['k8s', '--record', path.join(tmp, 'out', 'results.json')], 30_000).stdout);
    const nodeFile = path.join(tmp, 'node-1.json');
    fs.writeFileSync(nodeFile, JSON.stringify((rec as { results: unknown }).results));
    const local = cli(['run', '--runtime', 'builtin', '--profile', 'baseline', '--out', path.join(tmp, 'local'), '--quiet'], 120_000);
    expect(local.code, local.stderr).to.be.oneOf([0, 1]);
    const merged = cli(
      ['merge', '--as', `node-1=${nodeFile}`, '--as', `local=${path.join(tmp, 'local', 'results.json')}`, '--out', path.join(tmp, 'merged')],
      60_000,
    );
    process.stdout.write(merged.stdout.trimEnd().split('\n').slice(-3).join('\n').replace(/^/gm, '      ') + '\n');
    const m = JSON.parse(fs.readFileSync(path.join(tmp, 'merged', 'results.json'), 'utf8')) as RunResults;
    const names = [...SUBJECTS.map((s) => `node-1/${s}`), 'local/builtin'];
    expect(m.targets.map((t) => t.name)).to.deep.equal(names);
    // Nothing lost or changed on the way: each target's checks are its own run's.
    const own = JSON.parse(fs.readFileSync(path.join(tmp, 'local', 'results.json'), 'utf8')) as RunResults;
    const statuses = (t: TargetResult) => t.checks.map((c) => `${c.id}=${c.status}`);
    expect(statuses(m.targets.at(-1)!)).to.deep.equal(statuses(own.targets[0]!));
    for (const s of SUBJECTS) expect(statuses(m.targets.find((t) => t.name === `node-1/${s}`)!)).to.deep.equal(statuses(target(s)));
    // One matrix: every target a column of the same table, one exit code for them all.
    const html = fs.readFileSync(path.join(tmp, 'merged', 'matrix.html'), 'utf8');
    for (const n of names) expect(html, n).to.include(`>${n}<`);
    const anyFailed = [results, own].some((r) => r.summary?.exitCode !== 0);
    expect(merged.code, merged.stderr).to.equal(anyFailed ? 1 : 0);
  });
});
