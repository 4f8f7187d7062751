/**
 * Every object `isoprobe k8s` writes, validated offline against the Kubernetes API's OpenAPI
 * schemas (kubernetes-models, a devDependency): types, enums, required fields. What those schemas
 * leave to the API server's own validation and the run's objects depend on is checked here too:
 * names (DNS-1123), label keys and values, a Job name short enough for its pods' job-name label.
 * Unknown fields are the compiler's: fleet/ builds every object typed with the same package's
 * interfaces, which it imports for types only (so the packed isoprobe does not need it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Job } from 'kubernetes-models/batch/v1';
import { RuntimeClass } from 'kubernetes-models/node.k8s.io/v1';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Pod, ServiceAccount } from 'kubernetes-models/v1';
import { REPO_ROOT } from '../../host/paths.js';
import { isDnsLabel, isDnsSubdomain } from '../../fleet/names.js';
import { fleetFiles } from '../../fleet/plan.js';
import { importsOf } from '../support/imports.js';
import { FLEET } from './fleet-input.js';

const MODELS: Record<string, new (data: never) => { validate(): void }> = { Namespace, ServiceAccount, ConfigMap, Job, Pod };
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function labelProblems(labels: Record<string, string> = {}): string[] {
  return Object.entries(labels).flatMap(([k, v]) => {
    const [prefix, name] = k.includes('/') ? k.split('/') : [undefined, k];
    const out: string[] = [];
    if (prefix !== undefined && !isDnsSubdomain(prefix)) out.push(`key prefix ${prefix}`);
    if (!name || name.length > 63 || !LABEL_NAME.test(name)) out.push(`key ${k}`);
    if (v.length > 63 || !LABEL_VALUE.test(v)) out.push(`value ${k}=${v}`);
    return out;
  });
}

/** Objects with labels at any depth (a Job's pod template). */
function labelSets(o: unknown): Record<string, string>[] {
  if (o === null || typeof o !== 'object') return [];
  const here = (o as { labels?: Record<string, string> }).labels;
  return [...(here && !Array.isArray(here) ? [here] : []), ...Object.values(o).flatMap(labelSets)];
}

describe('fleet: every generated object validates offline against the Kubernetes schemas', () => {
  const inputs = {
    placeholders: FLEET,
    'given names, a RuntimeClass with its handler': {
      ...FLEET,
      nodes: ['ip-10-0-1-23.eu-west-1.compute.internal', 'worker-7'],
      placeholders: false,
      runtimeClasses: [{ name: 'gvisor', handler: 'runsc', handlerGiven: true }],
      namespace: 'isoprobe',
    },
  };
  for (const [what, input] of Object.entries(inputs)) {
    const objects = fleetFiles(input).filter((f) => f.kind === 'object' || f.kind === 'subject');

    it(`${what}: ${objects.length} objects, each valid for its kind`, () => {
      const kinds = new Set<string>();
      for (const f of objects) {
        const o = f.json as { kind: string };
        const Model = MODELS[o.kind];
        expect(Model, `${f.path}: a kind the test knows`).to.not.equal(undefined);
        kinds.add(o.kind);
        expect(() => new Model!(o as never).validate(), f.path).to.not.throw();
      }
      expect([...kinds].sort()).to.deep.equal(['ConfigMap', 'Job', 'Namespace', 'Pod', 'ServiceAccount']);
    });

    it(`${what}: names, label keys and values as the API server validates them`, () => {
      for (const f of objects) {
        const o = f.json as { kind: string; metadata: { name: string } };
        const name = o.metadata.name;
        if (o.kind === 'Namespace' || o.kind === 'Job') expect(isDnsLabel(name), `${f.path}: ${name} a DNS label`).to.equal(true);
        else expect(isDnsSubdomain(name), `${f.path}: ${name}`).to.equal(true);
        expect(labelSets(f.json).flatMap(labelProblems), f.path).to.deep.equal([]);
      }
    });

    it(`${what}: each RuntimeClass a subject references would be a valid RuntimeClass (the cluster's, not written)`, () => {
      for (const rc of input.runtimeClasses) {
        expect(() => new RuntimeClass({ metadata: { name: rc.name }, handler: rc.handler }).validate()).to.not.throw();
        expect(isDnsLabel(rc.handler)).to.equal(true);
      }
    });
  }

  it("the client's ClusterRole (client/clusterrole.json) is a valid ClusterRole", () => {
    const role = fleetFiles(FLEET).find((f) => f.kind === 'client')!.json;
    expect(() => new ClusterRole(role as never).validate()).to.not.throw();
    expect(labelSets(role).flatMap(labelProblems)).to.deep.equal([]);
  });

  it('the validators do refuse a wrong object (the check can fail)', () => {
    const pod = fleetFiles(FLEET).find((f) => f.kind === 'subject')!.json as { spec: { hostPID?: unknown } };
    expect(() => new Pod({ ...(pod as object), spec: { ...pod.spec, hostPID: 'yes' } } as never).validate()).to.throw(/hostPID must be boolean/);
    const job = fleetFiles(FLEET).find((f) => f.path.endsWith('observer.json'))!.json as { spec: object };
    expect(() => new Job({ ...(job as object), spec: { ...job.spec, activeDeadlineSeconds: '900' } } as never).validate()).to.throw(/must be integer/);
  });

  it('fleet/ imports kubernetes-models for its types only', () => {
    const dir = path.join(REPO_ROOT, 'fleet');
    const runtime = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => importsOf(f, fs.readFileSync(path.join(dir, f), 'utf8')).map((i) => ({ f, ...i })))
      .filter((i) => i.spec.startsWith('kubernetes-models') && !i.typeOnly);
    expect(runtime.map((i) => `${i.f}:${i.line}`)).to.deep.equal([]);
  });
});
