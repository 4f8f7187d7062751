/**
 * A fake Kubernetes API server for the tests of `k8s --apply`: node:http on 127.0.0.1 only, in
 * the test's process, answering the few REST paths @kubernetes/client-node calls for
 * fleet/kube-client.ts (create namespaces, serviceaccounts, configmaps and jobs; list namespaces, jobs and
 * pods by label selector; read a pod's log; delete a job or a namespace), as the real one answers
 * them (201 on create, 409 for an object that exists, 404 for one in no namespace, a Status body
 * on errors). It records every request, and a test scripts what each node's observer does:
 * succeed or fail after a while with a given log, or never finish.
 *
 * Time is lazy: a Job's state is worked out when it is read, from its age.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A log, or one made from the Job as created (its run label and node: what an observer's record carries). */
export type FakeLog = string | ((job: { run: string; node: string }) => string);

export type ObserverScript =
  /** Ends after `afterMs` (default 0) with this log; exit 0 (the Job Complete) unless exitCode says otherwise. */
  | { kind: 'end'; log: FakeLog; afterMs?: number; exitCode?: number }
  /** Runs until deleted (or the test ends). */
  | { kind: 'hang'; log?: FakeLog };

export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
}

export interface FakeKubeOptions {
  /** What the observer pinned to a node does; a node without a script hangs. */
  observers?: Record<string, ObserverScript>;
  /** Answer 403 to a request for which this is true. */
  forbid?: (r: SeenRequest) => boolean;
  /** Namespaces there before the test (another run's, say). */
  namespaces?: FakeNamespace[];
}

export interface FakeNamespace {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
};
interface Job {
  obj: Obj;
  createdAt: number;
  script: ObserverScript;
  pod: string;
}

export class FakeKube {
  readonly requests: SeenRequest[] = [];
  /** The most observer Jobs that were running at once. */
  maxRunning = 0;
  private readonly server: http.Server;
  private readonly namespaces = new Map<string, Obj>();
  private readonly objects = new Map<string, Obj>();
  private readonly jobs = new Map<string, Job>();

  private constructor(private readonly opts: FakeKubeOptions) {
    this.server = http.createServer((req, res) => this.serve(req, res));
    for (const n of opts.namespaces ?? []) this.namespaces.set(n.name, { apiVersion: 'v1', kind: 'Namespace', metadata: { ...n } });
  }

  /** The namespaces that exist now, as stored (a test may change them: time passing, say). */
  namespaceObjects(): Obj[] {
    return [...this.namespaces.values()];
  }

  static async start(opts: FakeKubeOptions = {}): Promise<FakeKube> {
    const fake = new FakeKube(opts);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A kubeconfig for the fake: plain HTTP, which client-node allows only with TLS verification off. */
  kubeconfig(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: fake',
      '  user:',
      '    token: fake-token',
      'contexts:',
      '- name: fake',
      '  context:',
      '    cluster: fake',
      '    user: fake',
      'current-context: fake',
      '',
    ].join('\n');
  }

  seen(method: string, pathPattern: RegExp): SeenRequest[] {
    return this.requests.filter((r) => r.method === method && pathPattern.test(r.path));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    let text = '';
    req.setEncoding('utf8').on('data', (d: string) => (text += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const seen: SeenRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) };
      if (text) seen.body = JSON.parse(text);
      this.requests.push(seen);
      const [code, body] = this.opts.forbid?.(seen) ? status(403, 'Forbidden', `${seen.method} ${seen.path} is forbidden for user "fake"`) : this.route(seen);
      res.writeHead(code, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  }

  /** The REST paths client-node calls for fleet/kube-client.ts: method, path, handler of the path's groups. */
  private readonly routes: [string, RegExp, (m: string[], r: SeenRequest) => [number, unknown]][] = [
    ['POST', /^\/api\/v1\/namespaces$/, (_m, r) => this.createNamespace(r.body as Obj)],
    ['GET', /^\/api\/v1\/namespaces$/, (_m, r) => this.listNamespaces(r.query.labelSelector ?? '')],
    ['DELETE', /^\/api\/v1\/namespaces\/([^/]+)$/, (m) => this.deleteNamespace(m[1]!)],
    ['POST', /^\/api\/v1\/namespaces\/([^/]+)\/(serviceaccounts|configmaps)$/, (m, r) => this.create(m[1]!, m[2]!, r.body as Obj)],
    ['POST', /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/, (m, r) => this.createJob(m[1]!, r.body as Obj)],
    ['GET', /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/, (m, r) => this.listJobs(m[1]!, r.query.labelSelector ?? '')],
    ['DELETE', /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/, (m) => this.deleteJob(m[1]!, m[2]!)],
    ['GET', /^\/api\/v1\/namespaces\/([^/]+)\/pods$/, (m, r) => this.listPods(m[1]!, r.query.labelSelector ?? '')],
    ['GET', /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/, (m, r) => this.log(m[1]!, m[2]!, Number(r.query.tailLines ?? 'NaN'))],
  ];

  private route(r: SeenRequest): [number, unknown] {
    for (const [method, pattern, handle] of this.routes) {
      const m = r.path.match(pattern);
      if (m && r.method === method) return handle([...m], r);
    }
    return status(404, 'NotFound', `the server could not find the requested resource (${r.method} ${r.path})`);
  }

  private createNamespace(o: Obj): [number, unknown] {
    if (this.namespaces.has(o.metadata.name)) return status(409, 'AlreadyExists', `namespaces "${o.metadata.name}" already exists`);
    this.namespaces.set(o.metadata.name, o);
    return [201, o];
  }

  private listNamespaces(selector: string): [number, unknown] {
    const items = [...this.namespaces.values()].filter((o) => matches(selector, o.metadata.labels ?? {})).map((o) => ({ ...o, status: { phase: 'Active' } }));
    return [200, { apiVersion: 'v1', kind: 'NamespaceList', metadata: {}, items }];
  }

  private deleteNamespace(ns: string): [number, unknown] {
    const o = this.namespaces.get(ns);
    if (!o) return status(404, 'NotFound', `namespaces "${ns}" not found`);
    this.namespaces.delete(ns);
    for (const k of [...this.objects.keys()]) if (k.startsWith(`${ns}/`)) this.objects.delete(k);
    for (const k of [...this.jobs.keys()]) if (k.startsWith(`${ns}/`)) this.jobs.delete(k);
    return [200, { ...o, status: { phase: 'Terminating' } }];
  }

  private create(ns: string, resource: string, o: Obj): [number, unknown] {
    if (!this.namespaces.has(ns)) return status(404, 'NotFound', `namespaces "${ns}" not found`);
    const key = `${ns}/${resource}/${o.metadata.name}`;
    if (this.objects.has(key)) return status(409, 'AlreadyExists', `${resource} "${o.metadata.name}" already exists`);
    this.objects.set(key, o);
    return [201, o];
  }

  private createJob(ns: string, o: Obj): [number, unknown] {
    const [code, body] = this.create(ns, 'jobs', o);
    if (code !== 201) return [code, body];
    const node = ((o.spec as { template: { spec: { nodeName: string } } }).template.spec.nodeName ?? '') as string;
    this.jobs.set(`${ns}/${o.metadata.name}`, {
      obj: o,
      createdAt: Date.now(),
      script: this.opts.observers?.[node] ?? { kind: 'hang' },
      pod: `${o.metadata.name}-x7k2p`,
    });
    this.maxRunning = Math.max(this.maxRunning, [...this.jobs.values()].filter((j) => !this.ended(j)).length);
    return [201, o];
  }

  private deleteJob(ns: string, name: string): [number, unknown] {
    this.objects.delete(`${ns}/jobs/${name}`);
    if (!this.jobs.delete(`${ns}/${name}`)) return status(404, 'NotFound', `jobs.batch "${name}" not found`);
    return [200, { kind: 'Status', apiVersion: 'v1', status: 'Success' }];
  }

  private ended(j: Job): boolean {
    return j.script.kind === 'end' && Date.now() - j.createdAt >= (j.script.afterMs ?? 0);
  }

  private exitCode(j: Job): number {
    return j.script.kind === 'end' ? (j.script.exitCode ?? 0) : 0;
  }

  private listJobs(ns: string, selector: string): [number, unknown] {
    const items = [...this.jobs.entries()]
      .filter(([k, j]) => k.startsWith(`${ns}/`) && matches(selector, j.obj.metadata.labels ?? {}))
      .map(([, j]) => {
        const end = this.ended(j);
        const ok = this.exitCode(j) === 0;
        const conditions = end
          ? [
              ok
                ? { type: 'Complete', status: 'True' }
                : { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
            ]
          : [];
        return { ...j.obj, status: { active: end ? 0 : 1, succeeded: end && ok ? 1 : 0, failed: end && !ok ? 1 : 0, conditions } };
      });
    return [200, { apiVersion: 'batch/v1', kind: 'JobList', metadata: {}, items }];
  }

  private listPods(ns: string, selector: string): [number, unknown] {
    const items = [...this.jobs.entries()]
      .filter(([k]) => k.startsWith(`${ns}/`))
      .map(([, j]) => ({
        j,
        labels: { ...(j.obj.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels, 'job-name': j.obj.metadata.name },
      }))
      .filter(({ labels }) => matches(selector, labels))
      .map(({ j, labels }) => {
        const end = this.ended(j);
        const code = this.exitCode(j);
        const state = end ? { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error' } } : { running: {} };
        return {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: j.pod, namespace: ns, labels, creationTimestamp: new Date(j.createdAt).toISOString() },
          status: { phase: end ? (code === 0 ? 'Succeeded' : 'Failed') : 'Running', containerStatuses: [{ name: 'observer', state }] },
        };
      });
    return [200, { apiVersion: 'v1', kind: 'PodList', metadata: {}, items }];
  }

  private log(ns: string, pod: string, tailLines: number): [number, unknown] {
    const j = [...this.jobs.entries()].find(([k, x]) => k.startsWith(`${ns}/`) && x.pod === pod)?.[1];
    if (!j) return status(404, 'NotFound', `pods "${pod}" not found`);
    const log = this.ended(j) || j.script.kind === 'hang' ? (j.script.log ?? '') : '';
    const node = (j.obj.spec as { template: { spec: { nodeName: string } } }).template.spec.nodeName;
    const text = typeof log === 'string' ? log : log({ run: j.obj.metadata.labels?.['isoprobe.run'] ?? '', node });
    const lines = text.split(/(?<=\n)/);
    return [200, Number.isFinite(tailLines) ? lines.slice(-tailLines).join('') : text];
  }
}

function status(code: number, reason: string, message: string): [number, unknown] {
  return [code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }];
}

/** Equality-based (`k=v`, `k!=v`) and set-based (`k in (a,b)`) terms, all of which must hold. */
export function matches(selector: string, labels: Record<string, string>): boolean {
  const terms = selector.match(/[^,(]+\s+in\s+\([^)]*\)|[^,]+/g) ?? [];
  return terms.every((raw) => {
    const t = raw.trim();
    const set = t.match(/^(\S+)\s+in\s+\(([^)]*)\)$/);
    if (set)
      return set[2]!
        .split(',')
        .map((v) => v.trim())
        .includes(labels[set[1]!] ?? '\0');
    const ne = t.match(/^([^!=]+)!=(.*)$/);
    if (ne) return labels[ne[1]!] !== ne[2];
    const eq = t.match(/^([^=]+)==?(.*)$/);
    if (eq) return labels[eq[1]!] === eq[2];
    return t in labels;
  });
}
