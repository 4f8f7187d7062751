/**
 * `isoprobe inspect --exec docker:<id>` on containers a user made (issue 16): a default one, one
 * with the host's pid namespace, one with SYS_ADMIN, no seccomp and the host's cgroup, IPC and UTS
 * namespaces (this host refuses --privileged: no CAP_SYS_RESOURCE in its bounding set), and a
 * gVisor one. The inside-only checks decide what the container alone can tell, every check reading
 * host-side evidence is an `evidence` skip, and nothing of the probe is left in the container.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { CheckResult } from '../../model/results.js';
import { CLI } from './cli-run.js';

const NO_DOCKER = process.env.ISOPROBE_DOCKER_UNAVAILABLE;
const TAG = `isoprobe-inspect-test:${process.pid}`;
const LABEL = `isoprobe.test=inspect-${process.pid}`;
const CONTAINERS: Record<string, string[]> = {
  default: [],
  'pid-host': ['--pid=host'],
  'privileged-like': ['--cap-add', 'SYS_ADMIN', '--security-opt', 'seccomp=unconfined', '--cgroupns', 'host', '--ipc', 'host', '--uts', 'host'],
  gvisor: ['--runtime', 'runsc'],
};

const docker = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 });

describe('isoprobe inspect, from inside containers a user made', function () {
  this.timeout(300_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-inspect-'));
  const ids: Record<string, string> = {};
  const results: Record<string, { code: number | null; stderr: string; checks: CheckResult[] }> = {};

  before(function () {
    if (NO_DOCKER) this.skip();
    // A scratch image with busybox as sh, cat, chmod and sleep: what the gVisor path needs, and a process to keep it running.
    const ctx = path.join(dir, 'image');
    fs.mkdirSync(path.join(ctx, 'tmp'), { recursive: true });
    for (const b of ['sh', 'cat', 'chmod', 'sleep']) fs.copyFileSync('/bin/busybox', path.join(ctx, b));
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY sh cat chmod sleep /bin/\nCOPY tmp /tmp\nENV PATH=/bin\nCMD ["/bin/sleep","300"]\n');
    const built = docker(['build', '-q', '-t', TAG, ctx]);
    expect(built.status, built.stderr).to.equal(0);
    for (const [name, opts] of Object.entries(CONTAINERS)) {
      const r = docker(['run', '-d', '--label', LABEL, ...opts, TAG]);
      expect(r.status, `${name}: ${r.stderr}`).to.equal(0);
      ids[name] = r.stdout.trim();
    }
    for (const [name, id] of Object.entries(ids)) {
      const out = path.join(dir, name);
      const r = spawnSync(process.execPath, [CLI, 'inspect', '--exec', `docker:${id}`, '--profile', 'strict', '--out', out, '--format', 'json'], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      const file = path.join(out, 'results.json');
      results[name] = { code: r.status, stderr: r.stderr, checks: fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).targets[0].checks : [] };
    }
  });

  after(() => {
    if (NO_DOCKER) return;
    const left = docker(['ps', '-aq', '--filter', `label=${LABEL}`])
      .stdout.split('\n')
      .filter(Boolean);
    if (left.length > 0) docker(['rm', '-f', ...left]);
    docker(['rmi', '-f', TAG]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const status = (name: string, id: string) => results[name]!.checks.find((c) => c.id === id)?.status;

  it('judges every container and exits as run does (1: a required check failed)', () => {
    for (const [name, r] of Object.entries(results)) {
      expect(r.code, `${name}: ${r.stderr}`).to.equal(1);
      expect(r.checks.length, name).to.be.above(80);
    }
  });

  it("tells the host's pid namespace apart from inside, where the container alone can", () => {
    expect(status('default', 'inside.pid-ns-not-initial')).to.equal('pass');
    expect(status('pid-host', 'inside.pid-ns-not-initial')).to.equal('fail');
    expect(status('privileged-like', 'inside.cgroup-ns-not-initial')).to.equal('fail');
    expect(status('privileged-like', 'inside.ipc-ns-not-initial')).to.equal('fail');
    expect(status('privileged-like', 'inside.uts-ns-not-initial')).to.equal('fail');
    expect(status('default', 'inside.ipc-ns-not-initial')).to.equal('pass');
    // Docker makes no user namespace without userns-remap: the same verdict user.own-ns gives.
    expect(status('default', 'inside.user-ns-not-initial')).to.equal('fail');
  });

  it('decides the container-only security checks: no seccomp and SYS_ADMIN fail, the default passes', () => {
    expect(status('default', 'security.seccomp-filter')).to.equal('pass');
    expect(status('privileged-like', 'security.seccomp-filter')).to.equal('fail');
    expect(status('default', 'security.no-host-caps')).to.equal('pass');
    expect(status('privileged-like', 'security.no-host-caps')).to.equal('fail');
  });

  it('skips every check that reads host-side evidence, for evidence, and records no provenance', () => {
    for (const id of [
      'pid.own-ns',
      'net.host-listener-unreachable',
      'cgroup.limits-set',
      'cross.pid',
      'cgroup.cgroupfs-readonly',
      'security.devices-limited',
      'conformance.capabilities',
    ]) {
      const c = results.default!.checks.find((x) => x.id === id)!;
      expect(c, id).to.include({ status: 'skip', requirement: 'evidence' });
    }
    expect(results.default!.checks.some((c) => c.provenance !== undefined)).to.equal(false);
  });

  it("judges gVisor's kernel as its own: the inside namespace checks skip for evidence (its inodes are its own numbering)", () => {
    const inside = results.gvisor!.checks.filter((c) => c.id.startsWith('inside.'));
    expect(inside.length).to.equal(6);
    for (const c of inside) {
      expect(c, c.id).to.include({ status: 'skip', requirement: 'evidence' });
      expect(c.reason, c.id).to.match(/gVisor/);
    }
  });

  it('leaves nothing of the probe in any container', () => {
    for (const [name, id] of Object.entries(ids)) {
      if (name === 'gvisor') continue; // its probe went to the sandbox's own /tmp; docker diff sees the host-side rootfs only
      const diff = docker(['diff', id]).stdout;
      expect(diff, name).to.not.include('isoprobe-probe');
    }
    const ls = docker(['exec', ids.gvisor!, '/bin/sh', '-c', 'echo /tmp/*']).stdout;
    expect(ls).to.not.include('isoprobe-probe');
  });

  it('refuses bad input in one line with exit 2', () => {
    for (const args of [
      ['inspect'],
      ['inspect', '--exec', 'lxc:foo'],
      ['inspect', '--exec', 'docker:x', '--facts', 'f'],
      ['inspect', '--exec', 'docker:isoprobe-no-such-container'],
      ['inspect', '--facts', '/nonexistent'],
    ]) {
      const r = spawnSync(process.execPath, [CLI, ...args, '--out', path.join(dir, 'bad')], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
    }
  });
});
