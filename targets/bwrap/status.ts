/**
 * Where the probe runs, seen from the host. bwrap's `--json-status-fd` writes one JSON document
 * when the sandbox exists ({"child-pid": N, "<ns>-namespace": inode, ...}) and one when it ended
 * ({"exit-code": N}). With a pid namespace (the default), child-pid is bwrap's own init, PID 1 of
 * the sandbox, and the command is its child (PID 2 inside); only `--as-pid-1` or a shared pid
 * namespace make child-pid the command itself (measured with bubblewrap 0.8.0). So the probe's
 * host pid is found among child-pid and its children, by the probe's path in argv[0]: the probe
 * holds itself (--wait-stdin) until the host has observed it, so it is there to be found.
 */
import { findDescendant } from '../../host/proc-tree.js';
import { PROBE_PATH } from '../../model/target.js';
import { HOST_ROOT_PROBE_DIR } from './argv.js';

export interface BwrapStatus {
  childPid?: number;
  exitCode?: number;
}

/** The documents read so far (they arrive whole or in pieces); a document not yet complete is left for later. */
export function parseStatus(text: string): BwrapStatus {
  const out: BwrapStatus = {};
  for (const doc of splitDocuments(text)) {
    let v: unknown;
    try {
      v = JSON.parse(doc);
    } catch {
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    if (Number.isInteger(o['child-pid'])) out.childPid = o['child-pid'] as number;
    if (Number.isInteger(o['exit-code'])) out.exitCode = o['exit-code'] as number;
  }
  return out;
}

/** bwrap ends each document with a newline; braces are counted too, so a document split across lines still parses. */
function splitDocuments(text: string): string[] {
  const docs: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && depth > 0 && --depth === 0) docs.push(text.slice(start, i + 1));
  }
  return docs;
}

/**
 * The host pid of the process running the probe: child-pid itself when it has exec'd the probe,
 * else a child of it that has. null while neither has (bwrap is still setting the sandbox up).
 */
export function findProbePid(childPid: number, procRoot = '/proc'): number | null {
  // Under a host root (./argv.ts relocate) the probe is at /tmp/isoprobe/probe.
  return findDescendant(childPid, (argv) => argv[0] === PROBE_PATH || argv[0] === `${HOST_ROOT_PROBE_DIR}/probe`, procRoot);
}
