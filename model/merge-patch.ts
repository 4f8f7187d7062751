/**
 * RFC 7386 JSON merge patch: objects merge key by key, `null` removes a key, anything else
 * (arrays included) replaces. Used for a target's `specPatch` on config.json and for Docker's raw
 * HostConfig, so users can change any field the translators write without learning a new syntax.
 * Neither input is modified; the result may share untouched subtrees with `target`.
 */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}
