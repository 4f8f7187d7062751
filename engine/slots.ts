/**
 * A counting semaphore for the extra containers of a run: at most `n` of a kind run at a time,
 * across all targets (cpu burns that must reach their quota; sibling pairs, whose two containers
 * each, beside every target's facts and enforcement containers, would otherwise all start at
 * once and overload a small machine's daemon).
 */
export function slots(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let free = Math.max(1, n);
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}
