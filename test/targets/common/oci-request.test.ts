/**
 * The OCI request is read back from the config.json the target sends (targets/common/oci-request.ts):
 * the bundle's defaults are isoprobe's, a common option the user set is the user's, and whatever
 * the specPatch changes, adds or removes is the user's.
 */
import { expect } from 'chai';
import { DEFAULT_CAPS, DEFAULT_SPEC, type ContainerSpec } from '../../../model/spec.js';
import { ociRequest, requestValues } from '../../../targets/common/oci-request.js';
import type { OciTargetConfig } from '../../../targets/oci/driver.js';

const HOST_CAPS = [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'];
const cfg = (extra: Partial<OciTargetConfig> = {}): OciTargetConfig => ({
  name: 'runc',
  runtime: 'oci',
  binary: 'runc',
  share: [],
  rootChange: 'pivot_root',
  caps: 'default',
  limits: 'default',
  ...extra,
});
const spec = (extra: Partial<ContainerSpec> = {}): ContainerSpec => ({ ...DEFAULT_SPEC, argv: ['/isoprobe/probe'], ...extra });

describe('OCI request', () => {
  it('says what the default bundle asks for, all of it from isoprobe', () => {
    const r = ociRequest(cfg(), spec(), HOST_CAPS);
    expect(r['ns.time']).to.deep.equal({ value: 'new', source: 'isoprobe' });
    expect(r.caps).to.deep.equal({ value: { add: [], drop: [] }, source: 'isoprobe' });
    expect(r.seccomp?.value).to.equal('default');
    expect(r.noNewPrivs?.value).to.equal(true);
    expect([r['limits.pids']?.value, r['limits.memory']?.value, r['limits.cpu']?.value]).to.deep.equal([64, 64 * 1024 * 1024, 0.5]);
    expect(r.readonlyRootfs?.value).to.equal(true);
    expect(r.user?.value).to.deep.equal({ uid: 0, gid: 0 });
    expect(r.hostname?.value).to.equal('isoprobe');
    expect(r.timeOffsets?.value).to.deep.equal({ monotonicSec: 604800, boottimeSec: 777600 });
    expect(r.maskedPaths?.value).to.include('/proc/kcore');
    expect(r.readonlyPaths?.value).to.include('/proc/sys');
    expect(r.rlimits?.value).to.deep.equal({ nofile: { soft: 1024, hard: 1024 } });
    expect(r.sysctls).to.equal(undefined);
    expect(Object.values(r).every((x) => x?.source === 'isoprobe')).to.equal(true);
  });

  it('sources the common options the user set to the user config', () => {
    const r = ociRequest(cfg({ caps: 'all', limits: 'none', seccomp: 'none' }), spec({ caps: 'all', limits: {}, seccomp: 'none' }), HOST_CAPS);
    expect(r.caps).to.deep.equal({ value: { add: ['CAP_SYS_ADMIN'], drop: [] }, source: 'user config' });
    expect(r['limits.pids']).to.deep.equal({ value: 0, source: 'user config' });
    expect(r.seccomp).to.deep.equal({ value: 'unconfined', source: 'user config' });
    const shared = ociRequest(cfg({ share: ['pid'] }), spec({ share: ['pid'] }), HOST_CAPS);
    expect(shared['ns.pid']).to.deep.equal({ value: 'host', source: 'user config' });
  });

  it('reads the specPatch: what it changes, adds or removes is the user config', () => {
    const specPatch = {
      hostname: null,
      process: { user: { uid: 1000, gid: 1000, additionalGids: [4242] }, rlimits: [{ type: 'RLIMIT_NPROC', soft: 10, hard: 20 }] },
      linux: { namespaces: [{ type: 'pid' }, { type: 'network', path: '/proc/42/ns/net' }], sysctl: { 'net.ipv4.ip_forward': '0' }, seccomp: null },
    };
    const r = ociRequest(cfg({ specPatch }), spec(), HOST_CAPS);
    expect(r.hostname).to.equal(undefined);
    expect(r.user).to.deep.equal({ value: { uid: 1000, gid: 1000, groups: [4242] }, source: 'user config' });
    expect(r.rlimits).to.deep.equal({ value: { nproc: { soft: 10, hard: 20 } }, source: 'user config' });
    expect(r['ns.pid']).to.deep.equal({ value: 'new', source: 'isoprobe' });
    expect(r['ns.net']).to.deep.equal({ value: 'joined:/proc/42/ns/net', source: 'user config' });
    expect(r['ns.uts']).to.deep.equal({ value: 'host', source: 'user config' });
    expect(r.sysctls).to.deep.equal({ value: { 'net.ipv4.ip_forward': '0' }, source: 'user config' });
    expect(r.seccomp).to.deep.equal({ value: 'unconfined', source: 'user config' });
    expect(r.readonlyRootfs).to.deep.equal({ value: true, source: 'isoprobe' });
  });

  it('reads a custom filter as custom, and a config with no capabilities as dropping the default set', () => {
    const v = requestValues({ linux: { seccomp: { defaultAction: 'SCMP_ACT_ALLOW' } }, process: {} });
    expect(v.seccomp).to.equal('custom');
    expect(v.caps).to.deep.equal({ add: [], drop: [...DEFAULT_CAPS] });
    expect(v.noNewPrivs).to.equal(false);
  });
});
