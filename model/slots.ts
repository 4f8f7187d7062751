/**
 * A counting semaphore: at most `size` holders of a slot at a time, the others wait in order.
 * Used where concurrency itself would spoil a result or a bound (engine/enforce.ts cpu burns,
 * targets/common/engine-api/start-slots.ts container starts).
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  async with<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
