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
 */
import { exitCodeForSignal } from './process.js';

type Undo = { label: string; run: () => void | Promise<void>; done?: Promise<void> };

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

/** Registers an undo; returns a function that runs it early (and removes it from the list). */
export function onCleanup(label: string, run: () => void | Promise<void>): () => Promise<void> {
  const undo: Undo = { label, run };
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
  for (let round = 0; round < MAX_ROUNDS && (stack.length > 0 || inFlight.size > 0); round++) {
    while (stack.length > 0) {
      const undo = stack.pop()!;
      try {
        await start(undo);
      } catch (err) {
        failures.push(`${undo.label}: ${(err as Error).message}`);
      }
    }
    await Promise.all(inFlight.keys());
  }
  if (!idle()) failures.push(`still being made after ${MAX_ROUNDS} rounds of cleanup: ${[...inFlight.values(), ...pendingCleanups()].join(', ')}`);
  return failures;
}

function idle(): boolean {
  return stack.length === 0 && inFlight.size === 0;
}

/** Runs an undo once; later calls get the same promise. */
function start(undo: Undo): Promise<void> {
  if (!undo.done) {
    undo.done = (async () => {
      await undo.run();
    })();
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
