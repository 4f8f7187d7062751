/**
 * The shim ↔ TypeScript sync protocol (see the diagram at the top of shim.c): one text line per
 * message over fd 3. This module only parses and names; shim-session.ts drives the exchange.
 */
import { errnoCode } from '../../model/errno.js';

export type ShimMessage =
  | { kind: 'pid'; pid: number }
  | { kind: 'ready' }
  | { kind: 'execed' }
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: number }
  | { kind: 'error'; step: string; errno: number };

/** Messages the parent sends. */
export const TO_SHIM = { go: 'GO\n', exec: 'EXEC\n', abort: 'ABORT\n' } as const;

export function parseShimLine(line: string): ShimMessage {
  const [word, arg = ''] = line.trim().split(' ', 2);
  const num = Number(arg);
  switch (word) {
    case 'PID':
      if (Number.isInteger(num) && num > 0) return { kind: 'pid', pid: num };
      break;
    case 'READY':
      return { kind: 'ready' };
    case 'EXECED':
      return { kind: 'execed' };
    case 'EXIT':
      if (Number.isInteger(num)) return { kind: 'exit', code: num };
      break;
    case 'SIGNAL':
      if (Number.isInteger(num)) return { kind: 'signal', signal: num };
      break;
    case 'ERR': {
      const m = /^([a-z-]+):(\d+)$/.exec(arg);
      if (m) return { kind: 'error', step: m[1], errno: Number(m[2]) };
      break;
    }
  }
  throw new Error(`unexpected message from isoprobe-shim: ${JSON.stringify(line)}`);
}

/** "pivot-root failed: EINVAL (22)" — the readable form of an E<step>:<errno> report. */
export function describeStepError(step: string, errno: number): string {
  return `container setup step "${step}" failed: ${errnoCode(errno)} (${errno})`;
}
