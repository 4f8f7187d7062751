/**
 * `isoprobe k8s --apply`: the fleet's files written to --out as `k8s` writes them, then run in the
 * cluster (fleet/apply.ts over fleet/kube-client.ts), each node's results written beside its
 * files (nodes/<node>/results.json) and all of them reported as one run, exactly as `isoprobe
 * merge` reports the same files (cli/merge.ts reportMerged): targets `<node>/<target>`, a node
 * without results a target `<node>/(machine)` that could not run, with the reason.
 *
 * The namespace's deletion is registered with host/cleanup.ts the moment it exists, so a signal
 * runs it too and the exit is 130 (SIGINT) or 143 (SIGTERM) once it is done.
 */
import path from 'node:path';
import { onCleanup } from '../host/cleanup.js';
import { EXIT } from '../model/results.js';
import { applyBounds, applyFleet, ApplyInterrupted, type ApplyEvent, type NodeOutcome } from '../fleet/apply.js';
import type { MergeInput } from '../reports/merge.js';
import { parseResults, ResultsError, writeResults } from '../reports/results-json.js';
import { terminalSafe } from '../reports/text.js';
import type { K8sCommand } from './args.js';
import { newNonce, outDirProblem, planFiles, write } from './k8s.js';
import { reportMerged } from './merge.js';

type ApplyCommand = Extract<K8sCommand, { mode: 'apply' }>;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** The namespace's deletion: one API call (fleet/kube-client.ts CALL_MS) and a margin. */
const DELETE_NAMESPACE_MS = 35_000;

export async function k8sApplyCommand(cmd: ApplyCommand, version: string): Promise<number> {
  const nonce = newNonce();
  const outDir = cmd.outDir ?? `isoprobe-k8s-${nonce}`;
  outDirProblem(outDir);
  const files = planFiles(cmd, nonce, version);
  // Loaded here only: the package takes most of a second to load, which no other command should pay.
  const { kubeClient } = await import('../fleet/kube-client.js');
  const api = kubeClient(cmd.kubeconfig);
  write(outDir, files);
  process.stderr.write(`isoprobe: fleet run ${nonce}: ${cmd.nodes.names.length} node(s) through ${api.server}, files in ${outDir}/\n`);
  const stop = new AbortController();
  let result: Awaited<ReturnType<typeof applyFleet>>;
  try {
    result = await applyFleet({
      api,
      files,
      bounds: applyBounds(cmd.timeoutS, cmd.nodes.names.length, cmd.parallelism),
      register: (label, undo) => {
        const runNow = onCleanup(label, undo, { independent: true, deadlineMs: DELETE_NAMESPACE_MS });
        // With the undo, not before: until the namespace exists a signal ends the process as it would.
        for (const sig of SIGNALS) process.once(sig, () => stop.abort());
        return runNow;
      },
      signal: stop.signal,
      onEvent: (e) => process.stderr.write(`${terminalSafe(eventLine(e))}\n`),
    });
  } catch (e) {
    // The signal's cleanup (host/cleanup.ts) owns the exit: 130 or 143 once the namespace is deleted.
    if (e instanceof ApplyInterrupted) return EXIT.usage;
    throw e;
  }
  const inputs = result.nodes.map((n) => nodeInput(outDir, n));
  for (const f of result.cleanupFailures) process.stderr.write(`isoprobe: cleanup failed: ${terminalSafe(f)}\n`);
  const code = reportMerged(inputs, outDir, cmd.formats, version);
  return result.cleanupFailures.length > 0 ? Math.max(code, EXIT.failed) : code;
}

/** A node's results, validated and written beside its files; results that are not valid are its error. */
function nodeInput(outDir: string, n: NodeOutcome): MergeInput {
  const file = path.join(outDir, 'nodes', n.node, 'results.json');
  if ('error' in n) return { name: n.node, file, error: n.error };
  try {
    const results = parseResults(n.results, `${n.node}: the observer's results`);
    writeResults(file, results);
    return { name: n.node, file, results };
  } catch (e) {
    if (e instanceof ResultsError) return { name: n.node, file, error: e.message };
    throw e;
  }
}

function eventLine(e: ApplyEvent): string {
  if (e.kind === 'reap-failed') return `isoprobe: warning: earlier runs' expired namespaces not looked for: ${e.why}`;
  if (e.kind === 'reaped')
    return e.failure
      ? `isoprobe: warning: namespace ${e.namespace} of an earlier run, expired at ${e.expired}, not deleted: ${e.failure}`
      : `isoprobe: deleted namespace ${e.namespace} of an earlier run, expired at ${e.expired} (its client was killed)`;
  if (e.kind === 'created') return `[${e.index}/${e.total}] ${e.node}: observer created`;
  const o = e.outcome;
  const took = `${(o.durationMs / 1000).toFixed(1)} s`;
  // An error names its node already ("<node>: …").
  return 'error' in o ? `[${o.index}/${e.total}] ${o.error} (after ${took})` : `[${o.index}/${e.total}] ${o.node}: results in ${took}`;
}
