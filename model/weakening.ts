/**
 * A negative control as data: the target config fields that turn one isolation off on purpose.
 * Checks name the weakenings that must make them fail; each target folder lists the weakenings
 * the project's tests run. They are compared by value (kind and settings), never by their label.
 */
export interface Weakening {
  /** The target kind it applies to: 'builtin', 'docker', 'oci', ... */
  kind: string;
  /** Target config fields merged over the kind's defaults, e.g. {share: ['pid']} or {hostConfig: {PidMode: 'host'}}. */
  settings: Record<string, unknown>;
  /** A condition isoprobe cannot create (e.g. 'runc < 1.1.12'): such a weakening is documented, not run. */
  requires?: string;
  /**
   * Where a check names it: the host it flips the check on, when not every host (a cgroup v1
   * hierarchy must exist for a release_agent to be reached). Not part of the weakening's identity.
   */
  flipsOnlyWith?: HostCondition;
  /** Shown after the label, e.g. 'host /proc'. */
  note?: string;
}

/** Host conditions a weakening's effect on a check may depend on (closed, so tests can decide them). */
export type HostCondition = 'cgroup-v1';
const CONDITION_TEXT: Record<HostCondition, string> = { 'cgroup-v1': 'cgroup v1' };

/** "builtin share=pid", "docker hostConfig.PidMode=host (host /proc)": derived, for people to read. */
export function weakeningLabel(w: Weakening): string {
  const parts = [w.kind, ...flatten(w.settings).map(([k, v]) => `${k}=${v}`)];
  if (w.requires) parts.push(`with ${w.requires}`);
  const notes = [w.flipsOnlyWith ? CONDITION_TEXT[w.flipsOnlyWith] : '', w.note ?? ''].filter(Boolean);
  return `${parts.join(' ')}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

export function sameWeakening(a: Weakening, b: Weakening): boolean {
  return a.kind === b.kind && canonical(a.settings) === canonical(b.settings) && (a.requires ?? '') === (b.requires ?? '');
}

function flatten(o: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(o).flatMap(([k, v]): [string, string][] => {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return flatten(v as Record<string, unknown>, key);
    return [[key, Array.isArray(v) ? (v.length ? v.map(show).join(',') : '[]') : String(v)]];
  });
}

function show(v: unknown): string {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
