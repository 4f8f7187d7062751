/**
 * `k8s --apply`'s orchestration (fleet/apply.ts) over an in-memory KubeApi: the order of the
 * calls, the parallelism bound, the bounds on time, every node back as results or as an error
 * "<node>: …", and the namespace deleted at the end, on error and on a signal. The records are
 * real: encodeRecord over a real run's results.json (test/fixtures/merge/results-share-pid.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../host/paths.js';
import { applyBounds, applyFleet, ApplyInterrupted, MAX_POLL_FAILURES, type ApplyBounds, type NodeOutcome } from '../../fleet/apply.js';
import type { JobState, KubeApi, KubeObject, NamespaceState, PodState } from '../../fleet/kube-api.js';
import { EXPIRES_ANNOTATION, NODE_ANNOTATION } from '../../fleet/labels.js';
import { encodeRecord } from '../../fleet/log-record.js';
import { fleetFiles, type FleetFile } from '../../fleet/plan.js';
import { EnvError } from '../../model/errors.js';
import { FLEET } from './fleet-input.js';

const RESULTS = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/merge/results-share-pid.json'), 'utf8');
const NONCE = FLEET.nonce;
const NS = FLEET.namespace;

type Script = { kind: 'end'; log: string; afterMs?: number; failed?: boolean } | { kind: 'hang' } | { kind: 'no-pod'; afterMs?: number };

/** A cluster in memory: each node's observer does what its script says; every call is logged. */
class MemoryKube implements KubeApi {
  readonly server = 'https://memory.test:6443';
  readonly calls: string[] = [];
  maxRunning = 0;
  private readonly jobs = new Map<string, { node: string; index: string; createdAt: number; script: Script }>();
  fail: Partial<Record<'createJob' | 'listJobs' | 'createNamespace' | 'listNamespaces', Error>> = {};
  /** Namespaces of other runs, as listed by label; the ones created are kept in `created`. */
  namespaces: NamespaceState[] = [];
  readonly created: KubeObject[] = [];

  constructor(private readonly scripts: Record<string, Script>) {}

  private ended(j: { createdAt: number; script: Script }): boolean {
    return j.script.kind !== 'hang' && Date.now() - j.createdAt >= (j.script.afterMs ?? 0);
  }

  async create(o: KubeObject): Promise<void> {
    this.calls.push(`create ${o.kind} ${o.metadata!.name}`);
    this.created.push(o);
    if (o.kind === 'Namespace' && this.fail.createNamespace) throw this.fail.createNamespace;
    if (o.kind !== 'Job') return;
    if (this.fail.createJob) throw this.fail.createJob;
    const node = o.metadata!.annotations![NODE_ANNOTATION]!;
    this.jobs.set(o.metadata!.name!, {
      node,
      index: o.metadata!.labels!['isoprobe.node-index']!,
      createdAt: Date.now(),
      script: this.scripts[node] ?? { kind: 'hang' },
    });
    this.maxRunning = Math.max(this.maxRunning, [...this.jobs.values()].filter((j) => !this.ended(j)).length);
  }

  async listJobs(namespace: string, selector: string): Promise<JobState[]> {
    this.calls.push(`list jobs ${selector}`);
    expect(namespace).to.equal(NS);
    if (this.fail.listJobs) throw this.fail.listJobs;
    const indexes = selector.match(/isoprobe\.node-index in \(([^)]*)\)/)![1]!.split(',');
    return [...this.jobs.entries()]
      .filter(([, j]) => indexes.includes(j.index))
      .map(([name, j]) => {
        const end = this.ended(j);
        const failed = j.script.kind === 'end' && j.script.failed === true;
        return {
          name,
          labels: { 'isoprobe.node-index': j.index },
          active: end ? 0 : 1,
          succeeded: end && !failed ? 1 : 0,
          failed: end && failed ? 1 : 0,
          conditions: end ? [{ type: failed ? 'Failed' : 'Complete', status: 'True', ...(failed ? { reason: 'BackoffLimitExceeded' } : {}) }] : [],
        };
      });
  }

  async listPods(_namespace: string, selector: string): Promise<PodState[]> {
    this.calls.push(`list pods ${selector}`);
    const index = selector.match(/isoprobe\.node-index=(\d+)/)![1];
    return [...this.jobs.entries()]
      .filter(([, j]) => j.index === index && j.script.kind !== 'no-pod')
      .map(([name, j]) => ({ name: `${name}-pod`, labels: {}, phase: this.ended(j) ? 'Succeeded' : 'Running' }));
  }

  async readPodLog(_namespace: string, pod: string, container: string, tailLines: number): Promise<string> {
    this.calls.push(`log ${pod} ${container} ${tailLines}`);
    const j = this.jobs.get(pod.replace(/-pod$/, ''))!;
    return j.script.kind === 'end' ? j.script.log : '';
  }

  async deleteJob(_namespace: string, name: string): Promise<void> {
    this.calls.push(`delete job ${name}`);
    this.jobs.delete(name);
  }

  async listNamespaces(selector: string): Promise<NamespaceState[]> {
    this.calls.push(`list namespaces ${selector}`);
    if (this.fail.listNamespaces) throw this.fail.listNamespaces;
    return this.namespaces;
  }

  async deleteNamespace(name: string): Promise<void> {
    this.calls.push(`delete namespace ${name}`);
  }
}

const NODES = ['node-a', 'node-b', 'node-c', 'node-d', 'node-e'];
const plan = (nodes: string[], parallelism: number): FleetFile[] => fleetFiles({ ...FLEET, nodes, placeholders: false, parallelism });
const FAST: ApplyBounds = { pollMs: 5, nodeMs: 5_000, totalMs: 20_000 };
const record = (node: string, extra = '') => `[1/4] default (cri) ran in 3.1 s\n${extra}${encodeRecord({ node, run: NONCE, results: RESULTS })}\n`;
const ok = (node: string, afterMs = 0): Script => ({ kind: 'end', log: record(node), afterMs });
const errorOf = (o: NodeOutcome | undefined) => (o && 'error' in o ? o.error : `no error: ${JSON.stringify(o && Object.keys(o))}`);

describe('fleet/apply: a plan run over the Kubernetes API', () => {
  it('creates the namespace and manifests first, then the observers in order, and deletes the namespace last', async () => {
    const api = new MemoryKube({ 'node-a': ok('node-a'), 'node-b': ok('node-b') });
    const { nodes, cleanupFailures } = await applyFleet({ api, files: plan(['node-a', 'node-b'], 2), bounds: FAST });
    expect(api.calls.slice(0, 6)).to.deep.equal([
      'list namespaces app.kubernetes.io/managed-by=isoprobe,isoprobe.run',
      `create Namespace ${NS}`,
      `create ServiceAccount isoprobe-${NONCE}-observer`,
      `create ConfigMap isoprobe-${NONCE}-targets`,
      `create Job isoprobe-${NONCE}-0001`,
      `create Job isoprobe-${NONCE}-0002`,
    ]);
    expect(api.calls.at(-1)).to.equal(`delete namespace ${NS}`);
    expect(api.calls.filter((c) => c.startsWith('delete namespace'))).to.have.length(1);
    expect(api.calls).to.include(`list jobs isoprobe.run=${NONCE},isoprobe.role=observer,isoprobe.node-index in (1,2)`);
    expect(api.calls).to.include(`list pods isoprobe.run=${NONCE},isoprobe.role=observer,isoprobe.node-index=2`);
    expect(api.calls).to.include(`log isoprobe-${NONCE}-0001-pod observer 5`);
    expect(cleanupFailures).to.deep.equal([]);
    expect(nodes.map((n) => [n.node, n.index, 'results' in n])).to.deep.equal([
      ['node-a', 1, true],
      ['node-b', 2, true],
    ]);
    expect((nodes[0] as { results: unknown }).results).to.deep.equal(JSON.parse(RESULTS));
  });

  it('a failed Job with a record is results (checks failed is a result, not an error of the node)', async () => {
    const api = new MemoryKube({ 'node-a': { kind: 'end', log: record('node-a'), failed: true } });
    const { nodes } = await applyFleet({ api, files: plan(['node-a'], 1), bounds: FAST });
    expect(nodes[0]).to.have.property('results');
  });

  it('never has more than --parallelism observers unfinished, and starts the next when one ends', async () => {
    const api = new MemoryKube(Object.fromEntries(NODES.map((n, i) => [n, ok(n, 20 + 10 * i)])));
    const events: string[] = [];
    const { nodes } = await applyFleet({
      api,
      files: plan(NODES, 2),
      bounds: FAST,
      onEvent: (e) => (e.kind === 'created' ? events.push(`+${e.node}`) : e.kind === 'done' && events.push(`-${e.outcome.node}`)),
    });
    expect(api.maxRunning).to.equal(2);
    let running = 0;
    for (const e of events) {
      running += e.startsWith('+') ? 1 : -1;
      expect(running, events.join(' ')).to.be.within(0, 2);
    }
    expect(events.filter((e) => e.startsWith('+'))).to.deep.equal(NODES.map((n) => `+${n}`));
    expect(nodes.map((n) => n.node)).to.deep.equal(NODES);
    expect(nodes.every((n) => 'results' in n)).to.equal(true);
  });

  it('an observer past its bound is an error "<node>: …" and its Job is deleted; the others still report', async () => {
    const api = new MemoryKube({ 'node-a': ok('node-a'), 'node-b': { kind: 'hang' } });
    const { nodes } = await applyFleet({ api, files: plan(['node-a', 'node-b'], 2), bounds: { ...FAST, nodeMs: 80 } });
    expect(nodes[0]).to.have.property('results');
    expect(errorOf(nodes[1])).to.equal('node-b: the observer did not finish within 0.1 s (its Pod still running; its Job deleted)');
    expect(api.calls).to.include(`delete job isoprobe-${NONCE}-0002`);
    expect(api.calls.at(-1)).to.equal(`delete namespace ${NS}`);
  });

  describe('a node without results is an error naming it, never dropped', () => {
    const cases: [string, Script, string | RegExp][] = [
      [
        'a log without a record',
        { kind: 'end', log: 'isoprobe: internal error\n', failed: true },
        `node-a: no results from the observer Pod isoprobe-${NONCE}-0001-pod (Succeeded): the log's last line is not an isoprobe results record`,
      ],
      [
        'an observer that said it had none',
        {
          kind: 'end',
          log: `${encodeRecord({ node: 'node-a', run: NONCE, results: null, reason: 'no results at /tmp/isoprobe-out/results.json (ENOENT)' })}\n`,
        },
        'node-a: the observer wrote no results (Succeeded): no results at /tmp/isoprobe-out/results.json (ENOENT)',
      ],
      [
        'a truncated record',
        { kind: 'end', log: `${encodeRecord({ node: 'node-a', run: NONCE, results: RESULTS }, 2_000)}\n` },
        /^node-a: the results did not fit in the log record \(the results record would be \d+ bytes, over the 2000 a record may have\); only their summary came back$/,
      ],
      [
        'a damaged record',
        { kind: 'end', log: `${encodeRecord({ node: 'node-a', run: NONCE, results: RESULTS }).replace(/"data":"..../, '"data":"AAAA')}\n` },
        /^node-a: no results from the observer Pod \S+ \(Succeeded\): the data (does not inflate|is \d+ bytes whose sha256)/,
      ],
      [
        "another run's record",
        { kind: 'end', log: `${encodeRecord({ node: 'node-a', run: 'ffffffff', results: RESULTS })}\n` },
        `node-a: the record in isoprobe-${NONCE}-0001-pod's log is of run ffffffff, not ${NONCE}`,
      ],
      ['a Job that ended without a Pod', { kind: 'no-pod' }, 'node-a: the observer Job ended without a Pod (Job Complete)'],
    ];
    for (const [what, script, message] of cases) {
      it(what, async () => {
        const api = new MemoryKube({ 'node-a': script, 'node-b': ok('node-b') });
        const { nodes } = await applyFleet({ api, files: plan(['node-a', 'node-b'], 1), bounds: FAST });
        expect(nodes.map((n) => n.node)).to.deep.equal(['node-a', 'node-b']);
        if (typeof message === 'string') expect(errorOf(nodes[0])).to.equal(message);
        else expect(errorOf(nodes[0])).to.match(message);
        expect(nodes[1]).to.have.property('results');
        expect(api.calls.at(-1)).to.equal(`delete namespace ${NS}`);
      });
    }
  });

  it("on an error the namespace is deleted and the error is the run's", async () => {
    const api = new MemoryKube({});
    api.fail.createJob = new EnvError('the Kubernetes API server at https://memory.test:6443 forbids create on jobs');
    const err = await applyFleet({ api, files: plan(['node-a'], 1), bounds: FAST }).catch((e: Error) => e);
    expect(err).to.equal(api.fail.createJob);
    expect(api.calls.at(-1)).to.equal(`delete namespace ${NS}`);
  });

  it(`a poll that keeps failing ends the run after ${MAX_POLL_FAILURES} tries, the namespace deleted`, async () => {
    const api = new MemoryKube({ 'node-a': { kind: 'hang' } });
    api.fail.listJobs = new EnvError('cannot reach the Kubernetes API server at https://memory.test:6443 (list jobs): connection refused');
    const err = await applyFleet({ api, files: plan(['node-a'], 1), bounds: FAST }).catch((e: Error) => e);
    expect(err).to.equal(api.fail.listJobs);
    expect(api.calls.filter((c) => c.startsWith('list jobs'))).to.have.length(MAX_POLL_FAILURES);
    expect(api.calls.at(-1)).to.equal(`delete namespace ${NS}`);
  });

  it('a namespace that could not be made is not deleted (it may be someone else’s)', async () => {
    const api = new MemoryKube({});
    api.fail.createNamespace = new EnvError('… refused to create namespaces: it exists already (409)');
    const err = await applyFleet({ api, files: plan(['node-a'], 1), bounds: FAST }).catch((e: Error) => e);
    expect(err).to.equal(api.fail.createNamespace);
    expect(api.calls.filter((c) => !c.startsWith('list namespaces'))).to.deep.equal([`create Namespace ${NS}`]);
  });

  describe("an earlier run's namespace left by a SIGKILLed client", () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const others: NamespaceState[] = [
      { name: 'isoprobe-expired', annotations: { [EXPIRES_ANNOTATION]: past }, phase: 'Active' },
      { name: 'isoprobe-running', annotations: { [EXPIRES_ANNOTATION]: future }, phase: 'Active' },
      { name: 'isoprobe-by-kubectl', annotations: {}, phase: 'Active' },
      { name: 'isoprobe-garbled', annotations: { [EXPIRES_ANNOTATION]: 'soon' }, phase: 'Active' },
      { name: 'isoprobe-going', annotations: { [EXPIRES_ANNOTATION]: past }, phase: 'Terminating' },
    ];

    it('is deleted before the run makes its own, when its bound has passed; a run within its bound, or not made by --apply, is not', async () => {
      const api = new MemoryKube({ 'node-a': ok('node-a') });
      api.namespaces = others;
      const events: string[] = [];
      await applyFleet({ api, files: plan(['node-a'], 1), bounds: FAST, onEvent: (e) => e.kind === 'reaped' && events.push(`${e.namespace} ${e.expired}`) });
      expect(api.calls.slice(0, 3)).to.deep.equal([
        'list namespaces app.kubernetes.io/managed-by=isoprobe,isoprobe.run',
        'delete namespace isoprobe-expired',
        `create Namespace ${NS}`,
      ]);
      expect(api.calls.filter((c) => c.startsWith('delete namespace'))).to.deep.equal(['delete namespace isoprobe-expired', `delete namespace ${NS}`]);
      expect(events).to.deep.equal([`isoprobe-expired ${past}`]);
    });

    it("the run's own namespace carries its bound, the moment the run's own deadline passes", async () => {
      const api = new MemoryKube({ 'node-a': ok('node-a') });
      const before = Date.now();
      await applyFleet({ api, files: plan(['node-a'], 1), bounds: FAST });
      const ns = api.created.find((o) => o.kind === 'Namespace')!;
      const at = Date.parse(ns.metadata!.annotations![EXPIRES_ANNOTATION]!);
      expect(at).to.be.within(before + FAST.totalMs, Date.now() + FAST.totalMs);
      // The rest of the plan's namespace as written (labels, Pod Security) is unchanged.
      const written = plan(['node-a'], 1).find((f) => f.path === 'manifests/00-namespace.json')!.json as KubeObject;
      expect(ns.metadata!.labels).to.deep.equal(written.metadata!.labels);
    });

    it('a listing that fails (the old ClusterRole, without list) is a warning, and the run goes on', async () => {
      const api = new MemoryKube({ 'node-a': ok('node-a') });
      api.fail.listNamespaces = Object.assign(new EnvError('… forbids list on namespaces (403)'), { status: 403 });
      const warnings: string[] = [];
      const { nodes } = await applyFleet({ api, files: plan(['node-a'], 1), bounds: FAST, onEvent: (e) => e.kind === 'reap-failed' && warnings.push(e.why) });
      expect(warnings).to.deep.equal(['… forbids list on namespaces (403)']);
      expect(nodes[0]).to.have.property('results');
    });

    it('a listing that fails otherwise (the server gone) is the run’s error, before anything is made', async () => {
      const api = new MemoryKube({});
      api.fail.listNamespaces = new EnvError('cannot reach the Kubernetes API server at … (list namespaces): connection refused');
      const err = await applyFleet({ api, files: plan(['node-a'], 1), bounds: FAST }).catch((e: Error) => e);
      expect(err).to.equal(api.fail.listNamespaces);
      expect(api.calls).to.deep.equal(['list namespaces app.kubernetes.io/managed-by=isoprobe,isoprobe.run']);
    });
  });

  it('a signal stops the run between calls, through the registered undo, which runs once', async () => {
    const api = new MemoryKube({ 'node-a': { kind: 'hang' } });
    const stop = new AbortController();
    const registered: string[] = [];
    let runs = 0;
    const run = applyFleet({
      api,
      files: plan(['node-a'], 1),
      bounds: FAST,
      signal: stop.signal,
      register: (label, undo) => {
        registered.push(label);
        return () => {
          runs++;
          return undo();
        };
      },
      onEvent: (e) => e.kind === 'created' && setTimeout(() => stop.abort(), 20),
    });
    const err = await run.catch((e: Error) => e);
    expect(err).to.be.instanceOf(ApplyInterrupted);
    expect(registered).to.deep.equal([`delete namespace ${NS}`]);
    expect(runs).to.equal(1);
    expect(api.calls.at(-1)).to.equal(`delete namespace ${NS}`);
  });

  it("past the run's bound, the unfinished and the unstarted nodes are errors", async () => {
    const api = new MemoryKube({ 'node-a': { kind: 'hang' }, 'node-b': ok('node-b') });
    const { nodes } = await applyFleet({ api, files: plan(['node-a', 'node-b'], 1), bounds: { pollMs: 5, nodeMs: 10_000, totalMs: 60 } });
    expect(nodes.map(errorOf)).to.deep.equal([
      "node-a: the observer had not finished when the run's bound of 0.1 s passed",
      "node-b: not started: the run's bound of 0.1 s passed first",
    ]);
    expect(api.calls.at(-1)).to.equal(`delete namespace ${NS}`);
  });

  it('bounds: each node its deadline, the grace of its cleanup and slack; the run as many waves as P allows', () => {
    expect(applyBounds(600, 25, 10)).to.deep.equal({ pollMs: 2000, nodeMs: 720_000, totalMs: 3 * 720_000 + 120_000 });
    expect(applyBounds(60, 2, 10).totalMs).to.equal(180_000 + 120_000);
  });
});
