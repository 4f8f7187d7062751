import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, EnvError } from '../../../model/errors.js';
import { lxc, type LxcTargetConfig } from '../../../targets/lxc/driver.js';
import { rootIdmap, rootRange } from '../../../targets/lxc/idmap.js';
import { containerName } from '../../../targets/lxc/lxc.js';
import { parseTargetConfig, targetsFromRuntimes } from '../../../targets/registry.js';

const parse = (t: Record<string, unknown>) => parseTargetConfig({ targets: [{ name: 'l', runtime: 'lxc', ...t }] }, 'x.json')[0] as LxcTargetConfig;

describe('LXC driver', () => {
  it("answers --runtime lxc with LXC's defaults: no namespace kept, no idmap, no extra lines", () => {
    expect(targetsFromRuntimes(['lxc'])).to.deep.equal([
      { name: 'lxc', runtime: 'lxc', share: [], rootChange: 'pivot_root', idmap: false, config: [], caps: 'default', limits: 'default' },
    ]);
  });

  it('takes share, idmap, caps, seccomp, noNewPrivs and raw lines; refuses what it cannot express, naming the field', () => {
    expect(parse({ share: ['pid', 'net'], caps: 'all', seccomp: 'none', config: ['lxc.cap.drop = sys_admin'] })).to.deep.include({
      share: ['pid', 'net'],
      caps: 'all',
      seccomp: 'none',
      config: ['lxc.cap.drop = sys_admin'],
    });
    expect(() => parse({ share: ['mnt'] })).to.throw(ConfigError, 'targets.0.share.0:');
    expect(() => parse({ share: ['user'] })).to.throw(ConfigError, 'targets.0.share.0:');
    expect(() => parse({ idmap: true, share: ['pid'] })).to.throw(
      ConfigError,
      "targets.0.share: a namespace kept from the host needs the host's user namespace",
    );
    expect(() => parse({ config: ['rm -rf /'] })).to.throw(ConfigError, 'targets.0.config.0: an LXC configuration line');
    expect(() => parse({ rootChange: 'chroot' })).to.throw(ConfigError, 'targets.0.rootChange:');
  });

  it('specs what LXC does: the host user namespace without idmap, no no_new_privs, the limits and offsets', () => {
    const s = lxc.spec(parse({}), ['/isoprobe/probe']);
    expect(s).to.deep.include({ share: ['user'], noNewPrivs: false, caps: 'default' });
    expect(s.limits).to.deep.equal({ pids: 64, memoryBytes: 64 * 1024 * 1024, cpus: 0.5 });
    expect(lxc.spec(parse({ idmap: true }), []).share).to.deep.equal([]);
    expect(lxc.spec(parse({ share: ['ipc'] }), []).share).to.deep.equal(['ipc', 'user']);
    expect(lxc.spec(parse({ noNewPrivs: true }), []).noNewPrivs).to.equal(true);
  });

  it("requests isoprobe's hostname, empty network, limits and time offsets, and the user's settings as user config", () => {
    const cfg = parse({});
    const r = lxc.request!(cfg, lxc.spec(cfg, []));
    expect(Object.keys(r).sort()).to.deep.equal(['hostname', 'limits.cpu', 'limits.memory', 'limits.pids', 'ns.net', 'timeOffsets']);
    expect(Object.values(r).every((v) => v!.source === 'isoprobe')).to.equal(true);
    const weak = parse({ share: ['uts', 'net'], caps: 'all', seccomp: 'none', limits: 'none' });
    const w = lxc.request!(weak, lxc.spec(weak, []));
    expect(w.hostname).to.equal(undefined);
    expect(w['ns.uts']).to.deep.equal({ value: 'host', source: 'user config' });
    expect(w['ns.net']).to.deep.equal({ value: 'host', source: 'user config' });
    expect(w['limits.pids']).to.deep.equal({ value: 0, source: 'user config' });
    expect(w.seccomp).to.deep.equal({ value: 'unconfined', source: 'user config' });
    expect(w.caps!.source).to.equal('user config');
    const id = parse({ idmap: true });
    expect(lxc.request!(id, lxc.spec(id, []))['ns.user']).to.deep.equal({ value: 'new', source: 'user config' });
  });

  it('describes each setting with who asked for it', () => {
    const d = Object.fromEntries(lxc.describe(parse({ idmap: true })).map((s) => [s.setting, s.source]));
    expect(d).to.deep.include({
      share: 'user config',
      idmap: 'user config',
      caps: 'runtime default',
      seccomp: 'runtime default',
      network: 'isoprobe',
      hostname: 'isoprobe',
    });
    const plain = Object.fromEntries(lxc.describe(parse({})).map((s) => [s.setting, s.source]));
    expect(plain).to.deep.include({ share: 'runtime default', idmap: 'runtime default', limits: 'isoprobe', 'time-offsets': 'isoprobe' });
  });

  it('names containers after the run directory and the kind (nspawn names its machines beside them)', () => {
    expect(containerName('/run/isoprobe/run-123-abcdef', 2)).to.equal('isoprobe-run-123-abcdef-lxc-2');
  });

  it("reads root's subordinate range by name or uid 0, and names the set-up script when there is none", () => {
    expect(rootRange('isoprobe-rootless:100000:65536\nroot:165536:65536\n')).to.deep.equal({ start: 165536, count: 65536 });
    expect(rootRange('0:200000:1000')).to.deep.equal({ start: 200000, count: 1000 });
    expect(rootRange('root:1:0\nrooty:5:5\n')).to.equal(null);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxc-idmap-'));
    try {
      fs.writeFileSync(path.join(dir, 'subuid'), 'root:100000:65536\n');
      fs.writeFileSync(path.join(dir, 'subgid'), '');
      expect(() => rootIdmap({ uid: path.join(dir, 'subuid'), gid: path.join(dir, 'subgid') })).to.throw(
        EnvError,
        `lxc idmap: root has no range in ${path.join(dir, 'subgid')}, which newuidmap needs to map the container's ids (run 'bash scripts/lxc-idmap.sh' as root)`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('preflight: lxc-execute not installed is one line naming the package and the targets', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const err = await lxc.preflight([parse({})]).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(EnvError);
      expect((err as Error).message).to.equal(
        'lxc-execute is not installed ("lxc-execute" not found in PATH), needed by target "l" (Debian: apt-get install lxc)',
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});
