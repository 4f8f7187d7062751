/**
 * Shared building blocks for the area suites: the check constructor and the "own namespace"
 * check that every namespace area starts with (verified from the host side, where the inode
 * cannot be faked by the container, and cross-checked against the container's own view).
 */
import { expect } from 'chai';
import {
  negativeControlLabel,
  skip,
  type Check,
  type CheckBasics,
  type CheckContext,
  type CheckDefinition,
  type Evidence,
  type EvidenceKind,
} from '../model/check.js';
import { ERRNO_NAMES } from '../model/errno.js';
import type { CheckMeta } from '../model/results.js';
import type { SentinelKind } from '../model/sentinels.js';
import type { Namespace } from '../model/spec.js';

/** A check that reads the sentinels names which ones (at least one); any other names none. */
type SentinelsNamed<K extends EvidenceKind> = [Extract<K, 'sentinels'>] extends [never]
  ? { sentinels?: undefined }
  : { sentinels: readonly [SentinelKind, ...SentinelKind[]] };

/**
 * A check reads exactly the evidence it declares: `run` gets a context with only those fields, so
 * reading any other evidence does not compile (and is absent at run time: engine/evidence.ts).
 */
export function check<K extends EvidenceKind>(def: CheckDefinition<K> & SentinelsNamed<K>, run: (ctx: CheckContext<K>) => string): Check<K> {
  return { ...def, negativeControl: negativeControlLabel(def.negativeControls), run };
}

/** The container's namespace link as the host sees it, else as the probe saw it. */
export function containerNsLink(ctx: Pick<Evidence, 'observed' | 'container'>, ns: Namespace): string | null {
  return ctx.observed.ns[ns]?.link ?? ctx.container.ns[ns]?.link ?? null;
}

export function hostNsLink(ctx: Pick<Evidence, 'reference'>, ns: Namespace): string | null {
  return ctx.reference.ns[ns]?.link ?? null;
}

export function requireNamespaceSupport(ctx: Pick<Evidence, 'reference'>, ns: Namespace): void {
  if (ns === 'time' && !hostNsLink(ctx, 'time')) skip('timens', 'this kernel has no time namespaces (/proc/self/ns/time is absent)');
}

/**
 * A write test the probe did not run because the container shows no /proc/self/ns link to prove
 * its namespace is not the host's (probes/writes.c `own-ns-unknown`: gVisor's Sentry lists only
 * net, pid and user): that is missing evidence, neither a pass nor a failure of the isolation.
 */
export function requireNsProof(refused: string | null | undefined, what: string): void {
  if (refused === 'own-ns-unknown')
    skip(
      'evidence',
      `the probe did not ${what}: the container shows no namespace link to prove it is not the host's, and the probe never writes without that proof`,
    );
}

/**
 * A write test the probe did not run because it was given no host namespaces to compare with
 * (`host-ns-unknown`). From the host that is a broken harness and the check fails on it; inside
 * a container with no host view (isoprobe inspect) it is the evidence this kind of target lacks.
 */
export function requireHostNsGiven(ctx: Pick<CheckBasics, 'capabilities'>, refused: string | null | undefined, what: string): void {
  const inside = ctx.capabilities.insideOnly;
  if (refused === 'host-ns-unknown' && inside !== undefined)
    skip('evidence', `the probe did not ${what}: it runs writes only in a namespace proven not to be the host's, and ${inside}`);
}

/**
 * A kernel whose /proc/<pid>/status has no NoNewPrivs line (gVisor's Sentry shows none, and its
 * prctl(PR_GET_NO_NEW_PRIVS) answers 1 whatever was asked): the workload's no_new_privs is not
 * observable there, which is missing evidence, not a verdict.
 */
export function requireNoNewPrivsLine(got: boolean | null): void {
  if (got === null) skip('evidence', "the container's /proc/self/status has no NoNewPrivs line, so its no_new_privs cannot be read");
}

/** The limit checks skip, with the target's reason, where the runtime cannot be asked for cgroup limits at all. */
export function requireSettableLimits(ctx: Pick<CheckContext, 'target' | 'capabilities'>): void {
  const l = ctx.capabilities.cgroupLimits;
  if (l) skip('target-feature', `${ctx.target} cannot be asked for cgroup limits: ${l.why}`);
}

type OwnNamespaceMeta = Omit<CheckDefinition, 'id' | 'title' | 'needs' | 'sentinels'> & { ns: Namespace; area: CheckMeta['area'] };

export function ownNamespaceCheck(meta: OwnNamespaceMeta): Check<'container' | 'observed' | 'reference'> {
  const { ns, ...rest } = meta;
  return check(
    {
      // Its verdict is the namespace setting alone.
      settings: [`ns.${ns}`],
      ...rest,
      id: `${meta.area}.own-ns`,
      title: `the container has its own ${ns} namespace`,
      needs: ['container', 'observed', 'reference'],
    },
    (ctx) => {
      requireNamespaceSupport(ctx, ns);
      const container = containerNsLink(ctx, ns);
      const inside = ctx.container.ns[ns]?.link ?? null;
      const host = hostNsLink(ctx, ns);
      const evidence = `host ${host}, container (host-side) ${ctx.observed.ns[ns]?.link ?? 'n/a'}, container (probe) ${inside}`;
      expect(host, `host reference for ${ns} namespace: ${evidence}`).to.be.a('string');
      expect(container, `container ${ns} namespace: ${evidence}`).to.be.a('string');
      expect(container, `container ${ns} namespace must differ from the host's: ${evidence}`).to.not.equal(host);
      if (inside && ctx.observed.ns[ns]?.link) {
        expect(inside, `probe and host disagree about the container's ${ns} namespace: ${evidence}`).to.equal(ctx.observed.ns[ns]?.link);
      }
      return evidence;
    },
  );
}

/** "ECONNREFUSED (111)", "success", or "not attempted" for an absent observation. */
/** Refused by policy (seccomp, a capability, a sysctl) or not built into this kernel: EPERM, EACCES, ENOSYS. */
export function refused(errno: number): boolean {
  return errno === 1 || errno === 13 || errno === 38;
}

export function errnoName(errno: number | undefined | null): string {
  if (errno === undefined || errno === null) return 'not attempted';
  if (errno === 0) return 'success';
  return `${Object.hasOwn(ERRNO_NAMES, errno) ? ERRNO_NAMES[errno] : 'errno'} (${errno})`;
}
