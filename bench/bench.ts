/**
 * `npm run bench`: start-to-exit latency of /bin/true in the built-in runtime next to the
 * `unshare(1)` floor and `crun run` / `runc run` where they work, measured interleaved (one of
 * each per round, so drift hits all alike); then the wall time and peak memory of a whole suite
 * run. Figures only: nothing here passes or fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanupAll } from '../host/cleanup.js';
import { BUSYBOX_BINARY, PROBE_BINARY, RUN_ROOT } from '../host/paths.js';
import { readSeccompFilters } from '../host/seccomp-filters.js';
import type { BpfInsn } from '../model/parse/seccomp-filters.js';
import { compareAbi } from '../model/seccomp/abi.js';
import { compareWithDeclared } from '../model/seccomp/conformance.js';
import { parseDeclaredProfile } from '../model/seccomp/declared.js';
import { defaultSeccomp } from '../targets/common/oci-seccomp.js';
import { judgeDangerous } from '../model/seccomp/dangerous.js';
import { validateStack } from '../model/seccomp/evaluate.js';
import { effectiveProfile } from '../model/seccomp/profile.js';
import { findBinary } from '../host/which.js';
import { runSuite } from '../engine/run.js';
import { DEFAULT_SPEC } from '../model/spec.js';
import { buildTemplate } from '../targets/common/rootfs.js';
import type { ProbeFiles } from '../model/target.js';
import { CATALOGUE } from '../checks/catalogue.js';
import { DRIVERS, driverFor, targetsFromRuntimes } from '../targets/registry.js';
import { summarize } from './stats.js';

const ROUNDS = Number(process.env.ISOPROBE_BENCH_ROUNDS ?? 30);

type Method = { name: string; once: () => Promise<void> };

function commandMethod(name: string, argv: string[], cwd?: string): Method | string {
  const probe = spawnSync(argv[0], argv.slice(1), { cwd, stdio: 'pipe', timeout: 20_000 });
  if (probe.status !== 0)
    return `${name}: not measured (${(probe.stderr?.toString() || probe.error?.message || `exit ${probe.status}`).trim().split('\n').pop()})`;
  return {
    name,
    // Spawned the same asynchronous way as the built-in shim, so both pay the same Node cost.
    once: async () => {
      const child = spawn(argv[0], argv.slice(1), { cwd, stdio: 'ignore', timeout: 20_000 });
      const [code] = await once(child, 'close');
      if (code !== 0) throw new Error(`${name} failed during the benchmark (exit ${code})`);
    },
  };
}

/** An OCI bundle whose config.json is the runtime's own default, made non-interactive. */
function ociMethod(binary: string, files: ProbeFiles, dir: string): Method | string {
  if (spawnSync('which', [binary]).status !== 0) return `${binary}: not installed`;
  const bundle = path.join(dir, `bundle-${binary}`);
  fs.mkdirSync(bundle);
  buildTemplate(path.join(bundle, 'rootfs'), files); // runc refuses a symlinked rootfs
  const gen = spawnSync(binary, ['spec'], { cwd: bundle });
  if (gen.status !== 0) return `${binary}: "spec" failed`;
  const cfg = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
  cfg.process.terminal = false;
  cfg.process.args = ['/bin/true'];
  cfg.root = { path: 'rootfs', readonly: true };
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(cfg));
  // `run` deletes the container when it exits, so one id serves every round.
  return commandMethod(`${binary} run`, [binary, 'run', '--bundle', bundle, `isoprobe-bench-${process.pid}`], bundle);
}

async function main(): Promise<void> {
  fs.mkdirSync(RUN_ROOT, { recursive: true });
  const dir = fs.mkdtempSync(path.join(RUN_ROOT, 'bench-'));
  fs.chmodSync(dir, 0o755); // the container's mapped root must be able to traverse it
  try {
    const rootfs = path.join(dir, 'rootfs');
    buildTemplate(rootfs, { probe: PROBE_BINARY, busybox: BUSYBOX_BINARY });
    const files = { probe: PROBE_BINARY, busybox: BUSYBOX_BINARY };
    const [cfg] = targetsFromRuntimes(['builtin']);
    const builtin = driverFor(cfg).create(cfg, { runDir: dir, observe: false });
    const candidates: (Method | string)[] = [
      commandMethod('unshare(1) floor', ['unshare', '-fpmnuiU', '-r', '--mount-proc', 'chroot', rootfs, '/bin/true']),
      {
        name: 'builtin',
        once: async () => {
          await builtin.run({ ...DEFAULT_SPEC, argv: ['/bin/true'] });
        },
      },
      // The floor makes no cgroup; this row shows what the limits themselves cost.
      {
        name: 'builtin, no limits',
        once: async () => {
          await builtin.run({ ...DEFAULT_SPEC, limits: {}, argv: ['/bin/true'] });
        },
      },
      ociMethod('crun', files, dir),
      ociMethod('runc', files, dir),
    ];
    const methods = candidates.filter((m): m is Method => typeof m !== 'string');
    for (const m of candidates) if (typeof m === 'string') console.log(m);
    const samples = new Map(methods.map((m) => [m.name, [] as number[]]));
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round: what ran just before (runc's cgroup teardown) must not
      // always weigh on the same method.
      const k = round % methods.length;
      for (const m of [...methods.slice(k), ...methods.slice(0, k)]) {
        const t0 = performance.now();
        await m.once();
        samples.get(m.name)!.push(performance.now() - t0);
      }
    }
    printLatency(samples);
  } finally {
    await cleanupAll();
    fs.rmSync(dir, { recursive: true, force: true });
    try {
      fs.rmdirSync(RUN_ROOT);
    } catch {
      /* in use */
    }
  }
  await seccompRead();
  await suiteRun();
}

/**
 * The host's read of a process's seccomp filters (issue 14: under 50 ms per target is the aim):
 * firejail's stack of five where firejail is installed, else a process with none.
 */
async function seccompRead(): Promise<void> {
  const firejail = findBinary('firejail');
  const child = firejail
    ? spawn(firejail, ['--quiet', '--', 'sleep', '60'], { stdio: 'ignore', detached: true })
    : spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const target = firejail ? findSleeper() : child.pid!;
    if (target === null) return console.log('\nseccomp filter read: not measured (firejail ran no command)');
    const times: number[] = [];
    let insns = 0;
    let filters: BpfInsn[][] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const r = readSeccompFilters(target);
      times.push(performance.now() - t0);
      insns = r.filters.reduce((n, f) => n + f.length, 0);
      filters = r.filters;
    }
    const { median, p90 } = summarize(times);
    console.log(`\nseccomp filter read (host, ptrace): ${insns} instructions, median ${median.toFixed(2)} ms, p90 ${p90.toFixed(2)} ms over ${ROUNDS} reads`);
    // What the run adds after the read: the results' effective profile and the three checks'
    // judgments (conformance against isoprobe's deny list), each round on a fresh copy of the read
    // so that nothing computed for an earlier round is reused.
    const evals: number[] = [];
    const privilege = { bounding: new Set<string>(), canMakeUserNs: false, initUserNs: true };
    const declared = parseDeclaredProfile(defaultSeccomp(), 'defaultSeccomp');
    const resolve = { caps: new Set<string>(), arch: 'amd64', kernel: os.release() };
    for (let i = 0; i < ROUNDS; i++) {
      const stack = filters.map((f) => f.map((insn) => [...insn] as unknown as BpfInsn));
      const t0 = performance.now();
      validateStack(stack);
      effectiveProfile(stack);
      judgeDangerous(stack, 'x86_64', privilege);
      compareAbi(stack, 'i386');
      compareAbi(stack, 'x32');
      compareWithDeclared(stack, declared, resolve);
      evals.push(performance.now() - t0);
    }
    const e = summarize(evals);
    console.log(
      `seccomp evaluation (every call of 3 ABIs, argument cases, dangerous list, ABI and declared-profile comparisons): median ${e.median.toFixed(2)} ms, p90 ${e.p90.toFixed(2)} ms`,
    );
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** The `sleep 60` firejail runs (its grandchild), by its command line. */
function findSleeper(): number | null {
  for (const p of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u000060\u0000' && !/Seccomp:\s+0/.test(fs.readFileSync(`/proc/${p}/status`, 'utf8')))
        return Number(p);
    } catch {
      /* gone */
    }
  }
  return null;
}

function printLatency(samples: Map<string, number[]>): void {
  const floor = summarize(samples.get('unshare(1) floor') ?? []).median;
  console.log(`\n/bin/true start-to-exit, ${ROUNDS} interleaved rounds, ${os.cpus().length} cpus, kernel ${os.release()}`);
  console.log(`${'method'.padEnd(20)}${'median ms'.padStart(11)}${'p90 ms'.padStart(10)}${'× floor'.padStart(10)}`);
  for (const [name, s] of samples) {
    const { median, p90 } = summarize(s);
    console.log(`${name.padEnd(20)}${median.toFixed(2).padStart(11)}${p90.toFixed(2).padStart(10)}${(median / floor).toFixed(2).padStart(10)}`);
  }
}

async function suiteRun(): Promise<void> {
  const t0 = performance.now();
  const results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: targetsFromRuntimes(['builtin']), profile: 'strict' });
  const wall = performance.now() - t0;
  const checks = results.targets.reduce((n, t) => n + t.checks.length, 0);
  console.log(
    `\nwhole suite, builtin, strict: ${wall.toFixed(0)} ms wall for ${checks} checks on one container; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
}

main().catch((e) => {
  console.error(`isoprobe bench: ${e.message}`);
  process.exit(2);
});
