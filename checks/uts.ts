/** uts area: hostname and domain name are the container's own. */
import { expect } from 'chai';
import { engines, share } from './controls.js';
import { check, errnoName, ownNamespaceCheck, requireNsProof } from './define.js';

const NEG = [share('uts'), ...engines({ UTSMode: 'host' })];
const OCI_UTS = 'OCI runtime spec: linux.namespaces "uts", hostname';
const ALL = ['baseline', 'restricted', 'strict'] as const;

export const utsChecks = [
  ownNamespaceCheck({
    area: 'uts',
    ns: 'uts',
    profiles: [...ALL],
    references: [OCI_UTS, 'CIS Docker 5.21 (host UTS namespace not shared)'],
    negativeControls: NEG,
  }),
  check(
    {
      id: 'uts.hostname-own',
      area: 'uts',
      title: "the hostname is the container's, not the host's",
      profiles: [...ALL],
      references: [OCI_UTS],
      needs: ['container', 'reference'],
      // ns.net: Docker gives a host-network container the host's hostname unless one is asked for.
      settings: ['ns.uts', 'ns.net', 'hostname'],
      negativeControls: [...NEG, ...engines({ NetworkMode: 'host' }, 'no Hostname asked')],
    },
    ({ container, reference, spec }) => {
      const evidence = `inside "${container.hostname}", host "${reference.hostname}", configured ${spec.hostname ? `"${spec.hostname}"` : "none (the runtime's own)"}`;
      expect(container.hostname, `the host's hostname is visible: ${evidence}`).to.not.equal(reference.hostname);
      return evidence;
    },
  ),
  check(
    {
      id: 'uts.sethostname-stays-inside',
      area: 'uts',
      title: "a hostname set inside does not change the host's",
      profiles: [...ALL],
      references: ['sethostname(2)', 'uts_namespaces(7)'],
      needs: ['container', 'reference', 'after'],
      settings: ['ns.uts'],
      negativeControls: NEG,
    },
    ({ container, reference, after }) => {
      const s = container.sentinels.set_hostname;
      expect(s, 'the probe made no sethostname attempt').to.not.equal(undefined);
      requireNsProof(s!.refused, 'set the hostname');
      expect(s!.refused, `the probe refused to set the hostname: its UTS namespace is the host's (${s!.refused})`).to.equal(null);
      // EPERM (no CAP_SYS_ADMIN) is stronger isolation: the name cannot be changed at all.
      const evidence = `sethostname("${s!.name}") inside: ${errnoName(s!.errno)}; host hostname before "${reference.hostname}", after "${after.hostname}"`;
      expect(after.hostname, evidence).to.equal(reference.hostname);
      return evidence;
    },
  ),
];
