import { expect } from 'chai';
import { ParseError } from '../../../model/parse/lines.js';
import { CAP_NAMES, capBit, capNames, parseStatus } from '../../../model/parse/status.js';

/** Recorded on the development VM: the host lacks CAP_SYS_RESOURCE (bit 24) everywhere. */
const HOST = `Name:\tprobe
Umask:\t0022
State:\tR (running)
Pid:\t8407
NSpid:\t8407
Uid:\t0\t0\t0\t0
Gid:\t0\t0\t0\t0
CapInh:\t0000000000000000
CapPrm:\t000001fffeffffff
CapEff:\t000001fffeffffff
CapBnd:\t000001fffeffffff
CapAmb:\t0000000000000000
NoNewPrivs:\t0
Seccomp:\t0
Seccomp_filters:\t0
`;
/** A docker-like container: default caps, seccomp filter, no_new_privs, nested pid namespace. */
const CONTAINER = HOST.replace('NSpid:\t8407', 'NSpid:\t9001\t1')
  .replace(/CapPrm:.*\n/, 'CapPrm:\t00000000a80425fb\n')
  .replace(/CapEff:.*\n/, 'CapEff:\t00000000a80425fb\n')
  .replace(/CapBnd:.*\n/, 'CapBnd:\t00000000a80425fb\n')
  .replace('NoNewPrivs:\t0', 'NoNewPrivs:\t1')
  .replace('Seccomp:\t0', 'Seccomp:\t2');

describe('parseStatus', () => {
  it('reads the host record', () => {
    const s = parseStatus(HOST);
    expect(s).to.deep.equal({
      capInh: 0n,
      capPrm: 0x1fffeffffffn,
      capEff: 0x1fffeffffffn,
      capBnd: 0x1fffeffffffn,
      capAmb: 0n,
      seccomp: 0,
      noNewPrivs: false,
      uids: [0, 0, 0, 0],
      gids: [0, 0, 0, 0],
      groups: [],
      nsPids: [8407],
    });
    expect(capNames(s.capBnd)).to.not.include('CAP_SYS_RESOURCE');
  });
  it('reads the supplementary groups (Groups:, space-separated, empty when none)', () => {
    expect(parseStatus(HOST.replace('Gid:', 'Groups:\t4242 10 \nGid:')).groups).to.deep.equal([4242, 10]);
    expect(parseStatus(HOST.replace('Gid:', 'Groups:\t\nGid:')).groups).to.deep.equal([]);
  });
  it('reads a container record', () => {
    const s = parseStatus(CONTAINER);
    expect(s).to.deep.include({ seccomp: 2, noNewPrivs: true, nsPids: [9001, 1] });
    expect(capNames(s.capEff)).to.deep.equal([
      'CAP_CHOWN',
      'CAP_DAC_OVERRIDE',
      'CAP_FOWNER',
      'CAP_FSETID',
      'CAP_KILL',
      'CAP_SETGID',
      'CAP_SETUID',
      'CAP_SETPCAP',
      'CAP_NET_BIND_SERVICE',
      'CAP_NET_RAW',
      'CAP_SYS_CHROOT',
      'CAP_MKNOD',
      'CAP_AUDIT_WRITE',
      'CAP_SETFCAP',
    ]);
  });
  it('old kernels: no CapAmb, no Seccomp, no NoNewPrivs', () => {
    const s = parseStatus(HOST.replace(/^(CapAmb|Seccomp|NoNewPrivs).*\n/gm, ''));
    expect(s).to.deep.include({ capAmb: 0n, seccomp: null, noNewPrivs: null });
  });
  const bad: [string, string, RegExp][] = [
    ['a missing CapEff', HOST.replace(/CapEff:.*\n/, ''), /CapEff missing/],
    ['a non-hex mask', HOST.replace('CapBnd:\t000001fffeffffff', 'CapBnd:\tzz'), /CapBnd is not a hex mask/],
    ['a non-numeric Seccomp', HOST.replace('Seccomp:\t0', 'Seccomp:\tfilter'), /Seccomp is not a number/],
  ];
  for (const [name, text, message] of bad) it(`throws on ${name}`, () => expect(() => parseStatus(text)).to.throw(ParseError, message));
});

describe('capNames', () => {
  const cases: [bigint, string[]][] = [
    [0n, []],
    [1n, ['CAP_CHOWN']],
    [1n << 21n, ['CAP_SYS_ADMIN']],
    [1n << 40n, ['CAP_CHECKPOINT_RESTORE']],
    [(1n << 41n) | (1n << 63n), ['CAP_41', 'CAP_63']],
  ];
  for (const [mask, names] of cases) it(`0x${mask.toString(16)} → ${names.join(',') || 'none'}`, () => expect(capNames(mask)).to.deep.equal(names));
  it('names all 41 capabilities of Linux 5.9+', () => {
    expect(CAP_NAMES).to.have.length(41);
    expect(capNames((1n << 41n) - 1n)).to.deep.equal(CAP_NAMES);
  });
  it('capBit maps names back to bits', () => {
    expect([capBit('CAP_SYS_TIME'), capBit('sys_time'), capBit('CAP_NOPE')]).to.deep.equal([25, 25, -1]);
  });
});
