import { expect } from 'chai';
import { localIpv4Addresses } from '../../../model/parse/fib-trie.js';

/** This VM's local table, shortened: eth0, docker0 (no container attached: no carrier) and lo. */
const LOCAL = `Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 0.0.0.0
        /0 universe UNICAST
     +-- 172.17.0.0/16 2 0 2
        |-- 172.17.0.0
           /16 link UNICAST
        |-- 172.17.0.1
           /32 host LOCAL
        |-- 172.17.255.255
           /32 link BROADCAST
Local:
  +-- 0.0.0.0/0 3 0 5
     +-- 127.0.0.0/8 2 0 2
        |-- 127.0.0.1
           /32 host LOCAL
     |-- 192.0.2.2
        /32 host LOCAL
     |-- 172.17.0.1
        /32 host LOCAL
`;

describe('/proc/net/fib_trie', () => {
  it('lists each local address once, without loopback or broadcast addresses', () => {
    expect(localIpv4Addresses(LOCAL)).to.have.members(['172.17.0.1', '192.0.2.2']).and.have.length(2);
  });
  it('an empty table (a namespace with only lo down) has no address', () => {
    expect(localIpv4Addresses('Main:\nLocal:\n')).to.deep.equal([]);
  });
});
