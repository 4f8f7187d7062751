/**
 * At most START_SLOTS containers are being created and started on one daemon at a time. A run
 * with many docker targets asks for four containers per target at once (the facts probe and three
 * enforcement probes): dozens of concurrent `container start`s on a small host keep each one past
 * its bound (./bounds.ts), and the first one past it marks the whole daemon hung. Queued starts
 * wait here, outside any bound; the daemon then answers each in about a second. A slot is held
 * until the container is started and inspected, not while it runs.
 */
import { Slots } from '../../../model/slots.js';

const START_SLOTS = 4;

const slots = new Map<string, Slots>();

export async function withStartSlot<T>(socket: string, start: () => Promise<T>): Promise<T> {
  const s = slots.get(socket) ?? new Slots(START_SLOTS);
  slots.set(socket, s);
  return s.with(start);
}
