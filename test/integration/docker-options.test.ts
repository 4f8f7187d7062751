/**
 * Realistic Docker configurations never break the target or raise a false alarm: a table of
 * common hardening and deployment options (docker run flags as the Engine API spells them), each
 * one target of ONE run beside the default docker target. For each, the target runs without an
 * error and no check errors; no check of a namespace area changes its verdict from the default's,
 * except those the table names with the reason (an option that weakens or strengthens exactly
 * that). Needs a Docker daemon (skips without one, as docker.test.ts).
 */
import { expect } from 'chai';
import { runSuite } from '../../engine/run.js';
import { CATALOGUE } from '../../checks/catalogue.js';
import type { RunResults, TargetResult } from '../../model/results.js';
import type { DockerTargetConfig } from '../../targets/docker/driver.js';
import { dockerClient } from '../../targets/docker/daemon.js';
import { DRIVERS, parseTargetConfig } from '../../targets/registry.js';
import { requireDaemon } from './requirements.js';

const NAMESPACE_AREAS = ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'time', 'cgroup'];
const MIB = 2 ** 20;

interface Option {
  name: string;
  /** Docker target config fields: hostConfig, container, request... */
  config: Record<string, unknown>;
  /** Namespace-area checks whose verdict differs from the default docker target's: the verdict, and why. */
  changes?: Record<string, { to: string; why: string }>;
}

const OPTIONS: Option[] = [
  { name: 'non-root-user', config: { container: { User: '1000:1000' } } },
  { name: 'readonly-rootfs-tmpfs', config: { hostConfig: { ReadonlyRootfs: true, Tmpfs: { '/tmp': 'rw,size=16m' } } } },
  { name: 'cap-drop-all-add-one', config: { hostConfig: { CapDrop: ['ALL'], CapAdd: ['NET_BIND_SERVICE'] } } },
  { name: 'network-none', config: { hostConfig: { NetworkMode: 'none' } } },
  {
    name: 'memory-alone',
    config: { hostConfig: { Memory: 256 * MIB } },
    changes: {
      'cgroup.memory-enforced': { to: 'pass', why: "a memory limit of the user's own, met by the hog (cgroup.limits-set still fails: no pids or cpu limit)" },
    },
  },
  { name: 'init', config: { hostConfig: { Init: true } } },
  { name: 'shm-size', config: { hostConfig: { ShmSize: 128 * MIB } } },
  { name: 'ulimits', config: { hostConfig: { Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }] } } },
  { name: 'sysctl-namespaced', config: { hostConfig: { Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' } } } },
  { name: 'oom-score-adj', config: { hostConfig: { OomScoreAdj: 500 } } },
  { name: 'custom-dns', config: { hostConfig: { Dns: ['192.0.2.53'], DnsSearch: ['example.test'] } } },
  {
    name: 'pids-limit-alone',
    config: { hostConfig: { PidsLimit: 100 } },
    changes: { 'cgroup.pids-enforced': { to: 'pass', why: "a pids limit of the user's own, met by the fork bomb" } },
  },
  { name: 'cpu-shares', config: { hostConfig: { CpuShares: 512 } } },
  { name: 'group-add', config: { hostConfig: { GroupAdd: ['10'] } } },
  { name: 'tmpfs-mount', config: { hostConfig: { Mounts: [{ Type: 'tmpfs', Target: '/run/app', TmpfsOptions: { SizeBytes: 16 * MIB } }] } } },
  { name: 'restart-no', config: { hostConfig: { RestartPolicy: { Name: 'no' } } } },
  { name: 'log-none', config: { hostConfig: { LogConfig: { Type: 'none', Config: {} } } } },
  { name: 'hostname', config: { container: { Hostname: 'web' } } },
  { name: 'cpuset', config: { hostConfig: { CpusetCpus: '0' } } },
  { name: 'extra-hosts', config: { hostConfig: { ExtraHosts: ['db:192.0.2.10'] } } },
  { name: 'ipc-shareable', config: { hostConfig: { IpcMode: 'shareable' } } },
  { name: 'no-new-privileges', config: { hostConfig: { SecurityOpt: ['no-new-privileges'] } } },
  {
    name: 'request-profile',
    config: { request: 'profile' },
    changes: {
      'cgroup.own-ns': { to: 'pass', why: "asks for a private cgroup namespace (Docker 20.10 on cgroup v1 keeps the host's by default)" },
      'cgroup.self-is-root': { to: 'pass', why: 'the same private cgroup namespace hides the host paths' },
      'cgroup.limits-set': { to: 'pass', why: "asks for isoprobe's pids, memory and cpu limits" },
      'cgroup.pids-enforced': { to: 'pass', why: 'the asked pids limit stops the fork bomb' },
      'cgroup.memory-enforced': { to: 'pass', why: 'the asked memory limit stops the hog' },
      'cgroup.cpu-enforced': { to: 'pass', why: 'the asked cpu quota holds the burn' },
    },
  },
];

const base = { runtime: 'docker', share: [], rootChange: 'pivot_root', caps: 'default', limits: 'default' };
const DEFAULT = 'docker';
const TARGETS = parseTargetConfig(
  { targets: [{ ...base, name: DEFAULT }, ...OPTIONS.map((o) => ({ ...base, name: `docker-${o.name}`, ...o.config }))] },
  'test/integration/docker-options.test.ts',
) as DockerTargetConfig[];

function nsStatuses(t: TargetResult): Record<string, string> {
  return Object.fromEntries(t.checks.filter((c) => NAMESPACE_AREAS.includes(c.id.split('.')[0])).map((c) => [c.id, c.status]));
}

describe('Docker options: none breaks the target or flips a namespace check it does not weaken', function () {
  this.timeout(300_000);
  const client = dockerClient();
  let results: RunResults;
  const byName = (name: string) => results.targets.find((t) => t.name === name)!;

  before(async function () {
    await requireDaemon(this, client);
    const t0 = performance.now();
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: TARGETS, profile: 'restricted' });
    process.stdout.write(`    ${TARGETS.length} Docker targets in one run: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  });

  it(`holds at least 15 options`, () => {
    expect(OPTIONS.length).to.be.at.least(15);
  });

  for (const o of OPTIONS) {
    const name = `docker-${o.name}`;
    it(`${o.name} ${JSON.stringify(o.config)}: runs, no check errors, namespace verdicts as default Docker's${o.changes ? ` but ${Object.keys(o.changes).join(', ')}` : ''}`, () => {
      const t = byName(name);
      expect(t.error, `${name} could not run`).to.equal(undefined);
      expect(t.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.reason}`)).to.deep.equal([]);
      const ref = nsStatuses(byName(DEFAULT));
      const got = nsStatuses(t);
      const changed = Object.keys(ref).filter((id) => got[id] !== ref[id]);
      const detail = changed.map((id) => `${id}: ${ref[id]} → ${got[id]} (${t.checks.find((c) => c.id === id)?.evidence?.slice(0, 300)})`);
      const want = Object.fromEntries(Object.entries(o.changes ?? {}).map(([id, c]) => [id, c.to]));
      expect(Object.fromEntries(changed.map((id) => [id, got[id]])), detail.join('\n')).to.deep.equal(want);
    });
  }
});
