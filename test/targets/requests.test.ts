/**
 * What the built-in runtime and bwrap say they are asked for (their request()), by what their
 * command lines send: the conformance checks compare exactly these.
 */
import { expect } from 'chai';
import { builtin, type BuiltinTargetConfig } from '../../targets/builtin/driver.js';
import { bwrap, type BwrapTargetConfig } from '../../targets/bwrap/driver.js';
import { parseTargetConfig } from '../../targets/registry.js';

const parse = <C>(t: Record<string, unknown>) => parseTargetConfig({ targets: [{ name: 't', ...t }] }, 'x.json')[0] as C;
const ARGV = ['/isoprobe/probe', 'facts'];

describe('requests of the runtimes sent the whole spec', () => {
  it('builtin: its hardened defaults from isoprobe, root 0:0 with no groups, its read-only root and paths', () => {
    const cfg = parse<BuiltinTargetConfig>({ runtime: 'builtin' });
    const r = builtin.request(cfg, builtin.spec(cfg, ARGV));
    expect(r.user).to.deep.equal({ value: { uid: 0, gid: 0, groups: [] }, source: 'isoprobe' });
    expect(r.readonlyRootfs).to.deep.equal({ value: true, source: 'isoprobe' });
    expect(r.maskedPaths?.value).to.include('/proc/kcore');
    expect(r.readonlyPaths?.value).to.deep.equal(['/proc/sys', '/proc/sysrq-trigger', '/proc/irq', '/proc/bus']);
    expect(r['ns.time']).to.deep.equal({ value: 'new', source: 'isoprobe' });
    expect([r.sysctls, r.rlimits]).to.deep.equal([undefined, undefined]);
  });

  it('builtin: a shared mount namespace asks for no root or paths of its own; --keep-caps in the host user namespace is the harness bounding set', () => {
    const mnt = parse<BuiltinTargetConfig>({ runtime: 'builtin', share: ['mnt'] });
    const r = builtin.request(mnt, builtin.spec(mnt, ARGV));
    expect([r.readonlyRootfs, r.maskedPaths, r.readonlyPaths]).to.deep.equal([undefined, undefined, undefined]);
    expect(r['ns.mnt']).to.deep.equal({ value: 'host', source: 'user config' });
    const all = parse<BuiltinTargetConfig>({ runtime: 'builtin', share: ['user'], caps: 'all' });
    const caps = builtin.request(all, builtin.spec(all, ARGV)).caps!;
    expect(caps.source).to.equal('user config');
    expect(caps.value.add).to.not.include('ALL');
    const own = parse<BuiltinTargetConfig>({ runtime: 'builtin', caps: 'all' });
    expect(builtin.request(own, builtin.spec(own, ARGV)).caps?.value).to.deep.equal({ add: ['ALL'], drop: [] });
  });

  it('bwrap: the namespaces but time, the hostname, a read-only root and no_new_privs; nothing else', () => {
    const cfg = parse<BwrapTargetConfig>({ runtime: 'bwrap' });
    const r = bwrap.request(cfg, bwrap.spec(cfg, ARGV));
    expect(Object.keys(r).sort()).to.deep.equal(
      ['hostname', 'noNewPrivs', 'ns.cgroup', 'ns.ipc', 'ns.mnt', 'ns.net', 'ns.pid', 'ns.user', 'ns.uts', 'readonlyRootfs'].sort(),
    );
  });
});
