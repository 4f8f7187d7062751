/**
 * fleet/kube-client.ts against the fake API server (test/support/fake-kube.ts) over HTTP on the
 * loopback: the plan's objects arrive as written (client-node serialises them field by field, so a
 * dropped field would show here), the answers come back as KubeApi's states, and every failure is
 * one line naming the server and the call.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { kubeClient } from '../../fleet/kube-client.js';
import { clientClusterRole, type KubeObject } from '../../fleet/kube-api.js';
import { fleetFiles, type FleetPlan } from '../../fleet/plan.js';
import { EnvError } from '../../model/errors.js';
import { FakeKube, type SeenRequest } from '../support/fake-kube.js';
import { FLEET } from './fleet-input.js';

const files = fleetFiles({ ...FLEET, nodes: ['node-a'], placeholders: false });
const object = (p: string) => files.find((f) => f.path === p)!.json as KubeObject;
const NS = FLEET.namespace;

/** The RBAC verb and group/resource a request needs, as the API server's authorizer sees it. */
function rbacOf(r: SeenRequest): string {
  const parts = r.path.split('/').filter(Boolean);
  const named = parts[0] === 'apis';
  const group = named ? parts[1]! : '';
  // namespaces[/NS[/RESOURCE[/NAME[/SUBRESOURCE]]]]
  const [, ns, res, name, sub] = parts.slice(named ? 3 : 2);
  const resource = res ? `${res}${sub ? `/${sub}` : ''}` : 'namespaces';
  const one = res ? name !== undefined : ns !== undefined;
  const verb = r.method === 'POST' ? 'create' : r.method === 'DELETE' ? 'delete' : one ? 'get' : 'list';
  return `${verb} ${group}/${resource}`;
}

async function failure(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => expect.fail('expected an error'),
    (x: Error) => x,
  );
  expect(e).to.be.instanceOf(EnvError);
  expect(e.message).to.not.include('\n');
  return e.message;
}

describe('fleet/kube-client: KubeApi over @kubernetes/client-node', () => {
  let dir: string;
  let fake: FakeKube;
  let config: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-kube-client-'));
    fake = await FakeKube.start({
      observers: { 'node-a': { kind: 'end', log: 'one\ntwo\nthree\n', exitCode: 1 } },
      forbid: (r) => r.method === 'POST' && r.path.endsWith('/configmaps') && r.path.includes('/forbidden/'),
    });
    config = path.join(dir, 'kubeconfig');
    fs.writeFileSync(config, fake.kubeconfig());
  });
  after(async () => {
    await fake.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the plan objects as they are written, then lists, reads the log and deletes', async () => {
    const api = kubeClient(config);
    expect(api.server).to.equal(fake.url);
    for (const p of [...(files.find((f) => f.kind === 'plan')!.json as FleetPlan).apply, 'nodes/node-a/observer.json']) await api.create(object(p));
    const posts = fake.seen('POST', /./);
    expect(posts.map((r) => r.path)).to.deep.equal([
      '/api/v1/namespaces',
      `/api/v1/namespaces/${NS}/serviceaccounts`,
      `/api/v1/namespaces/${NS}/configmaps`,
      `/apis/batch/v1/namespaces/${NS}/jobs`,
    ]);
    expect(posts[3]!.body).to.deep.equal(object('nodes/node-a/observer.json'));
    expect(posts[2]!.body).to.deep.equal(object('manifests/02-targets.json'));
    expect(posts[0]!.body).to.deep.equal(object('manifests/00-namespace.json'));

    const jobs = await api.listJobs(NS, `isoprobe.run=${FLEET.nonce},isoprobe.node-index in (1,7)`);
    expect(jobs.map((j) => [j.name, j.failed, j.conditions[0]?.type, j.conditions[0]?.reason])).to.deep.equal([
      [`isoprobe-${FLEET.nonce}-0001`, 1, 'Failed', 'BackoffLimitExceeded'],
    ]);
    expect(await api.listJobs(NS, 'isoprobe.node-index in (2)')).to.deep.equal([]);
    const pods = await api.listPods(NS, 'isoprobe.node-index=1');
    expect(pods).to.have.length(1);
    expect(pods[0]).to.deep.include({ phase: 'Failed', container: { terminated: { exitCode: 1, reason: 'Error' } } });
    expect(pods[0]!.created).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(await api.readPodLog(NS, pods[0]!.name, 'observer', 2)).to.equal('two\nthree\n');
    expect(fake.seen('GET', /\/log$/)[0]!.query).to.deep.include({ container: 'observer', tailLines: '2' });
    expect(await api.listNamespaces('app.kubernetes.io/managed-by=isoprobe,isoprobe.run')).to.deep.equal([
      { name: NS, annotations: object('manifests/00-namespace.json').metadata!.annotations ?? {}, phase: 'Active' },
    ]);
    expect(fake.seen('GET', /^\/api\/v1\/namespaces$/)[0]!.query.labelSelector).to.equal('app.kubernetes.io/managed-by=isoprobe,isoprobe.run');
    expect(await api.listNamespaces('isoprobe.run=someone-else')).to.deep.equal([]);
    await api.deleteJob(NS, `isoprobe-${FLEET.nonce}-0001`);
    await api.deleteJob(NS, `isoprobe-${FLEET.nonce}-0001`); // gone already: not an error
    await api.deleteNamespace(NS);
    await api.deleteNamespace(NS);
    expect(fake.seen('DELETE', /./).map((r) => r.query.propagationPolicy)).to.deep.equal(['Background', 'Background', 'Background', 'Background']);

    // Every call made is one the client's ClusterRole grants, and every rule it has is used: minimal.
    const asked = new Set(fake.requests.map(rbacOf));
    const granted = new Set(
      clientClusterRole().rules!.flatMap((r) => r.apiGroups!.flatMap((g) => r.resources!.flatMap((res) => r.verbs.map((v) => `${v} ${g}/${res}`)))),
    );
    expect([...asked].sort()).to.deep.equal([...granted].sort());
  });

  it('409: an object that exists already, named', async () => {
    const api = kubeClient(config);
    const ns = { ...object('manifests/00-namespace.json'), metadata: { name: 'twice' } } as KubeObject;
    await api.create(ns);
    expect(await failure(api.create(ns))).to.equal(
      `the Kubernetes API server at ${fake.url} refused to create namespaces: it exists already (409: namespaces "twice" already exists)`,
    );
  });

  it('403: the verb, the resource and the ClusterRole that grants them', async () => {
    const api = kubeClient(config);
    const cm = { ...object('manifests/02-targets.json'), metadata: { name: 'x', namespace: 'forbidden' } } as KubeObject;
    expect(await failure(api.create(cm))).to.equal(
      `the Kubernetes API server at ${fake.url} forbids create on configmaps (create configmaps in namespace forbidden; 403: POST /api/v1/namespaces/forbidden/configmaps is forbidden for user "fake"): bind the ClusterRole isoprobe-k8s-client (client/clusterrole.json)`,
    );
  });

  it('an API server that is not there: the URL and the reason', async () => {
    const closed = await FakeKube.start();
    const url = closed.url;
    const file = path.join(dir, 'kubeconfig-closed');
    fs.writeFileSync(file, closed.kubeconfig());
    await closed.stop();
    expect(await failure(kubeClient(file).deleteNamespace('x'))).to.equal(
      `cannot reach the Kubernetes API server at ${url} (delete namespaces): connection refused`,
    );
  });

  it('no kubeconfig anywhere, or one that cannot be read: an EnvError, not a call to localhost:8080', () => {
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
    try {
      delete process.env.KUBECONFIG;
      process.env.HOME = dir;
      expect(() => kubeClient()).to.throw(
        EnvError,
        `no kubeconfig: KUBECONFIG is not set, ${dir}/.kube/config does not exist and this is not a pod (give --kubeconfig FILE)`,
      );
      process.env.KUBECONFIG = config;
      expect(kubeClient().server).to.equal(fake.url);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect(() => kubeClient(path.join(dir, 'none'))).to.throw(EnvError, `cannot read the kubeconfig ${dir}/none: ENOENT`);
  });
});
