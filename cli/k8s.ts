/**
 * `isoprobe k8s`: writes a fleet run's files (fleet/plan.ts) into an empty or new directory, or,
 * inside an observer, prints its results as the one-line log record (fleet/log-record.ts). It
 * talks to no cluster: the files are for a client that creates the objects, P observers at a time
 * (`--apply` is that client: ./k8s-apply.ts).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writableDirProblem } from '../host/writable-dir.js';
import { EnvError, ConfigError } from '../model/errors.js';
import { EXIT } from '../model/results.js';
import { encodeRecord } from '../fleet/log-record.js';
import { fleetFiles, type FleetFile } from '../fleet/plan.js';
import { imageRefs } from '../targets/cri/image.js';
import { projectProbeFiles } from '../targets/common/probe-files.js';
import type { K8sCommand, K8sFleetOptions } from './args.js';

export function k8sCommand(cmd: Exclude<K8sCommand, { mode: 'apply' }>, version: string): number {
  if (cmd.mode === 'record') {
    process.stdout.write(`${recordOf(cmd.resultsPath)}\n`);
    return EXIT.ok;
  }
  const nonce = newNonce();
  const outDir = cmd.outDir ?? `isoprobe-k8s-${nonce}`;
  outDirProblem(outDir);
  const files = planFiles(cmd, nonce, version);
  write(outDir, files);
  process.stdout.write(summary(outDir, files));
  return EXIT.ok;
}

export function newNonce(): string {
  return randomBytes(4).toString('hex');
}

/** The run's files (fleet/plan.ts) for the command's options. */
export function planFiles(cmd: K8sFleetOptions, nonce: string, version: string): FleetFile[] {
  return fleetFiles({
    nonce,
    nodes: 'count' in cmd.nodes ? Array.from({ length: cmd.nodes.count }, (_, i) => `node-${i + 1}`) : cmd.nodes.names,
    placeholders: 'count' in cmd.nodes,
    runtimeClasses: cmd.runtimeClasses,
    namespace: cmd.namespace ?? `isoprobe-${nonce}`,
    image: cmd.image ?? `isoprobe:${version}`,
    probeImage: probeImage(),
    timeoutS: cmd.timeoutS,
    parallelism: cmd.parallelism,
    version,
  });
}

/** Empty or new: files of an earlier run beside this one's would be read as this run's. */
export function outDirProblem(outDir: string): void {
  const why = writableDirProblem(outDir);
  if (why) throw new EnvError(`cannot write the fleet's files to --out "${outDir}": ${why}`);
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0)
    throw new ConfigError(`--out "${outDir}" is not empty (a fleet's files are one run's: name a new directory)`);
}

/** The cri target's probe image, named by the hash of the probe as built (targets/cri/image.ts). */
function probeImage(): string {
  const files = projectProbeFiles();
  if (!fs.existsSync(files.probe)) throw new EnvError(`the probe is not built (${files.probe}): run "npm run build"`);
  return imageRefs(files).probe;
}

export function write(outDir: string, files: readonly FleetFile[]): void {
  for (const f of files) {
    const file = path.join(outDir, ...f.path.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(f.json, null, 2)}\n`);
  }
}

function summary(outDir: string, files: FleetFile[]): string {
  const plan = files.find((f) => f.kind === 'plan')!.json as {
    run: string;
    namespace: string;
    nodeNames: string;
    nodes: { name: string; subjects: string[] }[];
    parallelism: { observers: number };
    apply: string[];
  };
  const subjects = plan.nodes[0]!.subjects.map((s) => path.basename(s, '.json'));
  const placeholders = plan.nodeNames.startsWith('placeholders');
  return [
    `fleet run ${plan.run}: ${plan.nodes.length} node(s)${placeholders ? ` (placeholder names ${plan.nodes.length > 1 ? `node-1..node-${plan.nodes.length}` : 'node-1'}: name real nodes before creating the observers)` : ''}, namespace ${plan.namespace}`,
    `subjects per node: ${subjects.join(', ')}`,
    `wrote ${files.length} files to ${outDir}/: create ${plan.apply.join(', ')} first, then nodes/<node>/observer.json, ${plan.parallelism.observers} at a time (fleet.json)`,
    '',
  ].join('\n');
}

/** The record of a results file, or of its absence: the observer's last line whatever happened to the run. */
function recordOf(file: string): string {
  const origin = { node: process.env.ISOPROBE_NODE, run: process.env.ISOPROBE_RUN };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return encodeRecord({
      ...origin,
      results: null,
      reason: `no results at ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): the run ended before writing them`,
    });
  }
  try {
    JSON.parse(text);
  } catch (e) {
    return encodeRecord({ ...origin, results: null, reason: `${file} is not JSON: ${(e as Error).message}` });
  }
  return encodeRecord({ ...origin, results: text });
}
