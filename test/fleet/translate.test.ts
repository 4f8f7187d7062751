/**
 * The translation of a subject Pod into its cri target (fleet/translate.ts): each Pod field as
 * kubelet turns it into CRI, checked three ways — the patches themselves, the configs the cri
 * target then sends (targets/cri/pod-config.ts patchedConfigs), and the request it reports
 * (what results.json's `request` and the conformance checks compare).
 */
import { expect } from 'chai';
import type { IPod } from 'kubernetes-models/v1';
import { ConfigError } from '../../model/errors.js';
import { DEFAULT_CAPS } from '../../model/spec.js';
import { criTargetOf, KUBELET_SECCOMP_ROOT, type Json } from '../../fleet/translate.js';
import { subjectPods, RESTRICTED_UID } from '../../fleet/subjects.js';
import { cri, type CriTargetConfig } from '../../targets/cri/driver.js';
import { containerConfig, patchedConfigs, podConfig } from '../../targets/cri/pod-config.js';
import { parseTargetConfig } from '../../targets/registry.js';

const ARGV = ['/isoprobe/probe', 'facts'];
const INPUT = {
  nonce: '0123abcd',
  namespace: 'isoprobe-0123abcd',
  node: 'node-a',
  probeImage: 'docker.io/library/isoprobe-probe:x',
  runtimeClasses: [{ name: 'gvisor', handler: 'runsc', handlerGiven: true }],
};
const HANDLERS = { gvisor: 'runsc' };

function pod(spec: Partial<NonNullable<IPod['spec']>>, container: Json = {}): IPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns' },
    spec: { containers: [{ name: 'probe', image: 'i', ...container }], ...spec },
  };
}

const translate = (p: IPod) => criTargetOf(p, { name: 't', handlers: HANDLERS });
const parsed = (t: object) => parseTargetConfig({ targets: [t] }, 'translated')[0] as CriTargetConfig;
const requestOf = (t: object) => {
  const cfg = parsed(t);
  return cri.request!(cfg, cri.spec!(cfg, ARGV), 'baseline');
};

/** The configs the cri target sends for a translated target (plain pod + the patches). */
function sent(t: { podConfig?: Json; containerConfig?: Json }) {
  const base = podConfig({ name: 'h', uid: 'u', run: 'r', cgroupRoot: '/', logDirectory: '/l', security: 'plain', labels: {} });
  const c = containerConfig({ name: 'probe', image: 'i', argv: ARGV, envs: {}, mounts: [], security: 'plain', labels: {} }, base);
  const out = patchedConfigs(base, c, t);
  const sc = (o: Json) => (o.linux as Json).securityContext as Json;
  return { pod: out.pod, container: out.container, podSc: sc(out.pod), sc: sc(out.container) };
}

describe('fleet/translate: a subject Pod as its cri target', () => {
  const subjects = Object.fromEntries(subjectPods(INPUT).map((s) => [s.key, s.pod]));

  it('the default Pod is the plain pod: only its name and namespace go to the sandbox, every request as isoprobe sends it', () => {
    const t = criTargetOf(subjects.default!, { name: 'default', handlers: HANDLERS, endpoint: 'unix:///run/containerd/containerd.sock' });
    expect(t).to.deep.equal({
      name: 'default',
      runtime: 'cri',
      endpoint: 'unix:///run/containerd/containerd.sock',
      podConfig: {
        metadata: { name: 'isoprobe-0123abcd-default', namespace: 'isoprobe-0123abcd' },
        labels: { 'io.kubernetes.pod.name': 'isoprobe-0123abcd-default', 'io.kubernetes.pod.namespace': 'isoprobe-0123abcd' },
      },
      containerConfig: { labels: { 'io.kubernetes.pod.name': 'isoprobe-0123abcd-default', 'io.kubernetes.pod.namespace': 'isoprobe-0123abcd' } },
    });
    const r = requestOf(t);
    expect(Object.entries(r).filter(([, v]) => v!.source !== 'isoprobe')).to.deep.equal([]);
    expect([r.seccomp?.value, r.noNewPrivs?.value, r.user]).to.deep.equal(['unconfined', false, undefined]);
    const s = sent(t);
    expect(s.pod.metadata).to.include({ name: 'isoprobe-0123abcd-default', namespace: 'isoprobe-0123abcd', uid: 'u' });
    expect(s.pod.hostname, 'the harness keeps its hostname').to.equal('h');
  });

  it('the restricted Pod sends what the cri target sends for the Pod Security Standard restricted itself', () => {
    const s = sent(translate(subjects.restricted!));
    const base = podConfig({ name: 'h', uid: 'u', run: 'r', cgroupRoot: '/', logDirectory: '/l', security: 'restricted', labels: {} });
    const own = containerConfig({ name: 'probe', image: 'i', argv: ARGV, envs: {}, mounts: [], security: 'restricted', labels: {} }, base);
    expect(s.sc).to.deep.equal((own.linux as Json).securityContext);
    expect(s.podSc).to.deep.equal((base.linux as Json).securityContext);
  });

  it('the restricted Pod asks for uid and gid 65534, no capability, RuntimeDefault and no_new_privs: the user config in the request', () => {
    const r = requestOf(translate(subjects.restricted!));
    expect(r.user).to.deep.equal({ value: { uid: RESTRICTED_UID, gid: RESTRICTED_UID }, source: 'user config' });
    expect(r.caps).to.deep.equal({ value: { add: [], drop: [...DEFAULT_CAPS] }, source: 'user config' });
    expect(r.seccomp).to.deep.equal({ value: 'default', source: 'user config' });
    expect(r.noNewPrivs).to.deep.equal({ value: true, source: 'user config' });
    expect(r['ns.pid']).to.deep.equal({ value: 'new', source: 'isoprobe' });
  });

  it('runtimeClassName is the RuntimeClass handler; one not among the run is refused', () => {
    expect(translate(subjects['runtimeclass-gvisor']!).runtimeHandler).to.equal('runsc');
    expect(() => translate(pod({ runtimeClassName: 'kata' }))).to.throw(ConfigError, 'runtimeClassName "kata" is not among the run');
  });

  it('hostPID, hostIPC and hostNetwork are NODE namespaces on pod and container (the cri weakenings), and the request says host', () => {
    const t = translate(pod({ hostPID: true, hostIPC: true, hostNetwork: true }));
    const ns = { network: 'NODE', ipc: 'NODE', pid: 'NODE' };
    expect(((t.podConfig!.linux as Json).securityContext as Json).namespaceOptions).to.deep.equal(ns);
    expect(((t.containerConfig!.linux as Json).securityContext as Json).namespaceOptions).to.deep.equal(ns);
    const r = requestOf(t);
    expect(['ns.pid', 'ns.ipc', 'ns.net', 'ns.uts'].map((k) => r[k as 'ns.pid']?.value)).to.deep.equal(['host', 'host', 'host', 'host']);
    expect(sent(t).pod.hostname, 'kubelet sends no hostname for a host-network pod').to.equal('');
  });

  it('shareProcessNamespace is the pod pid namespace', () => {
    expect(sent(translate(pod({ shareProcessNamespace: true }))).sc.namespaceOptions).to.deep.include({ pid: 'POD' });
  });

  it('the container security context is the effective one: the container over the pod, field by field', () => {
    const t = translate(
      pod(
        { securityContext: { runAsUser: 1000, runAsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } } },
        { securityContext: { runAsUser: 3000, seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' }, readOnlyRootFilesystem: true } },
      ),
    );
    const s = sent(t);
    expect([s.sc.runAsUser, s.sc.runAsGroup, s.sc.readonlyRootfs]).to.deep.equal([{ value: 3000 }, { value: 2000 }, true]);
    expect(s.sc.seccomp).to.deep.equal({ profileType: 'Localhost', localhostRef: `${KUBELET_SECCOMP_ROOT}/p.json` });
    expect([s.podSc.runAsUser, s.podSc.seccomp]).to.deep.equal([{ value: 1000 }, { profileType: 'RuntimeDefault' }]);
    const r = requestOf(t);
    expect([r.user?.value, r.readonlyRootfs?.value, r.seccomp?.value]).to.deep.equal([{ uid: 3000, gid: 2000 }, true, 'custom']);
  });

  it('privileged reaches the sandbox too; capabilities go as written; procMount Unmasked empties the masked and read-only paths', () => {
    const p = sent(translate(pod({}, { securityContext: { privileged: true } })));
    expect([p.sc.privileged, p.podSc.privileged]).to.deep.equal([true, true]);
    const c = sent(translate(pod({}, { securityContext: { capabilities: { add: ['SYS_ADMIN'], drop: ['NET_RAW'] }, procMount: 'Unmasked' } })));
    expect(c.sc.capabilities).to.deep.equal({ addCapabilities: ['SYS_ADMIN'], dropCapabilities: ['NET_RAW'] });
    expect([c.sc.maskedPaths, c.sc.readonlyPaths]).to.deep.equal([[], []]);
    expect(requestOf(translate(pod({}, { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }))).caps?.value).to.deep.equal({
      add: ['CAP_SYS_ADMIN'],
      drop: [],
    });
  });

  it('allowPrivilegeEscalation: false is no_new_privs, true is none; sysctls go to the sandbox', () => {
    expect(sent(translate(pod({}, { securityContext: { allowPrivilegeEscalation: false } }))).sc.noNewPrivs).to.equal(true);
    expect(sent(translate(pod({}, { securityContext: { allowPrivilegeEscalation: true } }))).sc.noNewPrivs).to.equal(false);
    const t = translate(pod({ securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] } }));
    expect((t.podConfig!.linux as Json).sysctls).to.deep.equal({ 'net.ipv4.ip_unprivileged_port_start': '0' });
    expect(requestOf(t).sysctls?.value).to.deep.equal({ 'net.ipv4.ip_unprivileged_port_start': '0' });
  });

  it('every translated subject is a valid cri target config', () => {
    for (const s of subjectPods(INPUT)) expect(() => parsed(criTargetOf(s.pod, { name: s.key, handlers: HANDLERS })), s.key).to.not.throw();
  });

  describe('refuses what it cannot send, never drops it', () => {
    const cases: [string, IPod, RegExp][] = [
      ['a volume', pod({ volumes: [{ name: 'v', emptyDir: {} }] }), /spec\.volumes has a CRI effect/],
      ['a token volume (automountServiceAccountToken left true)', pod({ automountServiceAccountToken: true }), /spec\.automountServiceAccountToken/],
      ['two containers', { ...pod({}), spec: { containers: [{ name: 'a' }, { name: 'b' }] } }, /runs one container \(the probe\), the Pod has 2/],
      ['resources', pod({}, { resources: { limits: { memory: '1Gi' } } }), /containers\[0\]\.resources is not translated/],
      ['an AppArmor profile', pod({}, { securityContext: { appArmorProfile: { type: 'Unconfined' } } }), /securityContext\.appArmorProfile is not translated/],
      ['supplemental groups', pod({ securityContext: { supplementalGroups: [5] } }), /spec\.securityContext\.supplementalGroups/],
      ['hostUsers', pod({ hostUsers: false }), /spec\.hostUsers/],
      ['runAsNonRoot without a uid', pod({ securityContext: { runAsNonRoot: true } }), /runAsNonRoot needs a non-zero runAsUser/],
      ['runAsNonRoot with uid 0', pod({ securityContext: { runAsNonRoot: true, runAsUser: 0 } }), /runAsNonRoot needs a non-zero runAsUser/],
      [
        'privileged without privilege escalation',
        pod({}, { securityContext: { privileged: true, allowPrivilegeEscalation: false } }),
        /refused by the API server/,
      ],
      [
        'CAP_SYS_ADMIN without privilege escalation',
        pod({}, { securityContext: { capabilities: { add: ['CAP_SYS_ADMIN'] }, allowPrivilegeEscalation: false } }),
        /CAP_SYS_ADMIN/,
      ],
      ['a Localhost profile without its file', pod({ securityContext: { seccompProfile: { type: 'Localhost' } } }), /needs localhostProfile/],
    ];
    for (const [what, p, message] of cases) it(what, () => expect(() => translate(p)).to.throw(ConfigError, message));
  });
});
