/**
 * Container-to-container isolation: two sibling containers of one target and spec, run beside
 * its facts container as the enforcement containers are (engine/enforce.ts). Each runs
 * `probe sibling` (probes/sibling.c, whose header draws the exchange) with its own names and the
 * other's. The host's side of the exchange goes through each probe's cwd (its root, also where
 * the runtime keeps the host's mount namespace) as /proc/<pid>/cwd/scratch, so a file the host
 * writes is seen through the container's own mounts (an overlay's upper directory written behind
 * its back is not):
 *
 *   1. start the first, and once it runs, the second (which may join the first's namespaces);
 *   2. wait (bounded) until both wrote `armed` (their hostname and addresses);
 *   3. give each the other's in `peer`: only then does either look;
 *   4. wait (bounded) until both wrote `looked`, then write `end`: each held its sentinels until
 *      the other had finished looking, and verifies them once more before removing them.
 * A failed step still writes what the probes wait for, so they end at once rather than at their
 * own bounds; the sibling whose exchange failed carries the reason and its checks are errors.
 */
import { randomBytes, randomInt } from 'node:crypto';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { own } from '../host/journal.js';
import type { Resource } from '../model/journal.js';
import { IPC_KEY_PREFIX } from '../host/sentinels.js';
import { mqUnlink, msgget, msgRemove, semget, semRemove, shmget, shmRemove } from '../host/libc.js';
import type { Request } from '../model/request.js';
import {
  parsePeerText,
  peerText,
  exchangeDirs,
  siblingArgv,
  SiblingDocSchema,
  type SiblingNames,
  type SiblingNamespace,
  type SiblingRun,
  type SiblingsEvidence,
} from '../model/sibling.js';
import type { ContainerSpec, RunOutcome } from '../model/spec.js';
import type { Target } from '../model/target.js';
import { Slots } from '../model/slots.js';

/** Bounds of the host's waits; the probe's own are longer (PHASE_WAIT_MS), so the host decides. */
const STARTED_MS = 60_000;
const ARMED_MS = 20_000;
/** A look is bounded by its connects: ≤ 1 s each plus a 1 s greeting, for ≤ 2 + 8 targets. */
const LOOKED_MS = 30_000;
const POLL_MS = 10;

/** The siblings' listening ports: below the kernel's ephemeral range, so no connect of the host's (in a shared network namespace) can hold one. */
const PORT_FLOOR = 20_000;

/** [low, high] of ip_local_port_range; Linux's default where unreadable. */
export function ephemeralPorts(text = readLocalPortRange()): [number, number] {
  const [low, high] = text.trim().split(/\s+/).map(Number);
  return Number.isInteger(low) && Number.isInteger(high) && low! > 0 ? [low!, high!] : [32_768, 60_999];
}

function readLocalPortRange(): string {
  try {
    return fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return '';
  }
}

/** Where the siblings' ports are drawn from: [PORT_FLOOR, the ephemeral range's start), else above its end. */
export function siblingPortRange([low, high]: [number, number]): [number, number] {
  if (low - PORT_FLOOR >= 1000) return [PORT_FLOOR, low];
  if (high < 64_535) return [high + 1, 65_536];
  // Nearly every port is ephemeral: below it if there is room, else no port is safe from a clash.
  return low > 2048 ? [1024, low] : [PORT_FLOOR, 60_000];
}

export function siblingNames(): [SiblingNames, SiblingNames] {
  const ports = new Set<number>();
  const [from, to] = siblingPortRange(ephemeralPorts());
  while (ports.size < 4) ports.add(randomInt(from, to));
  const keys = new Set<number>();
  while (keys.size < 6) keys.add(((IPC_KEY_PREFIX << 16) | randomInt(1, 0x10000)) >>> 0);
  const [p, k] = [[...ports], [...keys]];
  return [0, 1].map((i): SiblingNames => {
    const nonce = randomBytes(6).toString('hex');
    return {
      nonce,
      tcpPort: p[2 * i],
      anyPort: p[2 * i + 1],
      abstract: `isoprobe-sib-${nonce}`,
      shmKey: k[3 * i],
      msgKey: k[3 * i + 1],
      semKey: k[3 * i + 2],
      mq: `/isoprobe-sib-${nonce}`,
      marker: `/dev/shm/isoprobe-sib-${nonce}`,
      argv: `isoprobe-sibling-${nonce}`,
    };
  }) as [SiblingNames, SiblingNames];
}

interface Running {
  names: SiblingNames;
  outcome: Promise<RunOutcome>;
  started: Promise<{ pid: number; ref?: string }>;
  /** Set when the exchange failed for this sibling. */
  problem?: string;
  /** The host's path of the exchange directory the probe chose, once it armed. */
  dir?: string;
}

function start(target: Target, spec: ContainerSpec, names: SiblingNames): Running {
  let resolve!: (r: { pid: number; ref?: string }) => void;
  const started = new Promise<{ pid: number; ref?: string }>((r) => {
    resolve = r;
  });
  const outcome = target.run(spec, { onReleased: resolve });
  // A container that ends (or fails) before it ran the probe never starts: say so, bounded.
  const ended = outcome.then(
    () => Promise.reject(new Error('the container ended before its probe was released')),
    (e: Error) => Promise.reject(e),
  );
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not started within ${STARTED_MS} ms`)), STARTED_MS).unref());
  outcome.catch(() => {});
  return { names, outcome, started: Promise.race([started, ended, timeout]) };
}

/** Each exchange directory the probe may choose (model/sibling.ts exchangeDirs), as the host reaches it inside the container. */
function candidateDirs(pid: number, names: SiblingNames): string[] {
  return exchangeDirs(names).map((d) => path.join(`/proc/${pid}/cwd`, d));
}

/** The armed file in whichever directory the probe chose, and that directory. */
async function waitArmed(pid: number, names: SiblingNames, ms: number): Promise<{ text: string; dir: string } | null> {
  const dirs = candidateDirs(pid, names);
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, POLL_MS))) {
    for (const dir of dirs) {
      try {
        return { text: fs.readFileSync(path.join(dir, 'armed'), 'utf8'), dir };
      } catch {
        /* not yet, or not there */
      }
    }
  }
  return null;
}

async function waitFor(file: string, ms: number): Promise<string | null> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, POLL_MS))) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      /* not yet */
    }
  }
  return null;
}

/** O_EXCL on a fresh name, then rename: never through a link the container left, and whole or not at all. */
function writeInto(dir: string, name: string, text: string): void {
  const tmp = path.join(dir, `.host-${name}-${randomBytes(4).toString('hex')}`);
  fs.writeFileSync(tmp, text, { flag: 'wx', mode: 0o644 });
  fs.renameSync(tmp, path.join(dir, name));
}

/**
 * At most one pair per CPU at a time, across all targets: each pair's two containers, beside the
 * other targets' pairs, would otherwise all start at once and overload a small machine's daemon.
 */
const pairSlots = new Slots(os.availableParallelism());

/** Never rejects: a pair that could not run is evidence whose checks are errors (engine/evidence.ts). */
export async function runSiblings(target: Target, spec: ContainerSpec, joined: SiblingNamespace[], request: Request): Promise<SiblingsEvidence> {
  try {
    return await pairSlots.with(() => runPair(target, spec, joined, request));
  } catch (e) {
    const [a, b] = siblingNames();
    const failed = (names: SiblingNames): SiblingRun => ({
      names,
      error: `the sibling pair could not run: ${(e as Error).message}`,
      hostPid: 0,
      observedNs: {},
    });
    return { joined, first: failed(a), second: failed(b), request };
  }
}

async function runPair(target: Target, spec: ContainerSpec, joined: SiblingNamespace[], request: Request): Promise<SiblingsEvidence> {
  const [a, b] = siblingNames();
  const specOf = (own: SiblingNames, peer: SiblingNames): ContainerSpec => ({ ...spec, hostname: `isoprobe-sib-${own.nonce}`, argv: siblingArgv(own, peer) });
  // A probe killed before it removed its sentinels (an interrupted run) leaves them where the host
  // sees them when it had the host's IPC namespace or /dev/shm: removed at the end of the pair, or
  // by the run's cleanup. What it ran in is known only once it ran: unknown counts as the host's.
  const seen: (SiblingRun | null)[] = [null, null];
  // Journalled before either runs: a SIGKILLed run's strays are the next reaper's (host/reap.ts).
  const undo = own(strayResources([a, b]), 'sibling sentinels left in the host namespaces', () => removeStrays([a, b], seen));
  const first = start(target, { ...specOf(a, b), ...(joined.length > 0 ? { sharedWithSibling: joined } : {}) }, a);
  let second: Running | null = null;
  const pids: (number | null)[] = [null, null];
  try {
    const one = await first.started;
    pids[0] = one.pid;
    const join = joined.length > 0 ? { joinSibling: { namespaces: joined, pid: one.pid, ...(one.ref ? { ref: one.ref } : {}) } } : {};
    // Joined to the first's UTS namespace, it must not be given a hostname: that would rename the first.
    second = start(target, { ...specOf(b, a), ...(joined.includes('uts') ? { hostname: spec.hostname } : {}), ...join }, b);
    pids[1] = (await second.started).pid;
    await exchange(first, second, [pids[0], pids[1]]);
  } catch (e) {
    const why = (e as Error).message;
    if (pids[1] === null && second) second.problem = why;
    else if (pids[0] === null) first.problem = why;
    else {
      first.problem ??= why;
      second!.problem ??= why;
    }
  } finally {
    // Whatever happened, let every probe that runs go on to its end now: the second first, and the
    // first once the second ended, since the first may be the init of a pid namespace the second
    // joined, whose end would kill the second before it printed its document.
    if (pids[1] !== null) {
      release(pids[1], second);
      await second?.outcome.catch(() => {});
    }
    if (pids[0] !== null) release(pids[0], first);
  }
  const runs = await Promise.all([
    collect(first),
    second ? collect(second) : Promise.resolve<SiblingRun>({ names: b, error: first.problem ?? 'not started', hostPid: 0, observedNs: {} }),
  ]);
  [seen[0], seen[1]] = runs;
  await undo();
  return { joined, first: runs[0], second: runs[1], request };
}

async function exchange(first: Running, second: Running, pids: [number, number]): Promise<void> {
  const runs = [first, second];
  const found = await Promise.all(pids.map((pid, i) => waitArmed(pid, runs[i].names, ARMED_MS)));
  found.forEach((f, i) => {
    if (f) runs[i].dir = f.dir;
  });
  const armed = found.map((f) => f?.text ?? null);
  const peers = armed.map((t) => (t === null ? null : parsePeerText(t)));
  peers.forEach((p, i) => {
    if (!p)
      runs[i].problem = armed[i] === null ? `did not arm within ${ARMED_MS} ms` : `wrote a malformed armed file: ${JSON.stringify(armed[i]!.slice(0, 80))}`;
  });
  if (!peers[0] || !peers[1]) throw new Error('the siblings did not both arm');
  writeInto(first.dir!, 'peer', peerText(peers[1]));
  writeInto(second.dir!, 'peer', peerText(peers[0]));
  const looked = await Promise.all(runs.map((r) => waitFor(path.join(r.dir!, 'looked'), LOOKED_MS)));
  looked.forEach((l, i) => {
    if (l === null) runs[i].problem = `did not finish its look within ${LOOKED_MS} ms`;
  });
}

/** An empty peer (if none was given yet) and the end: the probe finishes now. Best effort: it may be gone. */
function release(pid: number, r: Running | null): void {
  // Where it armed; else wherever it may yet look (it waits in the first directory it could write).
  const dirs = r?.dir ? [r.dir] : r ? candidateDirs(pid, r.names) : [];
  for (const [name, text] of [
    ['peer', ''],
    ['end', 'end\n'],
  ]) {
    for (const dir of dirs) {
      try {
        if (fs.existsSync(dir) && !fs.existsSync(path.join(dir, name))) writeInto(dir, name, text);
      } catch {
        /* the container ended already, or this directory is not writable (read-only root) */
      }
    }
  }
}

async function collect(r: Running): Promise<SiblingRun> {
  try {
    const out = await r.outcome;
    const base = { names: r.names, hostPid: out.hostPid, observedNs: out.hostFacts.ns };
    if (out.exitCode !== 0) {
      const why = out.signal ? `was killed by ${out.signal}` : `exited with ${out.exitCode}`;
      return { ...base, error: `probe sibling ${why}: ${out.stderr.trim().split('\n').slice(-2).join(' | ') || 'no message'}` };
    }
    let doc: unknown;
    try {
      doc = JSON.parse(out.stdout.trim());
    } catch {
      return { ...base, error: `probe sibling output is not JSON: ${JSON.stringify(out.stdout.slice(0, 60))}` };
    }
    const parsed = SiblingDocSchema.safeParse(doc);
    if (!parsed.success) return { ...base, error: `probe sibling output does not match its contract: ${parsed.error.issues[0]?.message}` };
    return { ...base, doc: parsed.data, ...(r.problem ? { error: r.problem } : {}) };
  } catch (e) {
    return { names: r.names, hostPid: 0, observedNs: {}, error: r.problem ?? (e as Error).message };
  }
}

/** What the siblings may leave where the host sees it: their keys, mq names and markers, all unique to the run. */
function strayResources(names: SiblingNames[]): Resource[] {
  return names.flatMap((n): Resource[] => [
    { kind: 'sysv', type: 'shm', key: n.shmKey },
    { kind: 'sysv', type: 'msg', key: n.msgKey },
    { kind: 'sysv', type: 'sem', key: n.semKey },
    { kind: 'mq', name: n.mq },
    { kind: 'file', path: n.marker, content: n.nonce },
    // Its exchange directory, in the host's /dev/shm only when the runtime gave it that one.
    { kind: 'dir', path: exchangeDirs(n)[1] },
  ]);
}

/**
 * What a sibling that did not remove its own sentinels left in the harness's namespaces: its
 * marker (in the host's /dev/shm only when the runtime gave it that; ours when it holds the
 * sibling's nonce), and its IPC objects where it ran in the host's IPC namespace.
 */
function removeStrays(names: SiblingNames[], seen: (SiblingRun | null)[]): void {
  const quiet = (f: () => void) => {
    try {
      f();
    } catch {
      /* gone already, or never there */
    }
  };
  const hostIpc = fs.readlinkSync('/proc/self/ns/ipc');
  names.forEach((n, i) => {
    const run = seen[i];
    // The exchange directory is the host's to remove, wherever it was (the probe leaves it).
    quiet(() => fs.rmSync(exchangeDirs(n)[1], { recursive: true, force: true }));
    if (run?.doc) return; // it printed its document after removing its own
    quiet(() => {
      if (fs.readFileSync(n.marker, 'utf8') === n.nonce) fs.rmSync(n.marker);
    });
    const ipc = run?.observedNs.ipc?.link;
    if (ipc && ipc !== hostIpc) return;
    quiet(() => shmRemove(shmget(n.shmKey, 0, 0)));
    quiet(() => msgRemove(msgget(n.msgKey, 0)));
    quiet(() => semRemove(semget(n.semKey, 0, 0)));
    quiet(() => mqUnlink(n.mq));
  });
}
