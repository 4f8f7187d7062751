/**
 * The host's read of a held container's seccomp filters (issue 14, host/seccomp-filters.ts through
 * the common lifecycle): on the built-in runtime its one filter (targets/builtin/harden.c), none
 * with seccomp=none, firejail's stack as /proc/<pid>/status counts it; the process is left
 * untraced and running. Needs root (CAP_SYS_ADMIN for PTRACE_SECCOMP_GET_FILTER) and firejail
 * (scripts/docker-up.sh installs it under npm test). The interpreter (model/seccomp/) runs on
 * what the kernel returned: it accepts every filter and judges the built-in's deny list.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { runSuite } from '../../engine/run.js';
import { readSeccompFilters } from '../../host/seccomp-filters.js';
import { AUDIT_ARCH, evaluateCall, validateStack } from '../../model/seccomp/evaluate.js';
import type { TargetDriver } from '../../model/driver.js';
import type { SeccompFilterRead } from '../../model/parse/seccomp-filters.js';
import type { HostSideFacts } from '../../model/spec.js';
import type { Target } from '../../model/target.js';
import { DRIVERS, parseTargetConfig } from '../../targets/registry.js';
import { requireTool, waitFor } from './sandbox-e2e.js';

/** Each kind's driver, its targets recording the seccomp read of their facts container. */
function recording(seen: Map<string, HostSideFacts['seccomp']>): TargetDriver[] {
  return DRIVERS.map((d) => {
    const real = d as unknown as TargetDriver;
    return {
      ...real,
      create(cfg, ctx): Target {
        const t = real.create(cfg, ctx);
        return {
          name: t.name,
          runtime: t.runtime,
          capabilities: t.capabilities,
          provides: t.provides,
          info: () => t.info(),
          run: async (spec, hooks) => {
            const out = await t.run(spec, hooks);
            if (spec.argv[1] === 'facts') seen.set(t.name, out.hostFacts.seccomp);
            return out;
          },
        };
      },
    };
  });
}

const status = (pid: number, key: string) =>
  fs
    .readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}:`))
    ?.split(/\s+/)[1];

describe('seccomp filters read from the host', function () {
  this.timeout(120_000);

  it('a held container: the built-in runtime its one filter, with seccomp=none none', async () => {
    const seen = new Map<string, HostSideFacts['seccomp']>();
    const targets = parseTargetConfig(
      {
        targets: [
          { name: 'builtin', runtime: 'builtin' },
          { name: 'builtin-seccomp-none', runtime: 'builtin', seccomp: 'none' },
        ],
      },
      'seccomp-filters.test.ts',
    );
    await runSuite({ drivers: recording(seen), catalogue: CATALOGUE, targets, profile: 'strict', grep: '^security.seccomp-filter$' });
    const on = seen.get('builtin');
    expect(on, JSON.stringify(on)).to.not.have.property('unreadable');
    expect(on).to.not.have.property('error');
    const filters = (on as SeccompFilterRead).filters;
    expect(filters).to.have.length(1);
    // The arch check first (ld [4]: BPF_LD|BPF_W|BPF_ABS of seccomp_data.arch), as every filter should.
    expect(filters[0]![0]).to.deep.equal([0x20, 0, 0, 4]);
    process.stdout.write(`      builtin: ${filters.length} filter, ${filters[0]!.length} instructions\n`);
    // The interpreter on what the kernel really holds: keyctl (250) is on harden.c's deny list, getpid (39) is not.
    validateStack(filters);
    expect(evaluateCall(filters, { nr: 250, arch: AUDIT_ARCH.x86_64 }).action).to.not.equal('allow');
    expect(evaluateCall(filters, { nr: 39, arch: AUDIT_ARCH.x86_64 }).action).to.equal('allow');
    expect(seen.get('builtin-seccomp-none')).to.deep.equal({ pid: (seen.get('builtin-seccomp-none') as { pid: number }).pid, filters: [] });
  });

  it("firejail's stack, as many as the kernel counts, and the process left running and untraced", async function () {
    requireTool(this, 'firejail', 'firejail');
    const child = spawn('firejail', ['--quiet', '--', 'sleep', '30'], { stdio: 'ignore', detached: true });
    const exited = once(child, 'exit');
    try {
      const sleeper = () => {
        for (const p of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
          try {
            if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u000030\u0000' && status(Number(p), 'Seccomp_filters') !== '0') return Number(p);
          } catch {
            /* gone */
          }
        }
        return null;
      };
      expect(await waitFor(() => sleeper() !== null, 10_000), 'firejail never ran its command').to.equal(true);
      const pid = sleeper()!;
      const r = readSeccompFilters(pid);
      expect(r).to.not.have.property('error');
      expect(r.filters.length).to.equal(Number(status(pid, 'Seccomp_filters')));
      process.stdout.write(`      firejail: ${r.filters.map((f) => f.length).join(', ')} instructions\n`);
      validateStack(r.filters);
      expect([status(pid, 'TracerPid'), status(pid, 'State')]).to.deep.equal(['0', 'S']);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      await exited;
    }
  });

  it('a process that is gone is the seize step with ESRCH, never "no filter"', () => {
    const r = readSeccompFilters(0x7ffffffe);
    expect(r).to.deep.include({ filters: [], error: { step: 'seize', index: -1, errno: 3 } });
  });
});
