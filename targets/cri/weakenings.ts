/**
 * The cri target's negative controls, as data: merge patches over the generated configs, each the
 * pod-spec field a Kubernetes user would set (hostPID, hostIPC, hostNetwork, privileged, a seccomp
 * profile, added capabilities) as kubelet translates it. Each is the twin of a Docker weakening
 * (the same containerd and runc underneath, the same isolation turned off), so it must flip the
 * checks that name that one, where they pass on the reference cri target
 * (test/integration/cri.test.ts). kubelet sends seccomp Unconfined for a plain pod: the seccomp
 * control is judged against a reference that asks for RuntimeDefault (the restricted profile's).
 */
import type { Weakening } from '../../model/weakening.js';

const podNs = (k: string) => ({ podConfig: { linux: { securityContext: { namespaceOptions: { [k]: 'NODE' } } } } });
const containerSc = (sc: Record<string, unknown>) => ({ containerConfig: { linux: { securityContext: sc } } });

export interface CriWeakening {
  weakening: Weakening;
  /** The Docker weakening of the same effect: the checks naming it are the ones this one flips. */
  twin: Weakening;
}

const docker = (hostConfig: Record<string, unknown>): Weakening => ({ kind: 'docker', settings: { hostConfig } });

export const CRI_WEAKENINGS: readonly CriWeakening[] = [
  { weakening: { kind: 'cri', settings: podNs('pid'), note: 'hostPID' }, twin: docker({ PidMode: 'host' }) },
  { weakening: { kind: 'cri', settings: podNs('ipc'), note: 'hostIPC' }, twin: docker({ IpcMode: 'host' }) },
  { weakening: { kind: 'cri', settings: podNs('network'), note: 'hostNetwork' }, twin: docker({ NetworkMode: 'host' }) },
  {
    weakening: { kind: 'cri', settings: { ...containerSc({ privileged: true }), podConfig: { linux: { securityContext: { privileged: true } } } }, note: 'privileged' },
    twin: docker({ Privileged: true }),
  },
  { weakening: { kind: 'cri', settings: containerSc({ seccomp: { profileType: 'Unconfined' } }), note: 'seccomp Unconfined' }, twin: docker({ SecurityOpt: ['seccomp=unconfined'] }) },
  {
    weakening: { kind: 'cri', settings: containerSc({ capabilities: { addCapabilities: ['SYS_ADMIN'], dropCapabilities: [] } }), note: 'add SYS_ADMIN' },
    twin: docker({ CapAdd: ['SYS_ADMIN'] }),
  },
];

export const weakenings: Weakening[] = CRI_WEAKENINGS.map((w) => w.weakening);
