/** net area: the container has its own network stack; host listeners are out of reach. */
import { expect } from 'chai';
import { skip } from '../model/check.js';
import { engines, GVISOR_HOST_NETWORK, share } from './controls.js';
import { check, errnoName, ownNamespaceCheck } from './define.js';

const NEG = [share('net'), ...engines({ NetworkMode: 'host' })];
const OCI_NET = 'OCI runtime spec: linux.namespaces "network"';
const CIS_NET = 'CIS Docker 5.9 (host network namespace not shared)';
const ALL = ['baseline', 'restricted', 'strict', 'sandbox'] as const;

export const netChecks = [
  ownNamespaceCheck({ area: 'net', ns: 'net', profiles: [...ALL], references: [OCI_NET, CIS_NET], negativeControls: NEG }),
  check(
    {
      id: 'net.host-listener-unreachable',
      area: 'net',
      title: "a TCP listener on the host's 127.0.0.1 is unreachable",
      profiles: [...ALL],
      references: [OCI_NET, CIS_NET],
      needs: ['container', 'sentinels'],
      sentinels: ['tcp'],
      settings: ['ns.net'],
      negativeControls: [...NEG, GVISOR_HOST_NETWORK],
    },
    ({ container, sentinels }) => {
      const t = container.sentinels.tcp;
      const evidence = `connect(127.0.0.1:${sentinels.tcpPort}) inside: ${errnoName(t?.errno)} (the host reaches it)`;
      expect(t, 'the probe made no connect attempt').to.not.equal(undefined);
      expect(errnoName(t!.errno), `host listener reachable: ${evidence}`).to.not.equal('success');
      return evidence;
    },
  ),
  check(
    {
      id: 'net.abstract-socket-unreachable',
      area: 'net',
      title: 'a host abstract unix socket is unreachable',
      profiles: [...ALL],
      references: ['CVE-2020-15257', 'unix(7) abstract namespace'],
      needs: ['container', 'sentinels'],
      sentinels: ['abstract'],
      settings: ['ns.net'],
      negativeControls: NEG,
    },
    ({ container, sentinels }) => {
      const a = container.sentinels.abstract;
      const evidence = `connect(@${sentinels.abstractName}) inside: ${errnoName(a?.errno)} (the host reaches it)`;
      expect(a, 'the probe made no connect attempt').to.not.equal(undefined);
      expect(errnoName(a!.errno), `host abstract socket reachable: ${evidence}`).to.not.equal('success');
      return evidence;
    },
  ),
  check(
    {
      id: 'net.host-interfaces-absent',
      area: 'net',
      title: "the host's network interfaces are absent",
      profiles: [...ALL],
      references: [OCI_NET],
      needs: ['container', 'reference'],
      settings: ['ns.net'],
      negativeControls: [...NEG, GVISOR_HOST_NETWORK],
    },
    ({ container, reference }) => {
      const hostAddrs = new Set(reference.ipv4Addresses);
      if (hostAddrs.size === 0) skip('host-interface', 'the host has no non-loopback address to look for');
      const seen = container.interfaces.flatMap((i) => i.addrs.filter((a) => hostAddrs.has(a)).map((a) => `${i.name} ${a}`));
      const evidence = `container interfaces: ${container.interfaces.map((i) => `${i.name} [${i.addrs.join(' ')}]`).join(', ')}; host addresses: ${[...hostAddrs].join(' ')}`;
      expect(seen, `host addresses visible inside: ${evidence}`).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    {
      id: 'net.can-bind-host-port',
      area: 'net',
      title: 'the port the host is listening on can be bound inside',
      profiles: [...ALL],
      references: [OCI_NET],
      needs: ['container', 'sentinels'],
      sentinels: ['tcp'],
      settings: ['ns.net'],
      negativeControls: [...NEG, GVISOR_HOST_NETWORK],
    },
    ({ container, sentinels }) => {
      const b = container.sentinels.bind_port;
      const evidence = `bind(127.0.0.1:${sentinels.tcpPort}) inside: ${errnoName(b?.errno)} (busy on the host)`;
      expect(b, 'the probe made no bind attempt').to.not.equal(undefined);
      expect(errnoName(b!.errno), evidence).to.equal('success');
      return evidence;
    },
  ),
];
