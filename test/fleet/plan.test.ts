/**
 * What `isoprobe k8s` writes (fleet/plan.ts), as pure data: the files, the labels and nonce on
 * every object, the observer's privileges and mounts, the deadline and parallelism, placeholders
 * or given names, and targets.json as the cri driver parses it.
 */
import { expect } from 'chai';
import type { IJob } from 'kubernetes-models/batch/v1';
import { fleetFiles, serviceAccountOf, targetsOf, type FleetFile } from '../../fleet/plan.js';
import { NODE_CRI_SOCKET, observerScript, RUN_DIR } from '../../fleet/observer.js';
import { RECORD_PREFIX } from '../../fleet/log-record.js';
import { parseTargetConfig } from '../../targets/registry.js';
import { FLEET } from './fleet-input.js';

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: Record<string, unknown> };
const objects = (files: FleetFile[]) => files.filter((f) => f.kind === 'object' || f.kind === 'subject').map((f) => f.json as Obj);
const byPath = (files: FleetFile[], p: string) => files.find((f) => f.path === p)!.json as Record<string, never>;

describe('fleet/plan: the files of a fleet run', () => {
  const files = fleetFiles(FLEET);

  it('writes the plan, three fleet-wide objects, and per node its observer, targets and four subjects', () => {
    expect(files.map((f) => f.path)).to.deep.equal([
      'fleet.json',
      'manifests/00-namespace.json',
      'manifests/01-serviceaccount.json',
      'manifests/02-targets.json',
      ...FLEET.nodes.flatMap((n) => [
        `nodes/${n}/observer.json`,
        `nodes/${n}/targets.json`,
        ...['default', 'restricted', 'runtimeclass-runc', 'runtimeclass-runsc'].map((s) => `nodes/${n}/subjects/${s}.json`),
      ]),
      'client/clusterrole.json',
    ]);
    expect(objects(files).map((o) => o.kind)).to.not.include.members(['Role', 'RoleBinding', 'ClusterRole', 'RuntimeClass']);
  });

  it('labels every object managed-by isoprobe with the run nonce, which each name carries too', () => {
    for (const o of objects(files)) {
      expect(o.metadata.labels, `${o.kind} ${o.metadata.name}`).to.include({ 'app.kubernetes.io/managed-by': 'isoprobe', 'isoprobe.run': '0123abcd' });
      expect(o.metadata.name, o.kind).to.include('0123abcd');
      if (o.kind !== 'Namespace') expect(o.metadata.namespace).to.equal('isoprobe-0123abcd');
    }
  });

  it("the client's ClusterRole is written for an administrator to bind, never among what is applied", () => {
    const role = byPath(files, 'client/clusterrole.json') as unknown as { kind: string; metadata: { name: string } };
    expect([role.kind, role.metadata.name]).to.deep.equal(['ClusterRole', 'isoprobe-k8s-client']);
    expect(files.find((f) => f.path === 'client/clusterrole.json')!.kind).to.equal('client');
    expect(byPath(files, 'fleet.json')).to.nested.include({ 'client.clusterRole': 'client/clusterrole.json', 'client.name': 'isoprobe-k8s-client' });
  });

  it('the namespace lets the privileged observer in (Pod Security admission); the service account has no token', () => {
    expect(byPath(files, 'manifests/00-namespace.json')).to.nested.include({ 'metadata.labels.pod-security\\.kubernetes\\.io/enforce': 'privileged' });
    expect(byPath(files, 'manifests/01-serviceaccount.json')).to.include({ automountServiceAccountToken: false });
  });

  it('an observer is a Job pinned to its node: privileged, the host pid, IPC and network, the CRI socket, cgroupfs and run directory', () => {
    const job = byPath(files, 'nodes/node-2/observer.json') as unknown as IJob;
    expect(job.metadata!.name).to.equal('isoprobe-0123abcd-0002');
    expect(job.metadata!.annotations!['isoprobe.node']).to.equal('node-2');
    expect(job.metadata!.annotations!['isoprobe.note']).to.match(/^node-2 is a placeholder/);
    expect([job.spec!.activeDeadlineSeconds, job.spec!.backoffLimit, job.spec!.ttlSecondsAfterFinished]).to.deep.equal([900, 0, 3600]);
    const pod = job.spec!.template.spec!;
    expect(pod).to.include({
      nodeName: 'node-2',
      hostPID: true,
      hostIPC: true,
      hostNetwork: true,
      activeDeadlineSeconds: 900,
      automountServiceAccountToken: false,
      serviceAccountName: serviceAccountOf('0123abcd'),
    });
    const c = pod.containers[0]!;
    expect(c.securityContext).to.deep.equal({ privileged: true });
    expect(c.image).to.equal('isoprobe:0.1.0');
    expect(c.command).to.deep.equal(['sh', '-c', observerScript()]);
    expect(pod.volumes!.flatMap((v) => (v.hostPath ? [v.hostPath.path] : []))).to.deep.equal([NODE_CRI_SOCKET, '/sys/fs/cgroup', RUN_DIR]);
    expect(c.volumeMounts!.map((m) => m.mountPath)).to.include.members([NODE_CRI_SOCKET, '/sys/fs/cgroup', RUN_DIR, '/etc/isoprobe']);
  });

  it('the observer runs baseline on its config, forwards a SIGTERM to the run, and ends with the record', () => {
    const script = observerScript();
    expect(script).to.match(/^isoprobe run --config \/etc\/isoprobe\/targets\.json --profile baseline .* & p=\$!$/m);
    expect(script).to.include(`trap 'kill -TERM "$p"' TERM INT`);
    expect(script.split('\n').at(-2)).to.match(/^isoprobe k8s --record \S+\/results\.json$/);
    expect(byPath(files, 'fleet.json')).to.nested.include({ 'record.prefix': RECORD_PREFIX.trim() });
  });

  it('records the parallelism as an order over the nodes, and what the cluster must have', () => {
    const plan = byPath(files, 'fleet.json') as unknown as {
      parallelism: { observers: number };
      nodes: { name: string; index: number; job: string }[];
      apply: string[];
      runtimeClasses: { name: string; handler: string; check: string }[];
      nodeNames: string;
      timeoutSeconds: number;
    };
    expect(plan.parallelism.observers).to.equal(2);
    expect(plan.nodes.map((n) => [n.name, n.index, n.job])).to.deep.equal([
      ['node-1', 1, 'isoprobe-0123abcd-0001'],
      ['node-2', 2, 'isoprobe-0123abcd-0002'],
      ['node-3', 3, 'isoprobe-0123abcd-0003'],
    ]);
    expect(plan.apply).to.deep.equal(['manifests/00-namespace.json', 'manifests/01-serviceaccount.json', 'manifests/02-targets.json']);
    expect(plan.runtimeClasses.map((r) => r.check)).to.deep.equal([
      'the cluster must have RuntimeClass runc with handler runc (isoprobe creates none); a node whose runtime lacks the handler reports that target as one that could not run',
      'the cluster must have RuntimeClass runsc with handler runsc (isoprobe creates none); a node whose runtime lacks the handler reports that target as one that could not run',
    ]);
    expect(plan.nodeNames).to.match(/^placeholders/);
    expect(plan.timeoutSeconds).to.equal(900);
    expect(fleetFiles({ ...FLEET, parallelism: 50 }).find((f) => f.kind === 'plan')!.json).to.nested.include({ 'parallelism.observers': 3 });
  });

  it('given node names are used as they are, and no placeholder is said', () => {
    const given = fleetFiles({ ...FLEET, nodes: ['ip-10-0-1-23.eu-west-1.compute.internal'], placeholders: false });
    const job = given.find((f) => f.path === 'nodes/ip-10-0-1-23.eu-west-1.compute.internal/observer.json')!.json as never as {
      metadata: { annotations: Record<string, string> };
      spec: { template: { spec: { nodeName: string } } };
    };
    expect(job.spec.template.spec.nodeName).to.equal('ip-10-0-1-23.eu-west-1.compute.internal');
    expect(job.metadata.annotations['isoprobe.note']).to.not.include('placeholder');
    const subject = given.find((f) => f.kind === 'subject')!.json as { spec: { nodeName: string } };
    expect(subject.spec.nodeName).to.equal('ip-10-0-1-23.eu-west-1.compute.internal');
  });

  it("every node's targets.json is the same text, that of the ConfigMap, and the cri driver parses it", () => {
    const cm = byPath(files, 'manifests/02-targets.json') as unknown as { data: Record<string, string>; immutable: boolean };
    expect(cm.immutable).to.equal(true);
    for (const n of FLEET.nodes) {
      expect(byPath(files, `nodes/${n}/targets.json`)).to.deep.equal(JSON.parse(cm.data['targets.json']!));
      expect(targetsOf(FLEET, n, `unix://${NODE_CRI_SOCKET}`)).to.deep.equal(JSON.parse(cm.data['targets.json']!));
    }
    const targets = parseTargetConfig(JSON.parse(cm.data['targets.json']!), 'targets.json');
    expect(targets.map((t) => [t.name, (t as { endpoint?: string }).endpoint, (t as { runtimeHandler?: string }).runtimeHandler])).to.deep.equal([
      ['default', 'unix:///run/containerd/containerd.sock', ''],
      ['restricted', 'unix:///run/containerd/containerd.sock', ''],
      ['runtimeclass-runc', 'unix:///run/containerd/containerd.sock', 'runc'],
      ['runtimeclass-runsc', 'unix:///run/containerd/containerd.sock', 'runsc'],
    ]);
  });

  it('subjects are never to be applied, and say what the harness adds', () => {
    for (const f of files.filter((x) => x.kind === 'subject')) {
      const pod = f.json as { metadata: { annotations: Record<string, string> }; spec: { nodeName: string } };
      expect(pod.metadata.annotations['isoprobe.note']).to.match(/^Not to be applied/);
      expect(f.path.startsWith(`nodes/${pod.spec.nodeName}/subjects/`)).to.equal(true);
    }
  });

  it('is a pure function of its input', () => {
    expect(fleetFiles(FLEET)).to.deep.equal(files);
  });
});
