/**
 * A deadline on a promise: whatever it waits for (a daemon's answer, a runtime CLI, a cleanup
 * step) is raced against a timer, and losing the race is a DeadlineError naming what was waited
 * for. The work itself is not cancelled: the caller decides what to do with it (kill it, name it
 * as left behind); a hung daemon never answers, so a bound is the only way out.
 */
export class DeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what}: no answer within ${secondsText(ms)}`);
  }
}

/** "10 s", "0.5 s": how the bounds are written in the README. */
export function secondsText(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

export async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for `p` at most `ms` (a drain of what may never end); never rejects, says nothing of which won. */
export async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    p.catch(() => {}),
    new Promise((r) => {
      timer = setTimeout(r, ms);
    }),
  ]);
  clearTimeout(timer);
}
