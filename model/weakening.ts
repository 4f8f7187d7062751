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
  /** Shown after the label, e.g. 'host /proc'. */
  note?: string;
}

/** "builtin share=pid", "docker hostConfig.PidMode=host (host /proc)": derived, for people to read. */
export function weakeningLabel(w: Weakening): string {
  const parts = flatten(w.settings).map(([k, v]) => `${k}=${v}`);
  const req = w.requires ? ` with ${w.requires}` : '';
  return `${w.kind} ${parts.join(' ')}${req}${w.note ? ` (${w.note})` : ''}`;
}

export function sameWeakening(a: Weakening, b: Weakening): boolean {
  return a.kind === b.kind && canonical(a.settings) === canonical(b.settings) && (a.requires ?? '') === (b.requires ?? '');
}

function flatten(o: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(o).flatMap(([k, v]): [string, string][] => {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return flatten(v as Record<string, unknown>, key);
    return [[key, Array.isArray(v) ? v.join(',') : String(v)]];
  });
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
