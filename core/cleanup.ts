/**
 * Undo registry: every resource is registered for removal at the moment it is made, and the undo
 * list runs on normal exit, on error and on SIGINT/SIGTERM. Undos run last-in first-out and each
 * one's failure is reported but does not stop the rest.
 */
type Undo = { label: string; run: () => void | Promise<void> };

const stack: Undo[] = [];
let signalsArmed = false;
let running: Promise<string[]> | null = null;

/** Registers an undo; returns a function that runs it early (and removes it from the list). */
export function onCleanup(label: string, run: () => void | Promise<void>): () => Promise<void> {
  const undo: Undo = { label, run };
  stack.push(undo);
  armSignals();
  return async () => {
    const i = stack.indexOf(undo);
    if (i < 0) return;
    stack.splice(i, 1);
    await undo.run();
  };
}

/** Runs every pending undo (LIFO). Returns the failures as "label: message" lines. */
export function cleanupAll(): Promise<string[]> {
  if (running) return running;
  running = (async () => {
    const failures: string[] = [];
    while (stack.length > 0) {
      const undo = stack.pop()!;
      try {
        await undo.run();
      } catch (err) {
        failures.push(`${undo.label}: ${(err as Error).message}`);
      }
    }
    running = null;
    return failures;
  })();
  return running;
}

export function pendingCleanups(): string[] {
  return stack.map((u) => u.label);
}

function armSignals(): void {
  if (signalsArmed) return;
  signalsArmed = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`isoprobe: ${sig}, cleaning up\n`);
      void cleanupAll().then((failures) => {
        for (const f of failures) process.stderr.write(`isoprobe: cleanup failed: ${f}\n`);
        process.exit(sig === 'SIGINT' ? 130 : 143);
      });
    });
  }
}
