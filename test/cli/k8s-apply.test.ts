/**
 * `isoprobe k8s --apply` as a user runs it, against the fake API server (test/support/fake-kube.ts)
 * on the loopback through a kubeconfig file: the nodes' results merged into one report exactly as
 * `isoprobe merge` merges the same files, a node without results a target that could not run, the
 * namespace deleted after SIGINT (130) and SIGTERM (143), and an unreachable server one line.
 * The records are real: encodeRecord over a real run's results (test/fixtures/merge/).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../host/paths.js';
import { encodeRecord } from '../../fleet/log-record.js';
import { FakeKube, type ObserverScript } from '../support/fake-kube.js';
import { CLI } from './bad-input-cases.js';

const RESULTS = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/merge/results-share-pid.json'), 'utf8');
const TARGETS = (JSON.parse(RESULTS) as { targets: { name: string }[] }).targets.map((t) => t.name);
const withRecord: ObserverScript = {
  kind: 'end',
  exitCode: 1,
  log: ({ run, node }) => `[1/1] builtin-share-pid (builtin) ran in 0.4 s\n${encodeRecord({ node, run, results: RESULTS })}\n`,
};

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a child (asynchronous: the fake answers from this process's event loop). */
function isoprobe(args: string[], onStart?: (child: ChildProcess) => void): Promise<Outcome> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  onStart?.(child);
  return new Promise((resolve, reject) => child.on('error', reject).on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('isoprobe k8s --apply (against a fake API server)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-k8s-apply-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function fake(name: string, observers: Record<string, ObserverScript>): Promise<{ kube: FakeKube; config: string; out: string }> {
    const kube = await FakeKube.start({ observers });
    const config = path.join(dir, `${name}.kubeconfig`);
    fs.writeFileSync(config, kube.kubeconfig());
    return { kube, config, out: path.join(dir, name) };
  }
  const argv = (config: string, out: string, nodes = 'node-a,node-b') => [
    'k8s',
    '--apply',
    '--nodes',
    nodes,
    '--runtime-class',
    'runc',
    '--kubeconfig',
    config,
    '--out',
    out,
    '--format',
    'json,junit',
  ];

  describe('two nodes, both with results', () => {
    let kube: FakeKube;
    let out: string;
    let r: Outcome;
    before(async () => {
      const f = await fake('two', { 'node-a': withRecord, 'node-b': withRecord });
      ({ kube, out } = f);
      r = await isoprobe(argv(f.config, out));
      await kube.stop();
    });

    it('reports the nodes as one run whose targets are <node>/<target>, and exits as the results say', () => {
      expect(r.stderr).to.match(/^isoprobe: fleet run [0-9a-f]{8}: 2 node\(s\) through http:\/\/127\.0\.0\.1:\d+, files in /);
      expect(r.stderr).to.include('[1/2] node-a: observer created').and.include('[2/2] node-b: results in ');
      const merged = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
      expect(merged.targets.map((t: { name: string }) => t.name)).to.deep.equal([...TARGETS.map((t) => `node-a/${t}`), ...TARGETS.map((t) => `node-b/${t}`)]);
      expect(r.code, r.stderr).to.equal(merged.summary.exitCode);
      expect(r.stdout).to.include(`reports written to ${out}/ (results.json, junit.xml)`);
      expect(fs.existsSync(path.join(out, 'junit.xml'))).to.equal(true);
    });

    it('writes the plan and each node results beside it; merging those files gives the same report', () => {
      for (const f of ['fleet.json', 'manifests/00-namespace.json', 'client/clusterrole.json', 'nodes/node-a/observer.json'])
        expect(fs.existsSync(path.join(out, f)), f).to.equal(true);
      expect(JSON.parse(fs.readFileSync(path.join(out, 'nodes/node-b/results.json'), 'utf8'))).to.deep.equal(JSON.parse(RESULTS));
      const again = path.join(dir, 'two-merged');
      const m = spawnSync(
        process.execPath,
        [
          CLI,
          'merge',
          '--format',
          'json',
          '--out',
          again,
          ...['node-a', 'node-b'].flatMap((n) => ['--as', `${n}=${path.join(out, 'nodes', n, 'results.json')}`]),
        ],
        { encoding: 'utf8' },
      );
      expect(m.status).to.equal(r.code);
      expect(JSON.parse(fs.readFileSync(path.join(again, 'results.json'), 'utf8'))).to.deep.equal(
        JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')),
      );
    });

    it('looked for expired runs, created the namespace first and deleted it last', () => {
      const plan = JSON.parse(fs.readFileSync(path.join(out, 'fleet.json'), 'utf8'));
      expect(kube.requests[0]).to.deep.include({ method: 'GET', path: '/api/v1/namespaces' });
      expect(kube.requests[1]).to.deep.include({ method: 'POST', path: '/api/v1/namespaces' });
      expect(kube.requests.at(-1)).to.deep.include({ method: 'DELETE', path: `/api/v1/namespaces/${plan.namespace}` });
      expect(kube.seen('POST', /\/jobs$/)).to.have.length(2);
    });
  });

  it('a node whose observer left no record is a target <node>/(machine) that could not run; exit 1', async () => {
    const { kube, config, out } = await fake('lost', { 'node-a': withRecord, 'node-b': { kind: 'end', log: 'Killed\n', exitCode: 137 } });
    const r = await isoprobe(argv(config, out));
    await kube.stop();
    expect(r.code, r.stderr).to.equal(1);
    const merged = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
    const lost = merged.targets.at(-1);
    expect(lost.name).to.equal('node-b/(machine)');
    expect(lost.error).to.match(
      /^node-b: no results from the observer Pod isoprobe-[0-9a-f]{8}-0002-x7k2p \(Failed, exit 137 Error\): the log's last line is not/,
    );
    expect(r.stdout).to.include('1 target could not run');
    expect(fs.existsSync(path.join(out, 'nodes/node-b/results.json'))).to.equal(false);
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} mid-run: the namespace is deleted, exit ${code}`, async () => {
      const { kube, config, out } = await fake(signal, { 'node-a': { kind: 'hang' } });
      const r = await isoprobe(argv(config, out, 'node-a'), (child) => {
        void until('the observer Job created', () => kube.seen('POST', /\/jobs$/).length > 0).then(() => child.kill(signal));
      });
      await kube.stop();
      expect([r.code, r.signal], r.stderr).to.deep.equal([code, null]);
      expect(r.stderr).to.include(`isoprobe: ${signal}, cleaning up`);
      expect(r.stderr).to.not.match(/internal error|cleanup failed/);
      const ns = JSON.parse(fs.readFileSync(path.join(out, 'fleet.json'), 'utf8')).namespace;
      expect(kube.seen('DELETE', new RegExp(`^/api/v1/namespaces/${ns}$`))).to.have.length(1);
      expect(fs.existsSync(path.join(out, 'results.json'))).to.equal(false);
    });
  }

  it("a SIGKILLed client's namespace stays with its bound; a run within that bound leaves it, the next run past it deletes it", async () => {
    const { kube, config, out } = await fake('sigkill', { 'node-a': { kind: 'hang' }, 'node-b': withRecord });
    const killed = await isoprobe(argv(config, `${out}-1`, 'node-a'), (child) => {
      void until('the observer Job created', () => kube.seen('POST', /\/jobs$/).length > 0).then(() => child.kill('SIGKILL'));
    });
    expect(killed.signal).to.equal('SIGKILL');
    const [left] = kube.namespaceObjects();
    const expires = left!.metadata.annotations!['isoprobe.expires']!;
    expect(Date.parse(expires) - Date.now(), expires).to.be.above(60_000);

    const within = await isoprobe(argv(config, `${out}-2`, 'node-b'));
    expect(within.code, within.stderr).to.equal(1);
    expect(kube.namespaceObjects().map((n) => n.metadata.name)).to.deep.equal([left!.metadata.name]);
    expect(within.stderr).to.not.include('earlier run');

    left!.metadata.annotations!['isoprobe.expires'] = new Date(Date.now() - 1000).toISOString();
    const past = await isoprobe(argv(config, `${out}-3`, 'node-b'));
    await kube.stop();
    expect(past.code, past.stderr).to.equal(1);
    expect(kube.namespaceObjects()).to.deep.equal([]);
    expect(past.stderr).to.include(`isoprobe: deleted namespace ${left!.metadata.name} of an earlier run, expired at `);
  });

  it('an API server that is not there: one line naming it, exit 2', async () => {
    const { kube, config, out } = await fake('unreachable', {});
    const url = kube.url;
    await kube.stop();
    const r = await isoprobe(argv(config, out));
    expect(r.code).to.equal(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).to.equal(`isoprobe: cannot reach the Kubernetes API server at ${url} (list namespaces): connection refused`);
    expect(lines.filter((l) => !l.startsWith('isoprobe: fleet run '))).to.have.length(1);
  });
});
