/**
 * `isoprobe k8s --apply`: a plan's files (./plan.ts) run for real, over a KubeApi (./kube-api.ts),
 * pure apart from it and the clock. The order (docs/scale-out.md, "Applying"):
 *
 *   1. the Namespace; its deletion is registered the moment it exists (never before: a namespace
 *      that existed already is refused by the API server and is not isoprobe's to delete)
 *   2. the other manifests, in fleet.json's `apply` order
 *   3. the observer Jobs in the order of fleet.json's nodes, at most `parallelism` unfinished at
 *      once; every `pollMs` one list of the unfinished Jobs by label; an ended Job's Pod is found
 *      by label and the last lines of its log decoded (./log-record.ts)
 *   4. the namespace deleted, with everything in it: at the end, on any error, and (through the
 *      registered undo, host/cleanup.ts in the CLI) on SIGINT/SIGTERM
 *
 * Before 1., the namespaces of earlier runs whose bound has passed (their `isoprobe.expires`
 * annotation, written on the namespace at its creation) are deleted: a client deletes its own
 * before then, so these were left by one that was SIGKILLed or lost the API server. A run still
 * within its bound is never touched, whichever machine runs it.
 *
 * Every wait is bounded: an observer gets `nodeMs` from its creation (its own deadline, the grace
 * of its cleanup and some slack), then its Job is deleted and the node is an error; the whole run
 * gets `totalMs`. Every node of the plan comes back exactly once, as results or as an error
 * "<node>: why" — a node that failed, timed out or gave no record is never dropped.
 */
import { secondsText } from '../model/deadline.js';
import type { JobState, KubeApi, KubeObject, PodState } from './kube-api.js';
import { EXPIRES_ANNOTATION, MANAGED_BY, NODE_INDEX_LABEL, ROLE_LABEL, RUN_LABEL } from './labels.js';
import { decodeRecord } from './log-record.js';
import { TERMINATION_GRACE_S } from './observer.js';
import type { FleetFile, FleetPlan } from './plan.js';

export interface ApplyBounds {
  /** Between two polls of the unfinished observers. */
  pollMs: number;
  /** From an observer's creation to giving up on it. */
  nodeMs: number;
  /** The whole run, from the namespace to the last log read. */
  totalMs: number;
}

export const POLL_MS = 2_000;
/** After an observer's own deadline and grace: its Job controller's and kubelet's reaction time. */
const NODE_SLACK_S = 60;
/** Creating the fleet-wide objects and deleting the namespace. */
const SETUP_MS = 120_000;
/** Failed polls in a row (the API unreachable, a permission missing) before the run gives up. */
export const MAX_POLL_FAILURES = 5;
/** The record is the log's last line; a few more say what came before it when it is not. */
export const LOG_TAIL_LINES = 5;
export const OBSERVER_CONTAINER = 'observer';

export function applyBounds(timeoutS: number, nodes: number, parallelism: number): ApplyBounds {
  const nodeMs = (timeoutS + TERMINATION_GRACE_S + NODE_SLACK_S) * 1000;
  const waves = Math.ceil(nodes / Math.max(1, Math.min(parallelism, nodes)));
  return { pollMs: POLL_MS, nodeMs, totalMs: waves * nodeMs + SETUP_MS };
}

export type NodeOutcome = { node: string; index: number; durationMs: number } & ({ results: unknown } | { error: string });

export type ApplyEvent =
  | { kind: 'created'; node: string; index: number; total: number }
  | { kind: 'done'; outcome: NodeOutcome; total: number }
  /** An earlier run's namespace past its bound, deleted (or, with `failure`, not). */
  | { kind: 'reaped'; namespace: string; expired: string; failure?: string }
  /** The expired runs could not be listed: this run goes on, theirs stay. */
  | { kind: 'reap-failed'; why: string };

/** Registers an undo (host/cleanup.ts onCleanup in the CLI); returns the function that runs it now, once. */
export type Register = (label: string, undo: () => Promise<void>) => () => Promise<void>;

export interface ApplyOptions {
  api: KubeApi;
  files: readonly FleetFile[];
  bounds: ApplyBounds;
  register?: Register;
  /** Stops the run between calls (a signal): apply then throws, after the namespace's deletion. */
  signal?: AbortSignal;
  onEvent?: (e: ApplyEvent) => void;
}

export interface ApplyResult {
  /** In the plan's order, one per node. */
  nodes: NodeOutcome[];
  /** What could not be removed, one line each: the run's results stand, the cluster keeps this. */
  cleanupFailures: string[];
}

export class ApplyInterrupted extends Error {
  readonly code = 'EINTERRUPTED';
}

export async function applyFleet(opts: ApplyOptions): Promise<ApplyResult> {
  const plan = opts.files.find((f) => f.kind === 'plan')!.json as FleetPlan;
  const object = (p: string) => opts.files.find((f) => f.path === p)!.json as KubeObject;
  const [namespaceFile, ...manifests] = plan.apply;
  const deadline = Date.now() + opts.bounds.totalMs;
  stopIfAborted(opts.signal);
  await reapExpired(opts.api, Date.now(), opts.onEvent);
  stopIfAborted(opts.signal);
  await opts.api.create(withExpiry(object(namespaceFile!), new Date(deadline)));
  const register: Register = opts.register ?? ((_label, undo) => once(undo));
  const removeNamespace = register(`delete namespace ${plan.namespace}`, () => opts.api.deleteNamespace(plan.namespace));
  let nodes: NodeOutcome[] | undefined;
  let failure: unknown;
  try {
    for (const m of manifests) {
      stopIfAborted(opts.signal);
      await opts.api.create(object(m));
    }
    nodes = await new Observers(opts, plan, object, deadline).run();
  } catch (e) {
    failure = e;
  }
  const cleanupFailures = await removeNamespace().then(
    () => [],
    (e: Error) => [`delete namespace ${plan.namespace}: ${e.message} (delete it with: kubectl delete namespace ${plan.namespace})`],
  );
  if (failure !== undefined) {
    if (cleanupFailures.length > 0 && failure instanceof Error) failure.message += `; and ${cleanupFailures[0]}`;
    throw failure;
  }
  return { nodes: nodes!, cleanupFailures };
}

/** The namespace as created: the run's bound on it, for the reaping of a later run. */
function withExpiry(namespace: KubeObject, at: Date): KubeObject {
  const metadata = namespace.metadata ?? {};
  return { ...namespace, metadata: { ...metadata, annotations: { ...metadata.annotations, [EXPIRES_ANNOTATION]: at.toISOString() } } } as KubeObject;
}

/**
 * Deletes isoprobe's run namespaces whose `isoprobe.expires` has passed; one without it (not made
 * by `--apply`, e.g. a plan a user applied with kubectl) or already terminating is left alone.
 * A listing that is forbidden, or a deletion that fails, is an event and this run goes on.
 */
export async function reapExpired(api: KubeApi, now: number, onEvent?: (e: ApplyEvent) => void): Promise<string[]> {
  let namespaces: Awaited<ReturnType<KubeApi['listNamespaces']>>;
  try {
    namespaces = await api.listNamespaces(`${MANAGED_BY}=isoprobe,${RUN_LABEL}`);
  } catch (e) {
    // Forbidden (a ClusterRole bound before it had list): this run can still do its work. Any other failure would be met again at once.
    if ((e as { status?: number }).status !== 403) throw e;
    onEvent?.({ kind: 'reap-failed', why: (e as Error).message });
    return [];
  }
  const reaped: string[] = [];
  for (const ns of namespaces) {
    const expired = ns.annotations[EXPIRES_ANNOTATION];
    const at = expired === undefined ? Number.NaN : Date.parse(expired);
    if (Number.isNaN(at) || at >= now || ns.phase === 'Terminating') continue;
    try {
      await api.deleteNamespace(ns.name);
      reaped.push(ns.name);
      onEvent?.({ kind: 'reaped', namespace: ns.name, expired });
    } catch (e) {
      onEvent?.({ kind: 'reaped', namespace: ns.name, expired: expired!, failure: (e as Error).message });
    }
  }
  return reaped;
}

type Node = FleetPlan['nodes'][number];
interface Running {
  node: Node;
  createdAt: number;
}

/** The observers' loop: create up to P, poll, finish what ended or is overdue, until none is left. */
class Observers {
  private readonly queue: Node[];
  private readonly running = new Map<number, Running>();
  private readonly outcomes: NodeOutcome[] = [];
  private failedPolls = 0;
  private readonly parallelism: number;

  constructor(
    private readonly opts: ApplyOptions,
    private readonly plan: FleetPlan,
    private readonly object: (path: string) => KubeObject,
    private readonly deadline: number,
  ) {
    this.queue = [...plan.nodes];
    this.parallelism = Math.max(1, plan.parallelism.observers);
  }

  async run(): Promise<NodeOutcome[]> {
    while (this.queue.length > 0 || this.running.size > 0) {
      stopIfAborted(this.opts.signal);
      if (Date.now() > this.deadline) {
        this.giveUpAll();
        break;
      }
      while (this.running.size < this.parallelism && this.queue.length > 0) await this.start(this.queue.shift()!);
      await sleep(this.opts.bounds.pollMs, this.opts.signal);
      stopIfAborted(this.opts.signal);
      const jobs = await this.poll();
      if (jobs) for (const r of [...this.running.values()]) await this.check(r, jobs);
    }
    return this.outcomes.sort((a, b) => a.index - b.index);
  }

  private async start(node: Node): Promise<void> {
    stopIfAborted(this.opts.signal);
    await this.opts.api.create(this.object(node.observer));
    this.running.set(node.index, { node, createdAt: Date.now() });
    this.opts.onEvent?.({ kind: 'created', node: node.name, index: node.index, total: this.plan.nodes.length });
  }

  /** One list of the unfinished observers' Jobs; a failed one is tried again at the next poll, a few times. */
  private async poll(): Promise<JobState[] | undefined> {
    const indexes = [...this.running.keys()].join(',');
    try {
      const jobs = await this.opts.api.listJobs(this.plan.namespace, `${this.selector()},${NODE_INDEX_LABEL} in (${indexes})`);
      this.failedPolls = 0;
      return jobs;
    } catch (e) {
      if (++this.failedPolls >= MAX_POLL_FAILURES) throw e;
      return undefined;
    }
  }

  private async check(r: Running, jobs: JobState[]): Promise<void> {
    const job = jobs.find((j) => j.labels[NODE_INDEX_LABEL] === String(r.node.index));
    if (job && ended(job)) return this.done(r, await this.read(r.node, job));
    if (!job) return this.done(r, { error: `${r.node.name}: the observer Job ${r.node.job} is gone (deleted by someone else?) before it ended` });
    if (Date.now() - r.createdAt <= this.opts.bounds.nodeMs) return;
    // Deleted so that its Pod gets SIGTERM and removes its sandboxes; the namespace's deletion would too, later.
    const deleted = await this.opts.api.deleteJob(this.plan.namespace, r.node.job).then(
      () => 'its Job deleted',
      (e: Error) => `its Job not deleted: ${e.message}`,
    );
    this.done(r, { error: `${r.node.name}: the observer did not finish within ${secondsText(this.opts.bounds.nodeMs)} (${jobWhy(job)}; ${deleted})` });
  }

  /** The node's record, from the newest Pod of its ended Job. */
  private async read(node: Node, job: JobState): Promise<{ results: unknown } | { error: string }> {
    const { namespace, run } = this.plan;
    const pods = await this.opts.api.listPods(namespace, `${this.selector()},${NODE_INDEX_LABEL}=${node.index}`).catch((e: Error) => e);
    if (pods instanceof Error) return { error: `${node.name}: the observer ended (${jobWhy(job)}) but its Pod could not be listed: ${pods.message}` };
    const pod = pods.sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '')).at(-1);
    if (!pod) return { error: `${node.name}: the observer Job ended without a Pod (${jobWhy(job)})` };
    let log: string;
    try {
      log = await this.opts.api.readPodLog(namespace, pod.name, OBSERVER_CONTAINER, LOG_TAIL_LINES);
    } catch (e) {
      return { error: `${node.name}: could not read the log of the observer Pod ${pod.name} (${podWhy(pod)}): ${(e as Error).message}` };
    }
    const d = decodeRecord(log);
    switch (d.status) {
      case 'complete':
        if (d.run !== undefined && d.run !== run) return { error: `${node.name}: the record in ${pod.name}'s log is of run ${d.run}, not ${run}` };
        if (d.node !== undefined && d.node !== node.name) return { error: `${node.name}: the record in ${pod.name}'s log says it ran on ${d.node}` };
        return { results: d.results };
      case 'truncated':
        return { error: `${node.name}: the results did not fit in the log record (${d.reason}); only their summary came back` };
      case 'missing':
        return { error: `${node.name}: the observer wrote no results (${podWhy(pod)}): ${d.reason}` };
      default:
        return { error: `${node.name}: no results from the observer Pod ${pod.name} (${podWhy(pod)}): ${d.reason}` };
    }
  }

  private done(r: Running, result: { results: unknown } | { error: string }): void {
    this.running.delete(r.node.index);
    const outcome = { node: r.node.name, index: r.node.index, durationMs: Date.now() - r.createdAt, ...result };
    this.outcomes.push(outcome);
    this.opts.onEvent?.({ kind: 'done', outcome, total: this.plan.nodes.length });
  }

  private giveUpAll(): void {
    const bound = secondsText(this.opts.bounds.totalMs);
    for (const r of [...this.running.values()])
      this.done(r, { error: `${r.node.name}: the observer had not finished when the run's bound of ${bound} passed` });
    for (const node of this.queue.splice(0)) {
      this.done({ node, createdAt: Date.now() }, { error: `${node.name}: not started: the run's bound of ${bound} passed first` });
    }
  }

  private selector(): string {
    return `${RUN_LABEL}=${this.plan.run},${ROLE_LABEL}=observer`;
  }
}

/** Ended: its Complete or Failed condition, or a Pod that ended (backoffLimit 0: there is no other). */
export function ended(job: JobState): boolean {
  return job.conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') || job.succeeded + job.failed > 0;
}

function jobWhy(job: JobState): string {
  const c = job.conditions.find((x) => x.status === 'True' && (x.type === 'Failed' || x.type === 'Complete'));
  if (c) return `Job ${c.type}${c.reason ? `: ${c.reason}` : ''}${c.message ? ` (${c.message})` : ''}`;
  if (job.succeeded + job.failed > 0) return `Job ${job.succeeded > 0 ? 'succeeded' : 'failed'}`;
  return job.active > 0 ? 'its Pod still running' : 'its Pod not started';
}

/** The Pod's phase and its container's end: "Failed, exit 137 OOMKilled", "Pending, ImagePullBackOff". */
function podWhy(pod: PodState): string {
  const t = pod.container?.terminated;
  const how = t ? `exit ${t.exitCode}${t.reason ? ` ${t.reason}` : ''}` : pod.container?.waiting;
  return [pod.phase, how, pod.reason].filter(Boolean).join(', ');
}

function stopIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ApplyInterrupted('interrupted');
}

/** A fixed interval that a signal ends early. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function once(undo: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => {
    p ??= undo();
    return p;
  };
}
