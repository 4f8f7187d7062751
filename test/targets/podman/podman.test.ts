/** The podman target's pure parts: its create request, what it records as asked and by whom, its dirs and its user. */
import { expect } from 'chai';
import { harnessNofile, PODMAN_NPROC, podmanCreate, podmanOwn } from '../../../targets/podman/create.js';
import { containersConf, serviceBase, serviceDirs } from '../../../targets/podman/dirs.js';
import { podman, podmanAsk, type PodmanTargetConfig } from '../../../targets/podman/driver.js';
import { hasRange, passwdEntry } from '../../../targets/podman/user.js';
import { parseTargetConfig } from '../../../targets/registry.js';

const cfg = (more: Record<string, unknown> = {}): PodmanTargetConfig =>
  parseTargetConfig({ targets: [{ name: 'p', runtime: 'podman', ...more }] }, 'test')[0] as PodmanTargetConfig;

const request = (c: PodmanTargetConfig, profile?: 'baseline' | 'restricted' | 'strict') =>
  podman.request(c, podman.spec(c, ['/isoprobe/probe', 'facts'], profile), profile);

describe('podman target: the create request', () => {
  it("sends isoprobe's own fields for this host only: runc is containers.conf's, rlimits and the network are HostConfig's", () => {
    expect(podmanOwn({ rootless: false, nofile: 20000 }, {})).to.deep.equal({
      NetworkMode: 'none',
      Ulimits: [
        { Name: 'nofile', Soft: 20000, Hard: 20000 },
        { Name: 'nproc', Soft: PODMAN_NPROC, Hard: PODMAN_NPROC },
      ],
    });
    expect(podmanOwn({ rootless: true, nofile: 20000 }, {})).to.deep.equal({ NetworkMode: 'slirp4netns' });
    // The spec's own network mode (shared with the host, a sibling's) stays.
    expect(podmanOwn({ rootless: false, nofile: 1 }, { NetworkMode: 'host' })).to.not.have.property('NetworkMode');
    expect(containersConf()).to.include('runtime = "runc"').and.include('cgroup_manager = "cgroupfs"');
  });

  it("leaves Podman's defaults alone otherwise: no limits, capabilities, seccomp or no-new-privileges asked", () => {
    const c = cfg();
    const create = podmanCreate(podman.spec(c, ['/p'], 'strict'), ['/p'], podmanAsk(c, 'strict', [], 20000), { name: 'n', image: 'i', labels: {} });
    expect(Object.keys(create.HostConfig ?? {}).sort()).to.deep.equal(['AutoRemove', 'NetworkMode', 'Ulimits']);
    // The probe's identity (User 0:0) is isoprobe's, as for Docker.
    expect(Object.keys(request(c, 'strict')).sort()).to.deep.equal(['ns.net', 'rlimits', 'user']);
  });

  it("the config raw fields win over isoprobe's own, and are sourced to the config", () => {
    const r = request(cfg({ hostConfig: { NetworkMode: 'host', Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 10 }] } }));
    expect(r['ns.net']).to.deep.equal({ value: 'host', source: 'user config' });
    expect(r.rlimits).to.deep.equal({ value: { nofile: { soft: 10, hard: 10 } }, source: 'user config' });
  });

  it('records a private cgroup namespace asked by "request": "profile" (Podman 4.3 ignores it: conformance judges)', () => {
    expect(request(cfg({ request: 'profile' }), 'restricted')['ns.cgroup']).to.deep.equal({ value: 'new', source: 'isoprobe' });
    expect(request(cfg({ hostConfig: { CgroupnsMode: 'private' } }))['ns.cgroup']).to.deep.equal({ value: 'new', source: 'user config' });
  });

  it('refuses HostConfig.Runtime, which Podman 4.3 ignores', () => {
    expect(() => cfg({ hostConfig: { Runtime: 'crun' } })).to.throw(/ignores HostConfig.Runtime/);
  });

  it("describes isoprobe's requests with their reasons, rootful and rootless", () => {
    const rows = (c: PodmanTargetConfig) => Object.fromEntries(podman.describe(c).map((s) => [s.setting, `${s.source}: ${s.value}`]));
    const rootful = rows(cfg());
    expect(rootful['oci-runtime']).to.match(/^isoprobe: runc .*crun refuses hybrid cgroups/);
    expect(rootful.network).to.match(/^isoprobe: none /);
    expect(rootful.rlimits).to.match(/^isoprobe: nofile=\d+ nproc=32768 .*CAP_SYS_RESOURCE/);
    const rootless = rows(cfg({ rootless: true }));
    expect(rootless.network).to.match(/^isoprobe: slirp4netns /);
    expect(rootless).to.not.have.property('rlimits');
    expect(rootless.rootless).to.equal('user config: true');
  });

  it('the two --runtime names are rootful and rootless podman', () => {
    expect(podman.shorthands).to.deep.equal({
      podman: { name: 'podman', runtime: 'podman' },
      'podman-rootless': { name: 'podman-rootless', runtime: 'podman', rootless: true },
    });
  });

  it("reads the harness's hard nofile from /proc/<pid>/limits", () => {
    const limits =
      'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 20000                files     \n';
    expect(harnessNofile(limits)).to.equal(20000);
  });
});

describe('podman target: its directories and its user', () => {
  it("keeps a rootless service's runroot under Podman's 50-character limit", () => {
    const d = serviceDirs(serviceBase('0123456789ab', { name: 'u', uid: 999, gid: 999, home: '/var/lib/isoprobe-rootless' }));
    expect(d.runroot.length).to.be.at.most(50);
    expect(d.base).to.equal('/var/lib/isoprobe-rootless/i-0123456789ab');
    expect(serviceBase('0123456789ab')).to.match(/\/podman-0123456789ab$/);
  });

  it('finds the account and its subordinate ranges', () => {
    const u = passwdEntry('root:x:0:0:root:/root:/bin/bash\nisoprobe-rootless:x:999:998::/var/lib/isoprobe-rootless:/usr/sbin/nologin\n', 'isoprobe-rootless');
    expect(u).to.deep.equal({ name: 'isoprobe-rootless', uid: 999, gid: 998, home: '/var/lib/isoprobe-rootless' });
    expect(hasRange('isoprobe-rootless:100000:65536\n', u!)).to.equal(true);
    expect(hasRange('999:100000:65536\n', u!)).to.equal(true);
    expect(hasRange('other:100000:65536\n', u!)).to.equal(false);
    expect(passwdEntry('root:x:0:0:root:/root:/bin/bash\n', 'nobody-here')).to.equal(null);
  });
});
