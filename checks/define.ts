/**
 * Shared building blocks for the area suites: the check constructor and the "own namespace"
 * check that every namespace area starts with (verified from the host side, where the inode
 * cannot be faked by the container, and cross-checked against the container's own view).
 */
import { constants } from 'node:os';
import { expect } from 'chai';
import { skip, type Check, type CheckContext } from '../model/check.js';
import type { CheckMeta } from '../model/results.js';
import type { Namespace } from '../model/spec.js';

export function check(meta: CheckMeta, run: (ctx: CheckContext) => string): Check {
  return { ...meta, run };
}

/** The container's namespace link as the host sees it, else as the probe saw it. */
export function containerNsLink(ctx: CheckContext, ns: Namespace): string | null {
  return ctx.host.ns[ns]?.link ?? ctx.facts.ns[ns]?.link ?? null;
}

export function hostNsLink(ctx: CheckContext, ns: Namespace): string | null {
  return ctx.hostView.ns[ns]?.link ?? null;
}

export function requireNamespaceSupport(ctx: CheckContext, ns: Namespace): void {
  if (ns === 'time' && !hostNsLink(ctx, 'time')) skip('timens', 'this kernel has no time namespaces (/proc/self/ns/time is absent)');
}

/** The limit checks skip, with the target's reason, where the runtime cannot be asked for cgroup limits at all. */
export function requireSettableLimits(ctx: Pick<CheckContext, 'target' | 'capabilities'>): void {
  const l = ctx.capabilities.cgroupLimits;
  if (l) skip('target-feature', `${ctx.target} cannot be asked for cgroup limits: ${l.why}`);
}

export function ownNamespaceCheck(meta: Omit<CheckMeta, 'id' | 'title' | 'area'> & { ns: Namespace; area: CheckMeta['area'] }): Check {
  const { ns, ...rest } = meta;
  return check(
    { ...rest, id: `${meta.area}.own-ns`, title: `the container has its own ${ns} namespace` },
    (ctx) => {
      requireNamespaceSupport(ctx, ns);
      const container = containerNsLink(ctx, ns);
      const inside = ctx.facts.ns[ns]?.link ?? null;
      const host = hostNsLink(ctx, ns);
      const evidence = `host ${host}, container (host-side) ${ctx.host.ns[ns]?.link ?? 'n/a'}, container (probe) ${inside}`;
      expect(host, `host reference for ${ns} namespace: ${evidence}`).to.be.a('string');
      expect(container, `container ${ns} namespace: ${evidence}`).to.be.a('string');
      expect(container, `container ${ns} namespace must differ from the host's: ${evidence}`).to.not.equal(host);
      if (inside && ctx.host.ns[ns]?.link) {
        expect(inside, `probe and host disagree about the container's ${ns} namespace: ${evidence}`).to.equal(ctx.host.ns[ns]?.link);
      }
      return evidence;
    },
  );
}

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, num]) => [num, name]));

/** "ECONNREFUSED (111)", "success", or "not attempted" for an absent observation. */
export function errnoName(errno: number | undefined | null): string {
  if (errno === undefined || errno === null) return 'not attempted';
  if (errno === 0) return 'success';
  return `${ERRNO_NAMES.get(errno) ?? 'errno'} (${errno})`;
}
