/**
 * What `isoprobe clean` found of one kind of thing and what of it is still there: each runtime
 * reports its own kinds in this shape, cli/clean.ts prints one line per kind.
 */
export interface CleanItem {
  /** e.g. "runc containers", "docker images", "cgroups". */
  kind: string;
  found: string[];
  /** What could not be removed, each as "what: why". */
  remaining: string[];
  /** Why nothing of this kind could be looked for (no daemon, runtime not installed). Not a failure: nothing of ours runs there. */
  unchecked?: string;
}

export function cleanLine(item: CleanItem): string {
  if (item.unchecked !== undefined) return `${item.kind}: not checked, ${item.unchecked}`;
  const removed = Math.max(0, item.found.length - item.remaining.length);
  const left = item.remaining.length > 0 ? `; could not remove ${item.remaining.length}: ${item.remaining.join('; ')}` : '';
  return `${item.kind}: ${item.found.length} found, ${removed} removed${left}`;
}
