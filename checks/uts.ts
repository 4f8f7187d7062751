/** uts area: hostname and domain name are the container's own. */
import { expect } from 'chai';
import { check, errnoName, ownNamespaceCheck } from './define.js';

const NEG = 'builtin share=uts; Docker UTSMode=host';
const OCI_UTS = 'OCI runtime spec: linux.namespaces "uts", hostname';
const ALL = ['baseline', 'restricted', 'strict'] as const;

export const utsChecks = [
  ownNamespaceCheck({ area: 'uts', ns: 'uts', profiles: [...ALL], references: [OCI_UTS, 'CIS Docker 5.21 (host UTS namespace not shared)'], negativeControl: NEG }),
  check(
    { id: 'uts.hostname-own', area: 'uts', title: 'the hostname is the container\'s, not the host\'s', profiles: [...ALL],
      references: [OCI_UTS], negativeControl: NEG },
    ({ facts, hostView, spec }) => {
      const evidence = `inside "${facts.hostname}", host "${hostView.hostname}", configured "${spec.hostname}"`;
      expect(facts.hostname, `the host's hostname is visible: ${evidence}`).to.not.equal(hostView.hostname);
      return evidence;
    },
  ),
  check(
    { id: 'uts.sethostname-stays-inside', area: 'uts', title: 'a hostname set inside does not change the host\'s', profiles: [...ALL],
      references: ['sethostname(2)', 'uts_namespaces(7)'], negativeControl: NEG },
    ({ facts, hostView, hostAfter }) => {
      const s = facts.sentinels.set_hostname;
      expect(s, 'the probe made no sethostname attempt').to.not.equal(undefined);
      expect(s!.refused, `the probe refused to set the hostname: its UTS namespace is the host's (${s!.refused})`).to.equal(null);
      // EPERM (no CAP_SYS_ADMIN) is stronger isolation: the name cannot be changed at all.
      const evidence = `sethostname("${s!.name}") inside: ${errnoName(s!.errno)}; host hostname before "${hostView.hostname}", after "${hostAfter.hostname}"`;
      expect(hostAfter.hostname, evidence).to.equal(hostView.hostname);
      return evidence;
    },
  ),
];
