import { expect } from 'chai';
import type Dockerode from 'dockerode';
import { RequestSchema, type Request } from '../../../../model/request.js';
import { docker, type DockerTargetConfig } from '../../../../targets/docker/driver.js';
import { parseDockerRequest, userFields } from '../../../../targets/common/engine-api/request.js';
import { parseTargetConfig } from '../../../../targets/registry.js';

const U = 'user config' as const;
const I = 'isoprobe' as const;

/** [what, the create request, the fields the user's config set, the request expected, the fields left unparsed] */
/** Create options as loosely as the Engine API takes them (dockerode's HostConfig type lacks CgroupnsMode). */
type Create = Omit<Dockerode.ContainerCreateOptions, 'HostConfig'> & { HostConfig?: Record<string, unknown> };

const CASES: [string, Create, string[], Request, string[]?][] = [
  [
    'nothing asked: an empty request (only the probe identity, asked by isoprobe)',
    { User: '0:0', HostConfig: { AutoRemove: false } },
    [],
    { user: { value: { uid: 0, gid: 0 }, source: I } },
  ],
  [
    'host namespaces, by the user',
    { HostConfig: { PidMode: 'host', NetworkMode: 'host', IpcMode: 'host', UTSMode: 'host', CgroupnsMode: 'host', UsernsMode: 'host' } },
    ['PidMode', 'NetworkMode', 'IpcMode', 'UTSMode', 'CgroupnsMode', 'UsernsMode'],
    Object.fromEntries(['pid', 'net', 'ipc', 'uts', 'cgroup', 'user'].map((n) => [`ns.${n}`, { value: 'host', source: U }])),
  ],
  [
    'joined and private namespaces',
    { HostConfig: { PidMode: 'container:web', NetworkMode: 'none', IpcMode: 'private', CgroupnsMode: 'private' } },
    ['PidMode'],
    {
      'ns.pid': { value: 'joined:container:web', source: U },
      'ns.net': { value: 'new', source: I },
      'ns.ipc': { value: 'new', source: I },
      'ns.cgroup': { value: 'new', source: I },
    },
  ],
  [
    'a bridge or a named network is a namespace of its own; "default" is the default',
    { HostConfig: { NetworkMode: 'bridge', IpcMode: 'shareable', PidMode: '' } },
    [],
    { 'ns.net': { value: 'new', source: I }, 'ns.ipc': { value: 'new', source: I } },
  ],
  ["NetworkMode default is nobody's request", { HostConfig: { NetworkMode: 'default' } }, [], {}],
  [
    'capabilities with and without CAP_, ALL',
    { HostConfig: { CapAdd: ['net_admin', 'CAP_SYS_PTRACE'], CapDrop: ['ALL'] } },
    ['CapAdd', 'CapDrop'],
    { caps: { value: { add: ['CAP_NET_ADMIN', 'CAP_SYS_PTRACE'], drop: ['ALL'] }, source: U } },
  ],
  [
    'Privileged: every capability, no seccomp, nothing masked or read-only',
    { HostConfig: { Privileged: true, CapDrop: ['NET_RAW'] } },
    ['Privileged'],
    {
      caps: { value: { add: ['ALL'], drop: [] }, source: U },
      seccomp: { value: 'unconfined', source: U },
      maskedPaths: { value: [], source: U },
      readonlyPaths: { value: [], source: U },
    },
  ],
  ['Privileged false implies nothing', { HostConfig: { Privileged: false } }, ['Privileged'], {}],
  ['seccomp unconfined', { HostConfig: { SecurityOpt: ['seccomp=unconfined'] } }, ['SecurityOpt:seccomp'], { seccomp: { value: 'unconfined', source: U } }],
  [
    "seccomp with a profile of the user's",
    { HostConfig: { SecurityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ERRNO"}'] } },
    ['SecurityOpt:seccomp'],
    { seccomp: { value: 'custom', source: U } },
  ],
  ['no-new-privileges alone, by isoprobe', { HostConfig: { SecurityOpt: ['no-new-privileges'] } }, [], { noNewPrivs: { value: true, source: I } }],
  [
    'no-new-privileges:true',
    { HostConfig: { SecurityOpt: ['no-new-privileges:true'] } },
    ['SecurityOpt:no-new-privileges'],
    { noNewPrivs: { value: true, source: U } },
  ],
  [
    'no-new-privileges=false',
    { HostConfig: { SecurityOpt: ['no-new-privileges=false'] } },
    ['SecurityOpt:no-new-privileges'],
    { noNewPrivs: { value: false, source: U } },
  ],
  [
    'no-new-privileges with a word that is no boolean is left out',
    { HostConfig: { SecurityOpt: ['no-new-privileges:maybe'] } },
    [],
    {},
    ['SecurityOpt "no-new-privileges:maybe": not a boolean'],
  ],
  [
    "limits: isoprobe's, or the user's, per field",
    { HostConfig: { PidsLimit: 64, Memory: 268_435_456, NanoCpus: 500_000_000 } },
    ['Memory'],
    { 'limits.pids': { value: 64, source: I }, 'limits.memory': { value: 268_435_456, source: U }, 'limits.cpu': { value: 0.5, source: I } },
  ],
  [
    'limits asked to be none: 0 and -1',
    { HostConfig: { PidsLimit: -1, Memory: 0, NanoCpus: 0 } },
    ['PidsLimit', 'Memory', 'NanoCpus'],
    { 'limits.pids': { value: 0, source: U }, 'limits.memory': { value: 0, source: U }, 'limits.cpu': { value: 0, source: U } },
  ],
  ['PidsLimit null is the default', { HostConfig: { PidsLimit: null } }, ['PidsLimit'], {}],
  [
    'CpuQuota over CpuPeriod',
    { HostConfig: { CpuQuota: 50_000, CpuPeriod: 200_000 } },
    ['CpuQuota', 'CpuPeriod'],
    { 'limits.cpu': { value: 0.25, source: U } },
  ],
  ["CpuQuota alone, over the kernel's 100 ms period", { HostConfig: { CpuQuota: 150_000 } }, ['CpuQuota'], { 'limits.cpu': { value: 1.5, source: U } }],
  ['CpuShares is a weight, not a limit', { HostConfig: { CpuShares: 512 } }, ['CpuShares'], {}],
  ['read-only rootfs', { HostConfig: { ReadonlyRootfs: true } }, ['ReadonlyRootfs'], { readonlyRootfs: { value: true, source: U } }],
  [
    'a numeric user and groups',
    { User: '1000:1000', HostConfig: { GroupAdd: ['10', '20'] } },
    ['User', 'GroupAdd'],
    { user: { value: { uid: 1000, gid: 1000, groups: [10, 20] }, source: U } },
  ],
  ['a user name is not guessed', { User: 'nobody', HostConfig: {} }, ['User'], {}, ['User "nobody": a name: the image\'s /etc/passwd resolves it']],
  ['a uid without a gid is not guessed', { User: '1000', HostConfig: {} }, ['User'], {}, ['User "1000": no group: the image\'s /etc/passwd gives it']],
  [
    'a group name is not guessed',
    { User: '0:0', HostConfig: { GroupAdd: ['audio'] } },
    ['GroupAdd'],
    {},
    ['GroupAdd ["audio"]: names, which the image\'s /etc/group resolves'],
  ],
  ['hostname', { Hostname: 'web', HostConfig: {} }, ['Hostname'], { hostname: { value: 'web', source: U } }],
  [
    'masked and read-only paths',
    { HostConfig: { MaskedPaths: ['/proc/kcore'], ReadonlyPaths: [] } },
    ['MaskedPaths', 'ReadonlyPaths'],
    { maskedPaths: { value: ['/proc/kcore'], source: U }, readonlyPaths: { value: [], source: U } },
  ],
  [
    'sysctls',
    { HostConfig: { Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' } } },
    ['Sysctls'],
    { sysctls: { value: { 'net.ipv4.ip_unprivileged_port_start': '0' }, source: U } },
  ],
  [
    'ulimits',
    { HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }] } },
    ['Ulimits'],
    { rlimits: { value: { nofile: { soft: 1024, hard: 2048 } }, source: U } },
  ],
];

describe('Docker create options → Request', () => {
  for (const [what, create, user, want, unparsed] of CASES) {
    it(what, () => {
      const got = parseDockerRequest(create as Dockerode.ContainerCreateOptions, new Set(user));
      expect(got.request).to.deep.equal(want);
      expect(RequestSchema.parse(got.request)).to.deep.equal(want);
      expect(got.unparsed).to.deep.equal(unparsed ?? []);
    });
  }
});

describe('the fields a docker config sets', () => {
  it('names the common options, the raw HostConfig (SecurityOpt by option) and the container fields', () => {
    const f = userFields(
      { share: ['pid'], caps: 'all', seccomp: 'none', noNewPrivs: false, limits: 'none' },
      { SecurityOpt: ['apparmor=unconfined'], Init: true },
      { User: '1:1' },
    );
    expect([...f].sort()).to.deep.equal(
      [
        'PidMode',
        'CapAdd',
        'CapDrop',
        'SecurityOpt:seccomp',
        'SecurityOpt:no-new-privileges',
        'PidsLimit',
        'Memory',
        'NanoCpus',
        'SecurityOpt:apparmor',
        'Init',
        'User',
      ].sort(),
    );
  });
});

describe("the docker driver's request", () => {
  const parse = (t: Record<string, unknown>) => parseTargetConfig({ targets: [{ name: 'd', runtime: 'docker', ...t }] }, 'x')[0] as DockerTargetConfig;
  const requestOf = (t: Record<string, unknown>, profile: 'baseline' | 'restricted' | 'strict' = 'restricted') => {
    const cfg = parse(t);
    return docker.request(cfg, docker.spec(cfg, ['/p'], profile), profile);
  };

  it("default Docker: nothing but the probe identity; limits and no_new_privs are the daemon's", () => {
    expect(requestOf({})).to.deep.equal({ user: { value: { uid: 0, gid: 0 }, source: I } });
  });

  it('request: profile asks, as isoprobe, what restricted needs that Docker can express', () => {
    expect(requestOf({ request: 'profile' })).to.deep.equal({
      'ns.ipc': { value: 'new', source: I },
      'ns.cgroup': { value: 'new', source: I },
      noNewPrivs: { value: true, source: I },
      'limits.pids': { value: 64, source: I },
      'limits.memory': { value: 64 * 2 ** 20, source: I },
      'limits.cpu': { value: 0.5, source: I },
      user: { value: { uid: 0, gid: 0 }, source: I },
    });
  });

  it('request: profile under baseline asks only for a private IPC namespace', () => {
    expect(requestOf({ request: 'profile' }, 'baseline')).to.deep.equal({
      'ns.ipc': { value: 'new', source: I },
      user: { value: { uid: 0, gid: 0 }, source: I },
    });
  });

  it("the common weakenings are the user's, over the profile", () => {
    const r = requestOf({ request: 'profile', share: ['cgroup'], noNewPrivs: false, limits: 'none', seccomp: 'none' });
    expect(r).to.deep.include({
      'ns.cgroup': { value: 'host', source: U },
      noNewPrivs: { value: false, source: U },
      'limits.pids': { value: 0, source: U },
      'limits.memory': { value: 0, source: U },
      'limits.cpu': { value: 0, source: U },
      seccomp: { value: 'unconfined', source: U },
    });
  });

  it("a user's limits and no-new-privileges are sourced to the config", () => {
    const r = requestOf({ hostConfig: { PidsLimit: 100, Memory: 268_435_456, NanoCpus: 1e9, SecurityOpt: ['no-new-privileges'] } });
    expect(r).to.deep.include({
      'limits.pids': { value: 100, source: U },
      'limits.memory': { value: 268_435_456, source: U },
      'limits.cpu': { value: 1, source: U },
      noNewPrivs: { value: true, source: U },
    });
  });

  it('a container User and Hostname', () => {
    expect(requestOf({ container: { User: '1000:1000', Hostname: 'web' } })).to.deep.equal({
      user: { value: { uid: 1000, gid: 1000 }, source: U },
      hostname: { value: 'web', source: U },
    });
  });

  it('refuses container fields isoprobe owns and ones not spelt as the Engine API does', () => {
    expect(() => parse({ container: { Cmd: ['/bin/sh'] } })).to.throw(/isoprobe's/);
    expect(() => parse({ container: { user: '1' } })).to.throw(/PascalCase/);
  });
});
