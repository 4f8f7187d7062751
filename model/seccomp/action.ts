/**
 * What a seccomp filter's return value means (seccomp(2), "Filter return values"), and how the
 * kernel combines the values of stacked filters: every filter runs, and the action of highest
 * precedence wins; between values of the same action, the first one seen, that of the filter run
 * first (the most recently installed), is the one applied (seccomp(2): "the first-seen action
 * value of highest precedence (along with its accompanying data)"). An action value the kernel
 * does not know is treated as SECCOMP_RET_KILL_PROCESS (seccomp(2), since Linux 4.14).
 */
export const RET_ACTION_FULL = 0xffff0000;
export const RET_DATA = 0x0000ffff;

export const ACTIONS = ['kill_process', 'kill_thread', 'trap', 'errno', 'user_notif', 'trace', 'log', 'allow'] as const;
export type Action = (typeof ACTIONS)[number];

const VALUES: Record<Action, number> = {
  kill_process: 0x80000000,
  kill_thread: 0x00000000,
  trap: 0x00030000,
  errno: 0x00050000,
  user_notif: 0x7fc00000,
  trace: 0x7ff00000,
  log: 0x7ffc0000,
  allow: 0x7fff0000,
};

export interface Verdict {
  action: Action;
  /** SECCOMP_RET_DATA: the errno for errno, the value passed on for trap and trace. */
  data: number;
}

/** The verdict of one return value. */
export function verdictOf(ret: number): Verdict {
  const full = (ret & RET_ACTION_FULL) >>> 0;
  const action = (Object.keys(VALUES) as Action[]).find((a) => VALUES[a] === full) ?? 'kill_process';
  return { action, data: ret & RET_DATA };
}

/** The return value of a verdict (an assembler's `ret #…`). */
export function retOf(action: Action, data = 0): number {
  return (VALUES[action] | (data & RET_DATA)) >>> 0;
}

/** Lower is stronger: the order of ACTIONS. */
export function precedence(a: Action): number {
  return ACTIONS.indexOf(a);
}

/**
 * The verdict of stacked filters' return values, in the order the kernel ran them (filter 0
 * first): the kernel keeps the value whose action, as a signed 32-bit number, is lowest (that is
 * the precedence order of ACTIONS, KILL_PROCESS being 0x80000000), the first seen on a tie; an
 * unknown action takes its place by that number too, and then acts as KILL_PROCESS.
 */
export function combine(rets: readonly number[]): Verdict {
  if (rets.length === 0) return { action: 'allow', data: 0 };
  const actionOnly = (r: number) => (r & RET_ACTION_FULL) | 0;
  let best = rets[0]!;
  for (const r of rets.slice(1)) if (actionOnly(r) < actionOnly(best)) best = r;
  return verdictOf(best);
}
