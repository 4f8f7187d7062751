/**
 * `isoprobe inspect`: the catalogue judged on a facts document from inside one container, with no
 * host view. Only `container` evidence exists, so every check that reads anything else is a skip
 * for `evidence` (engine/evidence.ts); nothing was asked of the container by isoprobe, so no
 * setting carries a provenance, and the conformance checks (what was asked against what was
 * delivered) and the write tests the probe could not prove safe skip for `evidence` too.
 */
import { checkMeta, type Check } from '../model/check.js';
import type { ProbeFacts } from '../model/facts.js';
import { RESULTS_SCHEMA_VERSION, type Profile, type RunResults } from '../model/results.js';
import type { ContainerSpec } from '../model/spec.js';
import { runChecks } from './check-runner.js';

export interface InspectOptions {
  /** The target's name in the reports: docker:<id>, kubectl:<ns>/<pod>, facts:<file>. */
  name: string;
  facts: ProbeFacts;
  info: Record<string, string>;
  /** Set when the container's kernel is a sandbox's own (gVisor), as its engine said. */
  ownKernel?: string;
  catalogue: readonly Check[];
  profile: Profile;
  grep?: string;
  version: string;
  environment: Record<string, string>;
}

/**
 * The spec the checks' basics require. No check that reads only `container` decides on it; it
 * says "nothing asked", which is what isoprobe did.
 */
const NOTHING_ASKED: ContainerSpec = {
  share: [],
  hostname: '',
  rootChange: 'pivot_root',
  caps: 'default',
  limits: {},
  timeOffsets: { monotonicSec: 0, boottimeSec: 0 },
  argv: [],
};

/** What a check that needs it is told (model/target.ts insideOnly). */
export const INSIDE_ONLY = "isoprobe inspect ran it inside an existing container, with no host view and no record of what the container's creator asked for";

export async function inspectFacts(opts: InspectOptions): Promise<RunResults> {
  const started = new Date();
  const t0 = performance.now();
  const [target] = await runChecks(
    [
      {
        name: opts.name,
        runtime: 'inspect',
        info: { ...opts.info, evidence: 'inside the container only (no host view)' },
        provenanceUnknown: true,
        ctx: {
          target: opts.name,
          profile: opts.profile,
          spec: NOTHING_ASKED,
          request: {},
          capabilities: {
            timeOffsets: false,
            lsmProfile: { applied: false, why: 'not known from inside the container' },
            ...(opts.ownKernel ? { ownKernel: opts.ownKernel } : {}),
            insideOnly: INSIDE_ONLY,
          },
          provides: ['container'],
          container: opts.facts,
        },
      },
    ],
    [...opts.catalogue],
    { profile: opts.profile, grep: opts.grep },
  );
  return {
    schema: RESULTS_SCHEMA_VERSION,
    tool: { name: 'isoprobe', version: opts.version },
    startedAt: started.toISOString(),
    durationMs: performance.now() - t0,
    profile: opts.profile,
    environment: opts.environment,
    catalogue: opts.catalogue.map(checkMeta),
    targets: [target!],
  };
}
