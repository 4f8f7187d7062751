/**
 * Undo registry: every resource is registered for removal at the moment it is made, and the undo
 * list runs on normal exit, on error and on SIGINT/SIGTERM/SIGHUP. Undos run last-in first-out and
 * each one's failure is reported but does not stop the rest.
 *
 * A signal does not stop the run's other async work: targets keep going until their containers
 * die. So after a signal (test/host/cleanup.test.ts shows each case):
 *  - an undo its owner started early (a container's removal in its `finally`) is waited for:
 *    exiting under it would cut it off halfway, its resource left behind;
 *  - a resource registered after the signal is removed at once, not queued behind a drain that
 *    may have finished (and onCleanup never throws: the exit code after Ctrl-C stays 130);
 *  - a second signal does not cut the cleanup short (Node restores the default action once the
 *    last listener is gone); a third one abandons it, naming what is left for `isoprobe clean`.
 *
 * Every undo has a deadline (README, "Bounds"): one that does not finish in time is given up
 * (its work is not cancelled, it is named: "not removed within 15 s"), and the next ones run.
 * Undos that only talk to a daemon (a Docker container's removal) are `independent`: they start at
 * once, beside the host's own undos, so a hung daemon never holds up the sentinels, IPC, mounts
 * and cgroups. After a signal the whole cleanup is bounded too (SIGNAL_CLEANUP_MS), then exit 130.
 */
import { DeadlineError, secondsText, withDeadline } from '../model/deadline.js';
import { exitCodeForSignal } from './process.js';

export interface UndoOptions {
  /** Needs no other undo before or after it (talks only to a daemon): started at once by the drain. */
  independent?: boolean;
  /** Its own bound; default UNDO_MS, or INDEPENDENT_UNDO_MS when independent. */
  deadlineMs?: number;
}

type Undo = { label: string; run: () => void | Promise<void>; done?: Promise<void> } & UndoOptions;

/** An undo of the host's own (unmount, rmdir, kill a process, a runtime CLI's delete). */
export const UNDO_MS = 15_000;
/** A daemon's removal: its create may still be answered (10 s), then the removal (20 s) — targets/common/engine-api/bounds.ts. */
export const INDEPENDENT_UNDO_MS = 30_000;
/** From a signal to the exit, whatever still hangs (then named on stderr). */
export const SIGNAL_CLEANUP_MS = 45_000;

/** Rounds of "drain the list, wait for what runs": each round needs new registrations, so few are ever used. */
const MAX_ROUNDS = 100;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const stack: Undo[] = [];
/** Every undo running now, whoever started it, by label (settled views: a failure is its starter's to report). */
const inFlight = new Map<Promise<void>, string>();
let running: Promise<string[]> | null = null;
/** Set once a signal came: the process is on its way out. Failures of undos run at registration go here. */
let exiting: { signal: (typeof SIGNALS)[number]; signals: number; failures: string[] } | null = null;
let signalsArmed = false;

/** Undos given up at their deadline, not yet reported by a drain. */
const gaveUp: string[] = [];

/** Registers an undo; returns a function that runs it early (and removes it from the list). */
export function onCleanup(label: string, run: () => void | Promise<void>, opts: UndoOptions = {}): () => Promise<void> {
  const undo: Undo = { label, run, ...opts };
  armSignals();
  if (exiting) {
    const failures = exiting.failures;
    start(undo).catch((e: Error) => failures.push(`${label}: ${e.message}`));
  } else {
    stack.push(undo);
  }
  return () => {
    const i = stack.indexOf(undo);
    if (i >= 0) stack.splice(i, 1);
    // Already started (by the drain, or at registration after a signal): its owner waits for the same run.
    return start(undo);
  };
}

/**
 * Runs every pending undo (LIFO) and waits until no undo runs any more, also those started by
 * their owners. Returns the failures of the undos it started as "label: message" lines.
 */
export function cleanupAll(): Promise<string[]> {
  running ??= drain().finally(() => {
    running = null;
  });
  return running;
}

/**
 * The process's exit with `code`, unless a signal's cleanup is under way: that one exits (130 for
 * SIGINT) once everything is removed. Exiting here would cut it short, and with another code.
 */
export function exitAfterCleanup(code: number): void {
  if (!exiting) process.exit(code);
}

export function pendingCleanups(): string[] {
  return stack.map((u) => u.label);
}

async function drain(): Promise<string[]> {
  const failures: string[] = [];
  const failed = (undo: Undo) => (err: Error) => {
    // A deadline is reported once, from gaveUp, whoever started the undo.
    if (!(err instanceof DeadlineError)) failures.push(`${undo.label}: ${err.message}`);
  };
  for (let round = 0; round < MAX_ROUNDS && (stack.length > 0 || inFlight.size > 0); round++) {
    const independent: Promise<void>[] = [];
    while (stack.length > 0) {
      const undo = stack.pop()!;
      if (undo.independent) {
        independent.push(start(undo).catch(failed(undo)));
        continue;
      }
      await start(undo).catch(failed(undo));
    }
    await Promise.all([...independent, ...inFlight.keys()]);
  }
  if (!idle()) failures.push(`still being made after ${MAX_ROUNDS} rounds of cleanup: ${[...inFlight.values(), ...pendingCleanups()].join(', ')}`);
  failures.push(...gaveUp.splice(0));
  return failures;
}

function idle(): boolean {
  return stack.length === 0 && inFlight.size === 0;
}

/** Runs an undo once, within its deadline; later calls get the same promise. */
function start(undo: Undo): Promise<void> {
  if (!undo.done) {
    const ms = undo.deadlineMs ?? (undo.independent ? INDEPENDENT_UNDO_MS : UNDO_MS);
    undo.done = withDeadline(
      (async () => {
        await undo.run();
      })(),
      ms,
      undo.label,
    ).catch((e: unknown) => {
      if (e instanceof DeadlineError) gaveUp.push(`${undo.label}: not removed, gave up after ${secondsText(ms)} (run "isoprobe clean")`);
      throw e;
    });
    const settled = undo.done.then(
      () => {},
      () => {},
    );
    inFlight.set(settled, undo.label);
    void settled.then(() => inFlight.delete(settled));
  }
  return undo.done;
}

function armSignals(): void {
  if (signalsArmed) return;
  signalsArmed = true;
  for (const sig of SIGNALS) process.on(sig, () => onSignal(sig));
}

function onSignal(sig: (typeof SIGNALS)[number]): void {
  if (exiting) {
    exiting.signals++;
    if (exiting.signals === 2) {
      process.stderr.write(`isoprobe: ${sig}: cleanup is under way, ${sig} once more abandons it\n`);
      return;
    }
    const left = [...inFlight.values(), ...pendingCleanups()];
    process.stderr.write(`isoprobe: ${sig}: cleanup abandoned${left.length > 0 ? `, left: ${left.join('; ')}` : ''} (run "isoprobe clean")\n`);
    process.exit(exitCodeForSignal(exiting.signal));
  }
  exiting = { signal: sig, signals: 1, failures: [] };
  const state = exiting;
  process.exitCode = exitCodeForSignal(sig); // also if the loop runs dry without reaching process.exit below
  process.stderr.write(`isoprobe: ${sig}, cleaning up\n`);
  // Undos have deadlines, but work the run keeps doing may register more: the exit itself is bounded.
  setTimeout(() => {
    const left = [...new Set([...gaveUp, ...inFlight.values(), ...pendingCleanups()])];
    for (const l of left) process.stderr.write(`isoprobe: not removed: ${l}\n`);
    process.stderr.write(`isoprobe: ${sig}: cleanup took longer than ${secondsText(SIGNAL_CLEANUP_MS)}, exiting (run "isoprobe clean")\n`);
    process.exit(exitCodeForSignal(sig));
  }, SIGNAL_CLEANUP_MS);
  void (async () => {
    const failures: string[] = [];
    // Until idle: between a drain's end and this continuation, other code may have registered more.
    for (let round = 0; round < MAX_ROUNDS; round++) {
      failures.push(...(await cleanupAll()));
      if (idle()) break;
    }
    for (const f of [...failures, ...state.failures]) process.stderr.write(`isoprobe: cleanup failed: ${f}\n`);
    process.exit(exitCodeForSignal(sig));
  })();
}
