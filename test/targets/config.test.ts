import { expect } from 'chai';
import { ConfigError } from '../../model/errors.js';
import { builtin, type BuiltinTargetConfig } from '../../targets/builtin/driver.js';
import { docker, type DockerTargetConfig } from '../../targets/docker/driver.js';
import { knownShorthands, parseTargetConfig, targetsFromRuntimes } from '../../targets/registry.js';

describe('target config', () => {
  it('fills defaults', () => {
    const [t] = parseTargetConfig({ targets: [{ name: 'b', runtime: 'builtin' }] }, 'x.json');
    expect(t).to.deep.equal({ name: 'b', runtime: 'builtin', share: [], rootChange: 'pivot_root', caps: 'default', limits: 'default' });
  });
  const bad: [unknown, RegExp][] = [
    [{}, /x\.json: targets: /],
    [{ targets: [{ name: 'B!', runtime: 'builtin' }] }, /targets\.0\.name/],
    [{ targets: [{ name: 'b', runtime: 'builtin', share: ['pidd'] }] }, /targets\.0\.share\.0/],
    [{ targets: [{ name: 'b', runtime: 'builtin', bogus: 1 }] }, /bogus/],
    [
      {
        targets: [
          { name: 'b', runtime: 'builtin' },
          { name: 'b', runtime: 'builtin' },
        ],
      },
      /used twice/,
    ],
  ];
  for (const [raw, msg] of bad) {
    it(`rejects ${JSON.stringify(raw)} with one clear line`, () => {
      expect(() => parseTargetConfig(raw, 'x.json')).to.throw(ConfigError, msg);
    });
  }
  it('rejects an unknown runtime by name, listing the known ones', () => {
    expect(() => targetsFromRuntimes(['builtin', 'no-such-kind'])).to.throw(
      ConfigError,
      `unknown runtime "no-such-kind" (known: ${knownShorthands.join(', ')};`,
    );
  });
  it('maps --runtime docker,runc,crun to the Docker and OCI defaults', () => {
    const common = { share: [], rootChange: 'pivot_root', caps: 'default', limits: 'default' };
    expect(targetsFromRuntimes(['docker', 'runc', 'crun'])).to.deep.equal([
      { name: 'docker', runtime: 'docker', ...common },
      { name: 'runc', runtime: 'oci', binary: 'runc', ...common },
      { name: 'crun', runtime: 'oci', binary: 'crun', ...common },
    ]);
  });
  it("takes the issue's example config: a raw HostConfig, an OCI binary with a spec patch", () => {
    const targets = parseTargetConfig(
      {
        targets: [
          { name: 'docker-hostpid', runtime: 'docker', hostConfig: { PidMode: 'host' } },
          { name: 'docker-crun', runtime: 'docker', dockerRuntime: 'crun' },
          { name: 'runc', runtime: 'oci', binary: 'runc', specPatch: { linux: { namespaces: [{ type: 'pid' }] } } },
          { name: 'builtin-sharenet', runtime: 'builtin', share: ['net'] },
        ],
      },
      'x.json',
    );
    expect(targets.map((t: { runtime: string }) => t.runtime)).to.deep.equal(['docker', 'docker', 'oci', 'builtin']);
    expect(targets[0]).to.deep.include({ hostConfig: { PidMode: 'host' } });
    expect(targets[2]).to.deep.include({ binary: 'runc', specPatch: { linux: { namespaces: [{ type: 'pid' }] } } });
  });
  const badRuntimeTargets: [unknown, RegExp][] = [
    [{ name: 'd', runtime: 'docker', hostConfig: { pidMode: 'host' } }, /targets\.0\.hostConfig: HostConfig field names are PascalCase/],
    [{ name: 'd', runtime: 'docker', hostConfig: ['PidMode'] }, /targets\.0\.hostConfig/],
    [{ name: 'd', runtime: 'docker', share: ['mnt'] }, /targets\.0\.share\.0/],
    [{ name: 'd', runtime: 'docker', rootChange: 'chroot' }, /only the built-in runtime can use "chroot"/],
    [{ name: 'd', runtime: 'docker', leakHostFd: true }, /leakHostFd/],
    [{ name: 'd', runtime: 'docker', cgroupfs: 'rw' }, /cgroupfs/],
    [{ name: 'b', runtime: 'builtin', cgroupfs: 'writable' }, /targets\.0\.cgroupfs/],
    [{ name: 'o', runtime: 'oci' }, /targets\.0\.binary/],
    [{ name: 'o', runtime: 'oci', binary: 'runc', specPatch: 'x' }, /targets\.0\.specPatch/],
    [{ name: 'o', runtime: 'no-such-kind' }, /targets\.0\.runtime/],
  ];
  for (const [t, msg] of badRuntimeTargets) {
    it(`rejects the target ${JSON.stringify(t)}`, () => {
      expect(() => parseTargetConfig({ targets: [t] }, 'x.json')).to.throw(ConfigError, msg);
    });
  }
  it('gives Docker and OCI targets the same spec as the built-in one', () => {
    const [d] = parseTargetConfig({ targets: [{ name: 'd', runtime: 'docker', share: ['pid'], caps: 'all', seccomp: 'none' }] }, 'x');
    expect(docker.spec(d as DockerTargetConfig, ['/p'])).to.deep.include({
      share: ['pid'],
      caps: 'all',
      seccomp: 'none',
      leakHostFd: false,
      rootChange: 'pivot_root',
    });
  });
  it("leaves Docker's limits, no_new_privs and hostname to the daemon unless the config asks (request: profile)", () => {
    const [d, p] = parseTargetConfig(
      {
        targets: [
          { name: 'd', runtime: 'docker' },
          { name: 'p', runtime: 'docker', request: 'profile', container: { Hostname: 'web' } },
        ],
      },
      'x',
    );
    expect(docker.spec(d as DockerTargetConfig, ['/p'], 'restricted')).to.deep.include({ limits: {}, noNewPrivs: false, hostname: '' });
    expect(docker.spec(p as DockerTargetConfig, ['/p'], 'restricted')).to.deep.include({
      limits: { pids: 64, memoryBytes: 64 * 2 ** 20, cpus: 0.5 },
      noNewPrivs: true,
      hostname: 'web',
    });
    expect(docker.spec(p as DockerTargetConfig, ['/p'], 'baseline')).to.deep.include({ limits: {}, noNewPrivs: false });
  });
  it('mounts cgroupfs read-only unless a built-in target asks for "cgroupfs": "rw"', () => {
    const [b, rw] = parseTargetConfig(
      {
        targets: [
          { name: 'b', runtime: 'builtin' },
          { name: 'rw', runtime: 'builtin', cgroupfs: 'rw' },
        ],
      },
      'x',
    );
    expect(builtin.spec(b as BuiltinTargetConfig, ['/p']).cgroupfs).to.equal('ro');
    expect(builtin.spec(rw as BuiltinTargetConfig, ['/p']).cgroupfs).to.equal('rw');
  });
  it('turns "limits: none" into an empty limit set', () => {
    const [t] = parseTargetConfig({ targets: [{ name: 'b', runtime: 'builtin', limits: 'none' }] }, 'x');
    expect(builtin.spec(t as BuiltinTargetConfig, ['/p']).limits).to.deep.equal({});
  });

  it('takes "control": true on any kind of target, and only a boolean', () => {
    const [t] = parseTargetConfig({ targets: [{ name: 'docker-privileged', runtime: 'docker', control: true, hostConfig: { Privileged: true } }] }, 'x.json');
    expect(t!.control).to.equal(true);
    expect(parseTargetConfig({ targets: [{ name: 'b', runtime: 'builtin' }] }, 'x.json')[0]!.control).to.equal(undefined);
    expect(() => parseTargetConfig({ targets: [{ name: 'b', runtime: 'builtin', control: 'yes' }] }, 'x.json')).to.throw(ConfigError, /targets\.0\.control/);
  });
});

describe('joinSibling (the cross area negative controls)', () => {
  const parse = (t: Record<string, unknown>) => () => parseTargetConfig({ targets: [{ name: 't', ...t }] }, 'test');
  it('builtin and oci accept any of pid, ipc, net, uts', () => {
    expect(parse({ runtime: 'builtin', joinSibling: ['pid', 'ipc', 'net', 'uts'] })).to.not.throw();
    expect(parse({ runtime: 'oci', binary: 'runc', joinSibling: ['uts'] })).to.not.throw();
    expect(parse({ runtime: 'builtin', joinSibling: ['mnt'] })).to.throw(/joinSibling/);
  });

  it('docker refuses uts (no container: mode for it), bwrap the whole field (it cannot join another sandbox)', () => {
    expect(parse({ runtime: 'docker', joinSibling: ['pid', 'net'] })).to.not.throw();
    expect(parse({ runtime: 'docker', joinSibling: ['uts'] })).to.throw(/no container: mode for UTS/);
    expect(parse({ runtime: 'bwrap', joinSibling: ['pid'] })).to.throw(/joinSibling/);
  });
});
