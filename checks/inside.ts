/**
 * inside area: what the container alone can tell about its namespaces, for `isoprobe inspect`
 * (docs/inspect.md), where there is no host view to compare with. The kernel gives each initial
 * namespace a fixed inode (PROC_*_INIT_INO, docs/inspect.md lists them), so a link that shows it
 * is the kernel's initial namespace. Weaker evidence than the area's own-ns check: on a host that is
 * itself a container, a namespace that is not the initial one may still be that host's. So these
 * are checks of their own, never the own-ns id, and each takes the expectations (profiles,
 * negative controls, settings) of the own-ns check it stands in for.
 */
import { expect } from 'chai';
import { skip, type Check } from '../model/check.js';
import type { Namespace } from '../model/spec.js';
import { cgroupChecks } from './cgroup.js';
import { check, errnoName } from './define.js';
import { ipcChecks } from './ipc.js';
import { pidChecks } from './pid.js';
import { timeChecks } from './time.js';
import { userChecks } from './user.js';
import { utsChecks } from './uts.js';

/** The inode of each initial namespace (net and mnt have none: theirs are allocated at boot). */
export const INITIAL_NS_INODE: Readonly<Partial<Record<Namespace, number>>> = {
  ipc: 0xefffffff,
  uts: 0xeffffffe,
  user: 0xeffffffd,
  pid: 0xeffffffc,
  cgroup: 0xeffffffb,
  time: 0xeffffffa,
};

const OWN_NS: readonly Check[] = [...pidChecks, ...utsChecks, ...ipcChecks, ...userChecks, ...timeChecks, ...cgroupChecks];

/** The inode of a /proc/self/ns link ("pid:[4026531836]"), or null when it is not one. */
export function nsInode(link: string | null | undefined): number | null {
  const m = /^[a-z_]+:\[(\d+)\]$/.exec(link ?? '');
  return m ? Number(m[1]) : null;
}

function insideCheck(ns: Namespace, initial: number): Check<'container'> {
  const own = OWN_NS.find((c) => c.id === `${ns}.own-ns`);
  if (!own) throw new Error(`checks/inside.ts: no ${ns}.own-ns check to stand in for`);
  return check(
    {
      id: `inside.${ns}-ns-not-initial`,
      area: 'inside',
      title: `inside view only: the ${ns} namespace is not the kernel's initial one (weaker than ${own.id}: a host that is itself a container looks the same)`,
      profiles: own.profiles,
      references: [...own.references, 'namespaces(7)', 'docs/inspect.md (initial namespace inodes)'],
      needs: ['container'],
      ...(own.settings ? { settings: own.settings } : {}),
      negativeControls: own.negativeControls,
    },
    ({ container, capabilities }) => {
      // A sandbox's own kernel (gVisor) numbers its namespaces its own way: Linux's constants say nothing there.
      if (capabilities.ownKernel)
        skip('evidence', `${capabilities.ownKernel}: its namespace inodes are that kernel's own numbering, not Linux's initial-namespace constants`);
      const seen = container.ns[ns];
      if (!seen?.link) {
        skip(
          'evidence',
          `the container shows no /proc/self/ns/${ns} link (${errnoName(seen?.errno)}): this kernel lacks the namespace, or the sandbox's own kernel does not show it`,
        );
      }
      const inode = nsInode(seen.link);
      const evidence = `/proc/self/ns/${ns} inside: ${seen.link}; the kernel's initial ${ns} namespace is ${ns}:[${initial}]`;
      expect(inode, `unreadable namespace link: ${evidence}`).to.be.a('number');
      expect(inode, `the container is in the kernel's initial ${ns} namespace: ${evidence}`).to.not.equal(initial);
      return evidence;
    },
  );
}

export const insideChecks: Check[] = Object.entries(INITIAL_NS_INODE).map(([ns, inode]) => insideCheck(ns as Namespace, inode));
