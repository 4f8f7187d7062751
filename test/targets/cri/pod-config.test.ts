import { expect } from 'chai';
import { RequestSchema } from '../../../model/request.js';
import { DEFAULT_CAPS } from '../../../model/spec.js';
import type { Json } from '../../../targets/cri/client.js';
import {
  containerConfig,
  KUBELET_MASKED_PATHS,
  NON_ROOT,
  patchedConfigs,
  podConfig,
  podSecurityFor,
  type PodSecurity,
} from '../../../targets/cri/pod-config.js';
import { criRequest } from '../../../targets/cri/request.js';
import { weakenings } from '../../../targets/cri/weakenings.js';
import { parseTargetConfig } from '../../../targets/registry.js';

const I = 'isoprobe' as const;
const U = 'user config' as const;

function configs(security: PodSecurity = 'plain') {
  const pod = podConfig({
    name: 'isoprobe',
    uid: 'u-1',
    run: 'r1',
    cgroupRoot: '/isoprobe-cri-r1',
    logDirectory: '/logs',
    security,
    labels: { 'isoprobe.run': 'r1' },
  });
  const container = containerConfig(
    { name: 'probe', image: 'img', argv: ['/isoprobe/probe', 'facts'], envs: { A: 'b' }, mounts: [], security, labels: { 'isoprobe.run': 'r1' } },
    pod,
  );
  return { pod, container };
}

const sc = (c: Json) => (c.linux as Json).securityContext as Json;

describe('cri: the configs kubelet would send for a plain pod', () => {
  it("sets every namespace mode explicitly, as kubelet does: the pod's network and IPC, the container's own pid namespace", () => {
    const { pod, container } = configs();
    expect(sc(pod).namespaceOptions).to.deep.equal({ network: 'POD', pid: 'CONTAINER', ipc: 'POD' });
    expect(sc(container).namespaceOptions).to.deep.equal({ network: 'POD', pid: 'CONTAINER', ipc: 'POD' });
  });

  it('sends seccomp Unconfined (kubelet without --seccomp-default), no_new_privs false, the default masked and read-only paths', () => {
    const { pod, container } = configs();
    expect(sc(pod).seccomp).to.deep.equal({ profileType: 'Unconfined' });
    expect(sc(container).seccomp).to.deep.equal({ profileType: 'Unconfined' });
    expect(sc(container).noNewPrivs).to.equal(false);
    expect(sc(container).maskedPaths).to.deep.equal(KUBELET_MASKED_PATHS);
    expect(sc(container).runAsUser).to.equal(undefined);
  });

  it('puts the pod under kubepods/besteffort/pod<uid> of the cgroup root, a BestEffort container with shares 2 and OOM score 1000', () => {
    const { pod, container } = configs();
    expect((pod.linux as Json).cgroupParent).to.equal('/isoprobe-cri-r1/kubepods/besteffort/podu-1');
    expect((container.linux as Json).resources).to.deep.equal({ cpuShares: 2, oomScoreAdj: 1000 });
    expect(container.logPath).to.equal('probe/0.log');
    expect(container.labels).to.include({ 'io.kubernetes.container.name': 'probe', 'io.kubernetes.pod.uid': 'u-1', 'isoprobe.run': 'r1' });
    expect(container.envs).to.deep.equal([{ key: 'A', value: 'b' }]);
  });

  it('maps the profiles to Pod Security Standards: baseline a plain pod, restricted and strict the restricted standard', () => {
    expect(['baseline', 'restricted', 'strict', undefined].map((p) => podSecurityFor(p as never))).to.deep.equal([
      'plain',
      'restricted',
      'restricted',
      'plain',
    ]);
    const { pod, container } = configs('restricted');
    expect(sc(container)).to.deep.include({
      seccomp: { profileType: 'RuntimeDefault' },
      noNewPrivs: true,
      capabilities: { addCapabilities: [], dropCapabilities: ['ALL'] },
      runAsUser: { value: NON_ROOT },
    });
    expect(sc(pod).seccomp).to.deep.equal({ profileType: 'RuntimeDefault' });
  });
});

describe('cri: merge patches over the generated configs', () => {
  it("a pod's hostPID reaches its container, as kubelet derives it; a host-network pod sends no hostname", () => {
    const { pod, container } = configs();
    const out = patchedConfigs(pod, container, { podConfig: { linux: { securityContext: { namespaceOptions: { pid: 'NODE', network: 'NODE' } } } } });
    expect(sc(out.container).namespaceOptions).to.deep.equal({ network: 'NODE', pid: 'NODE', ipc: 'POD' });
    expect(out.pod.hostname).to.equal('');
    expect(sc(pod).namespaceOptions, 'the generated config is not changed').to.deep.equal({ network: 'POD', pid: 'CONTAINER', ipc: 'POD' });
  });

  it('shareProcessNamespace (pid POD) makes the container join the pod pid namespace; null removes a field (RFC 7386)', () => {
    const { pod, container } = configs();
    const out = patchedConfigs(pod, container, {
      podConfig: { linux: { securityContext: { namespaceOptions: { pid: 'POD' } } } },
      containerConfig: { linux: { securityContext: { maskedPaths: null } } },
    });
    expect((sc(out.container).namespaceOptions as Json).pid).to.equal('POD');
    expect(sc(out.container)).to.not.have.property('maskedPaths');
  });
});

describe('cri request', () => {
  it('a plain pod: namespaces, caps, seccomp unconfined, paths and hostname from isoprobe; nothing of user, cgroup, time or limits', () => {
    const { pod, container } = configs();
    const r = criRequest(pod, container, {}, DEFAULT_CAPS);
    expect(RequestSchema.safeParse(r).success).to.equal(true);
    expect(r['ns.pid']).to.deep.equal({ value: 'new', source: I });
    expect(r.seccomp).to.deep.equal({ value: 'unconfined', source: I });
    expect(r.caps).to.deep.equal({ value: { add: [], drop: [] }, source: I });
    expect(r.hostname).to.deep.equal({ value: 'isoprobe', source: I });
    for (const k of ['ns.user', 'ns.cgroup', 'ns.time', 'limits.pids', 'user', 'timeOffsets'] as const) expect(r[k], k).to.equal(undefined);
  });

  it('restricted: RuntimeDefault, every default capability dropped, no_new_privs, uid 65534', () => {
    const { pod, container } = configs('restricted');
    const r = criRequest(pod, container, {}, DEFAULT_CAPS);
    expect(r.seccomp?.value).to.equal('default');
    expect(r.caps?.value).to.deep.equal({ add: [], drop: [...DEFAULT_CAPS] });
    expect(r.noNewPrivs?.value).to.equal(true);
    expect(r.user?.value).to.deep.equal({ uid: NON_ROOT, gid: NON_ROOT });
  });

  it('each weakening: what it changes is the user config', () => {
    const { pod, container } = configs();
    const changed = weakenings.map((w) => {
      const r = criRequest(pod, container, w.settings as never, [...DEFAULT_CAPS, 'CAP_SYS_ADMIN']);
      return Object.entries(r)
        .filter(([, v]) => v?.source === U)
        .map(([k]) => k)
        .sort()
        .join(',');
    });
    expect(changed).to.deep.equal([
      'ns.pid',
      'ns.ipc',
      // the host's UTS namespace with the network: no hostname is asked for at all
      'ns.net,ns.uts',
      'caps,maskedPaths,readonlyPaths',
      // seccomp is already unconfined for a plain pod: the Unconfined control asks nothing new of it
      '',
      'caps',
      // the pair's joins are the engine's to request (engine/run.ts siblingRequest), not the pod's
      '',
      '',
    ]);
  });

  it('parses as target configs of kind cri, and refuses `share` (namespaces go through the patches)', () => {
    const targets = weakenings.map((w, i) => ({ name: `w${i}`, runtime: 'cri', ...w.settings }));
    expect(parseTargetConfig({ targets }, 'test')).to.have.length(weakenings.length);
    expect(() => parseTargetConfig({ targets: [{ name: 'x', runtime: 'cri', share: ['pid'] }] }, 'test')).to.throw(/namespaceOptions/);
  });
});
