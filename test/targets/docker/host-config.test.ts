import { expect } from 'chai';
import { DEFAULT_SPEC, type ContainerSpec } from '../../../model/spec.js';
import { createOptions, mergeHostConfig, translateHostConfig } from '../../../targets/docker/host-config.js';

function spec(over: Partial<ContainerSpec> = {}): ContainerSpec {
  return { ...DEFAULT_SPEC, argv: ['/isoprobe/probe', 'facts'], ...over };
}

describe('ContainerSpec → Docker HostConfig', () => {
  it('leaves private namespaces to the daemon, sets the limits and no_new_privs', () => {
    expect(translateHostConfig(spec(), [])).to.deep.equal({
      Init: false,
      AutoRemove: false,
      PidsLimit: 64,
      Memory: 67_108_864,
      MemorySwap: 67_108_864,
      NanoCpus: 500_000_000,
      SecurityOpt: ['no-new-privileges:true'],
    });
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
      expect(translateHostConfig(spec({ share: [ns] }), [])).to.have.property(field, 'host');
    });
  }

  it('refuses what Docker cannot share', () => {
    expect(() => translateHostConfig(spec({ share: ['mnt'] }), [])).to.throw(/cannot share the mnt namespace/);
    expect(() => translateHostConfig(spec({ share: ['time'] }), [])).to.throw(/time/);
  });

  it("caps=all is CapAdd ALL minus what the host's bounding set lacks; no limits, no seccomp, no no_new_privs", () => {
    const hc = translateHostConfig(spec({ caps: 'all', limits: {}, seccomp: 'none', noNewPrivs: false }), ['CAP_SYS_RESOURCE']);
    expect(hc).to.deep.equal({ Init: false, AutoRemove: false, CapAdd: ['ALL'], CapDrop: ['SYS_RESOURCE'], SecurityOpt: ['seccomp=unconfined'] });
  });
});

describe('raw HostConfig over the translated one', () => {
  const base = translateHostConfig(spec(), []);

  it('replaces and adds fields, and removes one given as null', () => {
    const hc = mergeHostConfig(base, { PidMode: 'host', PidsLimit: null, Memory: 1 << 30 });
    expect(hc).to.include({ PidMode: 'host', Memory: 1 << 30, MemorySwap: 67_108_864 });
    expect(hc).to.not.have.property('PidsLimit');
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
  const inputs = { name: 'isoprobe-1-1-docker', image: 'isoprobe-probe:abc', labels: { isoprobe: '1' }, hostConfig: { Init: false } };

  it('keeps stdin open for the go byte, without a tty, with the probe as PID 1', () => {
    const o = createOptions(spec(), ['/isoprobe/probe', 'facts', '--wait-stdin'], inputs);
    expect(o).to.deep.include({
      name: 'isoprobe-1-1-docker',
      Image: 'isoprobe-probe:abc',
      Cmd: ['/isoprobe/probe', 'facts', '--wait-stdin'],
      Hostname: 'isoprobe',
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      Tty: false,
      User: '0:0',
      Labels: { isoprobe: '1' },
    });
  });

  it("sets no hostname when the UTS namespace is the host's (Docker refuses both)", () => {
    const o = createOptions(spec(), ['/p'], { ...inputs, hostConfig: { UTSMode: 'host' } });
    expect(o).to.not.have.property('Hostname');
  });
});

describe('a Docker sibling that joins the first (the cross area)', () => {
  it('uses container:<name> modes, and leaves out its hostname with the network of another container', () => {
    const hc = translateHostConfig(spec({ joinSibling: { namespaces: ['pid', 'ipc', 'net'], pid: 1, ref: 'first' } }), []);
    expect([hc.PidMode, hc.IpcMode, hc.NetworkMode]).to.deep.equal(['container:first', 'container:first', 'container:first']);
    const create = createOptions(spec(), ['/p'], { name: 'n', image: 'i', labels: {}, hostConfig: hc });
    expect(create.Hostname).to.equal(undefined);
  });

  it('makes the first IPC namespace shareable, which Docker requires of one to be joined', () => {
    expect(translateHostConfig(spec({ sharedWithSibling: ['ipc'] }), []).IpcMode).to.equal('shareable');
    expect(translateHostConfig(spec({ sharedWithSibling: ['pid'] }), []).IpcMode).to.equal(undefined);
  });

  it('refuses a UTS join: Docker has no container: mode for it', () => {
    expect(() => translateHostConfig(spec({ joinSibling: { namespaces: ['uts'], pid: 1, ref: 'first' } }), [])).to.throw(/UTS/);
  });
});
