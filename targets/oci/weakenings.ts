/**
 * The OCI runtimes' negative controls that the project's tests run on runc (test/integration/
 * oci.test.ts). `share` for pid, net and ipc, whose proc, sysfs and mqueue mounts a new user
 * namespace cannot make for the host's namespaces (the translator binds the host's instead; a patch
 * would have to rewrite the mount list); a config.json merge patch that leaves the namespace out for
 * uts, cgroup and user, with what belongs to it (the hostname, the id maps). The time namespace is
 * never listed: runc 1.1 refuses it anyway. Data only.
 */
import type { Weakening } from '../../model/weakening.js';

const ns = (...types: string[]) => types.map((type) => ({ type }));

export const weakenings: Weakening[] = [
  { kind: 'oci', settings: { share: ['pid'] } },
  { kind: 'oci', settings: { share: ['net'] } },
  { kind: 'oci', settings: { share: ['ipc'] } },
  { kind: 'oci', settings: { specPatch: { linux: { namespaces: ns('pid', 'mount', 'network', 'ipc', 'user', 'cgroup') }, hostname: null } } },
  { kind: 'oci', settings: { specPatch: { linux: { namespaces: ns('pid', 'mount', 'network', 'uts', 'ipc', 'user') } } } },
  {
    kind: 'oci',
    settings: { specPatch: { linux: { namespaces: ns('pid', 'mount', 'network', 'uts', 'ipc', 'cgroup'), uidMappings: null, gidMappings: null } } },
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
];
