/**
 * The OCI runtimes' negative controls that the project's tests run on runc (test/integration/
 * oci.test.ts). `share` for pid, net and ipc, whose proc, sysfs and mqueue mounts a new user
 * namespace cannot make for the host's namespaces (the translator binds the host's instead; a patch
 * would have to rewrite the mount list); a config.json merge patch that leaves the namespace out for
 * uts, cgroup and user, with what belongs to it (the hostname, the id maps). Each patch still lists
 * the time namespace, as the unpatched bundle asks for it (runc 1.1 refuses it either way).
 *
 * Then the conformance area's controls (checks/conformance.ts): the lossy runtime
 * (test/support/lossy-runtime/) removes the one setting its annotation names from config.json and
 * execs runc, while the request still says it was asked; a patch asks for what the bundle does not
 * ask for by default (groups, a sysctl). The same values are named by the checks. Data only.
 */
import type { Weakening } from '../../model/weakening.js';

const ns = (...types: string[]) => types.map((type) => ({ type }));
const LOSSY = 'test/support/lossy-runtime/lossy-runc';
const lossy = (key: string, patch: Record<string, unknown> = {}): Weakening => ({
  kind: 'oci',
  settings: { binary: LOSSY, specPatch: { ...patch, annotations: { 'isoprobe.drop': key } } },
});

export const weakenings: Weakening[] = [
  { kind: 'oci', settings: { share: ['pid'] } },
  { kind: 'oci', settings: { share: ['net'] } },
  { kind: 'oci', settings: { share: ['ipc'] } },
  { kind: 'oci', settings: { specPatch: { linux: { namespaces: ns('pid', 'mount', 'network', 'ipc', 'user', 'time', 'cgroup') }, hostname: null } } },
  { kind: 'oci', settings: { specPatch: { linux: { namespaces: ns('pid', 'mount', 'network', 'uts', 'ipc', 'user', 'time') } } } },
  {
    kind: 'oci',
    settings: { specPatch: { linux: { namespaces: ns('pid', 'mount', 'network', 'uts', 'ipc', 'time', 'cgroup'), uidMappings: null, gidMappings: null } } },
  },
  { kind: 'oci', settings: { caps: 'all' } },
  { kind: 'oci', settings: { seccomp: 'none' } },
  { kind: 'oci', settings: { noNewPrivs: false } },
  { kind: 'oci', settings: { limits: 'none' } },
  // The cross area's: namespace paths of the first sibling (and its user namespace) in the second's config.json.
  { kind: 'oci', settings: { joinSibling: ['pid'] } },
  { kind: 'oci', settings: { joinSibling: ['ipc'] } },
  { kind: 'oci', settings: { joinSibling: ['net'] } },
  { kind: 'oci', settings: { joinSibling: ['uts'] } },
  lossy('ns.cgroup'),
  lossy('caps'),
  lossy('seccomp'),
  lossy('noNewPrivs'),
  lossy('limits.pids'),
  lossy('readonlyRootfs'),
  lossy('user', { process: { user: { uid: 0, gid: 0, additionalGids: [4242] } } }),
  lossy('hostname'),
  lossy('maskedPaths'),
  lossy('readonlyPaths'),
  lossy('sysctls', { linux: { sysctl: { 'net.ipv4.ip_unprivileged_port_start': '900' } } }),
  lossy('rlimits'),
];
