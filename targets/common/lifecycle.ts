/**
 * The one container lifecycle every kind of target goes through: start it held before the probe
 * runs → observe it from the host (namespaces, id maps, cgroup and its limits, seccomp filters) → release it →
 * poll its cgroup's limit-hit counters while it lives (runtimes remove the cgroup with the
 * container) → wait for its exit → read the host's clocks (read before the release too: the
 * window of the probe's own reading), the owners of what it made in /scratch and the counters once
 * more → remove it. A kind supplies only `start`; the host-side
 * facts are then gathered the same way for every kind.
 */
import { readCgroupEvents, type CgroupLayout } from '../../host/cgroup.js';
import { readHostClocks, statScratch } from '../../host/host-facts.js';
import os from 'node:os';
import type { DeclaredSeccomp, HostSideFacts, RunOutcome } from '../../model/spec.js';
import type { RunHooks } from '../../model/target.js';
import { emptyHostFacts, observeLive, observePlaced, observeSeccomp } from './observe.js';

/** How the container ended, and what it wrote. */
export interface Exit {
  exitCode: number | null;
  /** The signal's name (SIGKILL) when it was killed. */
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** A cgroup the target made and placed the container in itself (the built-in runtime). */
export interface Placement {
  version: 'v1' | 'v2' | 'none';
  paths: string[];
  readLimits(): Record<string, string>;
}

/** A container that exists, held before the probe runs; every method's bounds are the kind's own. */
export interface Held {
  /** Host pid of its first process; 0 when it already exited before the host could see it. */
  pid: number;
  /** The runtime's own name for it (Docker's container name), for a sibling that joins its namespaces. */
  ref?: string;
  /** Host directory that is its /scratch, null when the host cannot see it. */
  scratch: string | null;
  /** Where the target put its cgroup; absent: found from /proc/<pid>/cgroup. */
  placement?: Placement;
  /** Lets the probe go on (its --wait-stdin go byte; the shim's EXEC). */
  release(): void | Promise<void>;
  /** Its exit status and output (bounded); rejects with a TargetError when it could not run. */
  wait(): Promise<Exit>;
  /** Removes it; safe to call more than once, also after a failure. Its undo was registered at its birth. */
  remove(): Promise<void>;
}

export interface LifecycleOptions {
  cgroups: CgroupLayout;
  /** false: no host-side observation at all (the benchmark measures the bare runtime). */
  observe?: boolean;
  /** The caller's (Target.run's hooks). */
  hooks?: RunHooks;
  /** The seccomp profile the kind declared for this container (conformance.seccomp compares it with the filter read). */
  declaredSeccomp?: Omit<DeclaredSeccomp, 'kernel'> | { unknown: string };
}

/** Interval of the limit-hit counter polling while the container lives. */
const POLL_MS = 50;

export async function runLifecycle(start: () => Promise<Held>, opts: LifecycleOptions): Promise<RunOutcome> {
  const observe = opts.observe ?? true;
  const held = await start();
  let failed = false;
  try {
    const host: HostSideFacts = emptyHostFacts(held.placement?.version ?? opts.cgroups.version);
    if (held.placement) host.cgroup.paths = held.placement.paths;
    if (observe && held.pid > 0) {
      if (held.placement) observePlaced(host, held.pid, held.placement);
      else observeLive(host, held.pid, opts.cgroups);
      host.seccomp = observeSeccomp(held.pid);
      const d = opts.declaredSeccomp;
      if (d) host.declaredSeccomp = 'unknown' in d ? d : { ...d, kernel: os.release() };
    }
    let events: Record<string, string> = {};
    const poll = () => {
      events = { ...events, ...readCgroupEvents(host.cgroup.paths) };
    };
    // The probe reads its clocks once released and before it exits, so its reading lies between
    // this read and the one after the exit, whatever the load (which only widens the window).
    const clocksBefore = observe ? readHostClocks() : null;
    await held.release();
    opts.hooks?.onReleased?.({ pid: held.pid, ...(held.ref ? { ref: held.ref } : {}) });
    const ticker = observe ? setInterval(poll, POLL_MS) : null;
    const exit = await held.wait().finally(() => ticker && clearInterval(ticker));
    if (clocksBefore) {
      host.hostClocks = { before: clocksBefore, after: readHostClocks() };
      if (held.scratch) host.createdFiles = statScratch(held.scratch);
      // A cgroup that outlives the container (the built-in runtime's, until removed) has the final counts.
      poll();
      host.cgroup.events = events;
    }
    return { hostPid: held.pid, ...exit, hostFacts: host };
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    // The first failure says why the container could not run; its removal failing after it (a dead
    // daemon refuses both) must not replace it. The removal's undo is named by the cleanup.
    if (failed) await held.remove().catch(() => {});
    else await held.remove();
  }
}
