/** Processes as the host sees them: whether one lives, and how its end is named. */
import os from 'node:os';

/** Whether a pid names a live process (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** "SIGKILL" for 9; "signal 64" for a number this platform has no name for. */
export function signalName(num: number): string {
  return Object.entries(os.constants.signals).find(([, n]) => n === num)?.[0] ?? `signal ${num}`;
}

export interface ExitStatus {
  exitCode: number | null;
  signal: string | null;
}

/**
 * A shell's convention, which runc, crun and Docker follow for a container's init: status 128+N
 * means killed by signal N. A signal the caller saw itself (Node's `signal` of a child) wins.
 */
export function decodeExitStatus(code: number | null, signal: NodeJS.Signals | null = null): ExitStatus {
  if (signal) return { exitCode: null, signal };
  if (code !== null && code > 128) {
    const name = Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0];
    if (name) return { exitCode: null, signal: name };
  }
  return { exitCode: code, signal: null };
}

/** The same convention the other way: the status a process reports after dying of `signal`. */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + os.constants.signals[signal];
}
