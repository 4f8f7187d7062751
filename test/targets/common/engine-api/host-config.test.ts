import { expect } from 'chai';
import { PROFILE_NEEDS } from '../../../../model/profile-needs.js';
import { DEFAULT_SPEC, type ContainerSpec } from '../../../../model/spec.js';
import { createOptions, dockerCreate, mergeHostConfig, translateHostConfig, type Translation } from '../../../../targets/common/engine-api/host-config.js';

function spec(over: Partial<ContainerSpec> = {}): ContainerSpec {
  return { ...DEFAULT_SPEC, limits: {}, noNewPrivs: false, hostname: '', argv: ['/isoprobe/probe', 'facts'], ...over };
}

const NOTHING: Translation = { missingCaps: [], needs: {}, user: { limits: 'default' } };

describe('ContainerSpec → Docker HostConfig', () => {
  it('sends only AutoRemove off when nothing is asked: no limits, no no-new-privileges, no Init', () => {
    expect(translateHostConfig(spec(), NOTHING)).to.deep.equal({ AutoRemove: false });
  });

  it('asks for the limits and no_new_privs the spec carries (request: profile), MemorySwap = Memory', () => {
    expect(translateHostConfig(spec({ limits: DEFAULT_SPEC.limits, noNewPrivs: true }), NOTHING)).to.deep.equal({
      AutoRemove: false,
      PidsLimit: 64,
      Memory: 67_108_864,
      MemorySwap: 67_108_864,
      NanoCpus: 500_000_000,
      SecurityOpt: ['no-new-privileges:true'],
    });
  });

  it("asks for a private cgroup and IPC namespace where the profile needs them (Docker's names for private)", () => {
    expect(translateHostConfig(spec(), { ...NOTHING, needs: PROFILE_NEEDS.restricted })).to.include({ CgroupnsMode: 'private', IpcMode: 'private' });
    expect(translateHostConfig(spec(), { ...NOTHING, needs: PROFILE_NEEDS.baseline })).to.not.have.property('CgroupnsMode');
    expect(translateHostConfig(spec({ share: ['cgroup'] }), { ...NOTHING, needs: PROFILE_NEEDS.restricted })).to.include({ CgroupnsMode: 'host' });
  });

  const modes: [ContainerSpec['share'][number], string][] = [
    ['pid', 'PidMode'],
    ['net', 'NetworkMode'],
    ['ipc', 'IpcMode'],
    ['uts', 'UTSMode'],
    ['cgroup', 'CgroupnsMode'],
    ['user', 'UsernsMode'],
  ];
  for (const [ns, field] of modes) {
    it(`share=${ns} → ${field}=host`, () => {
      expect(translateHostConfig(spec({ share: [ns] }), NOTHING)).to.have.property(field, 'host');
    });
  }

  it('refuses what Docker cannot share', () => {
    expect(() => translateHostConfig(spec({ share: ['mnt'] }), NOTHING)).to.throw(/cannot share the mnt namespace/);
    expect(() => translateHostConfig(spec({ share: ['time'] }), NOTHING)).to.throw(/time/);
  });

  it("caps=all is CapAdd ALL minus what the host's bounding set lacks; seccomp none; the user's explicit weakenings are sent", () => {
    const hc = translateHostConfig(spec({ caps: 'all', seccomp: 'none' }), {
      missingCaps: ['CAP_SYS_RESOURCE'],
      needs: {},
      user: { noNewPrivs: false, limits: 'none' },
    });
    expect(hc).to.deep.equal({
      AutoRemove: false,
      PidsLimit: 0,
      Memory: 0,
      NanoCpus: 0,
      CapAdd: ['ALL'],
      CapDrop: ['SYS_RESOURCE'],
      SecurityOpt: ['seccomp=unconfined', 'no-new-privileges:false'],
    });
  });
});

describe('raw HostConfig over the translated one', () => {
  const base = translateHostConfig(spec({ limits: DEFAULT_SPEC.limits, noNewPrivs: true }), NOTHING);

  it('replaces and adds fields, and removes one given as null', () => {
    const hc = mergeHostConfig(base, { PidMode: 'host', PidsLimit: null, MemorySwap: -1 });
    expect(hc).to.include({ PidMode: 'host', Memory: 67_108_864, MemorySwap: -1 });
    expect(hc).to.not.have.property('PidsLimit');
  });

  it('a Memory without MemorySwap sends no MemorySwap, as `docker run --memory` alone', () => {
    const hc = mergeHostConfig(base, { Memory: 268_435_456 });
    expect(hc).to.include({ Memory: 268_435_456 });
    expect(hc).to.not.have.property('MemorySwap');
    expect(mergeHostConfig(base, { Memory: 1 << 30, MemorySwap: 2 << 30 })).to.include({ Memory: 1 << 30, MemorySwap: 2 << 30 });
  });

  it('merges SecurityOpt by option name: seccomp=unconfined keeps no-new-privileges', () => {
    expect(mergeHostConfig(base, { SecurityOpt: ['seccomp=unconfined'] }).SecurityOpt).to.deep.equal(['no-new-privileges:true', 'seccomp=unconfined']);
    expect(mergeHostConfig(base, { SecurityOpt: ['no-new-privileges:false'] }).SecurityOpt).to.deep.equal(['no-new-privileges:false']);
  });

  it('is the translated one when there is none', () => {
    expect(mergeHostConfig(base, undefined)).to.equal(base);
  });
});

describe('Docker create options', () => {
  const inputs = { name: 'isoprobe-1-1-docker', image: 'isoprobe-probe:abc', labels: { isoprobe: '1' }, hostConfig: { AutoRemove: false } };

  it("keeps stdin open for the go byte, without a tty, as root; no Hostname (Docker's own)", () => {
    const o = createOptions(['/isoprobe/probe', 'facts', '--wait-stdin'], inputs);
    expect(o).to.deep.include({
      name: 'isoprobe-1-1-docker',
      Image: 'isoprobe-probe:abc',
      Cmd: ['/isoprobe/probe', 'facts', '--wait-stdin'],
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      Tty: false,
      User: '0:0',
      WorkingDir: '/',
      Labels: { isoprobe: '1' },
    });
    expect(o).to.not.have.property('Hostname');
  });

  it("takes the config's container fields over its own (a non-root user, a hostname)", () => {
    const o = createOptions(['/p'], { ...inputs, container: { User: '1000:1000', Hostname: 'web' } });
    expect(o).to.deep.include({ User: '1000:1000', Hostname: 'web', Cmd: ['/p'] });
  });

  it('a user Memory alone, with request: profile, is one the daemon accepts (no MemorySwap below it)', () => {
    const o = dockerCreate(
      spec({ limits: DEFAULT_SPEC.limits, noNewPrivs: true }),
      ['/p'],
      { ...NOTHING, needs: PROFILE_NEEDS.restricted, hostConfig: { Memory: 268_435_456 } },
      { name: 'n', image: 'i', labels: {} },
    );
    expect(o.HostConfig).to.include({ Memory: 268_435_456, PidsLimit: 64, NanoCpus: 500_000_000, CgroupnsMode: 'private' });
    expect(o.HostConfig).to.not.have.property('MemorySwap');
  });

  it('adds the runtime the config names', () => {
    const o = dockerCreate(spec(), ['/p'], { ...NOTHING, dockerRuntime: 'crun' }, { name: 'n', image: 'i', labels: {} });
    expect(o.HostConfig).to.deep.equal({ AutoRemove: false, Runtime: 'crun' });
  });
});

describe('a Docker sibling that joins the first (the cross area)', () => {
  it("uses container:<name> modes (no hostname of its own: Docker copies the network container's)", () => {
    const hc = translateHostConfig(spec({ joinSibling: { namespaces: ['pid', 'ipc', 'net'], pid: 1, ref: 'first' } }), NOTHING);
    expect([hc.PidMode, hc.IpcMode, hc.NetworkMode]).to.deep.equal(['container:first', 'container:first', 'container:first']);
    const create = createOptions(['/p'], { name: 'n', image: 'i', labels: {}, hostConfig: hc });
    expect(create.Hostname).to.equal(undefined);
  });

  it('makes the first IPC namespace shareable, which Docker requires of one to be joined, also under "request": "profile"', () => {
    expect(translateHostConfig(spec({ sharedWithSibling: ['ipc'] }), NOTHING).IpcMode).to.equal('shareable');
    expect(translateHostConfig(spec({ sharedWithSibling: ['ipc'] }), { ...NOTHING, needs: PROFILE_NEEDS.restricted }).IpcMode).to.equal('shareable');
    expect(translateHostConfig(spec({ sharedWithSibling: ['pid'] }), NOTHING).IpcMode).to.equal(undefined);
  });

  it('refuses a UTS join: Docker has no container: mode for it', () => {
    expect(() => translateHostConfig(spec({ joinSibling: { namespaces: ['uts'], pid: 1, ref: 'first' } }), NOTHING)).to.throw(/UTS/);
  });
});
