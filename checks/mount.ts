/** mnt area: the container has its own mount table and root, and nothing mounted leaks out. */
import { expect } from 'chai';
import type { ProbeFacts } from '../model/facts.js';
import { skip } from '../model/check.js';
import { parseMountinfo } from '../model/parse/mountinfo.js';
import { builtin, engines, share } from './controls.js';
import { check, errnoName, ownNamespaceCheck, requireNsProof } from './define.js';

const NEG = [share('mnt')];
const OCI_MNT = 'OCI runtime spec: linux.namespaces "mount", root.path';
const ALL = ['baseline', 'restricted', 'strict'] as const;
const ENOENT = 2;

export const mountChecks = [
  ownNamespaceCheck({ area: 'mnt', ns: 'mnt', profiles: [...ALL], references: [OCI_MNT], negativeControls: NEG }),
  check(
    {
      id: 'mnt.root-not-host',
      area: 'mnt',
      title: "the root is not the host's root (the host root filesystem's marker is absent)",
      profiles: [...ALL],
      references: [OCI_MNT, 'CIS Docker 5.5 (sensitive host directories not mounted)'],
      needs: ['container', 'reference', 'sentinels'],
      sentinels: ['marker-root'],
      settings: ['ns.mnt'],
      negativeControls: NEG,
    },
    ({ container, reference, sentinels }) => {
      // The /dev/shm marker says nothing about the root: Docker --ipc=host binds the host's /dev/shm.
      const m = marker(container, sentinels.markers.root);
      const evidence = `stat(${sentinels.markers.root}): ${errnoName(m?.errno)}; root dev:ino ${container.root.dev}:${container.root.ino}, host root ${reference.root.dev}:${reference.root.ino}`;
      expect(m, `the host root filesystem's marker was not checked: ${evidence}`).to.not.equal(undefined);
      expect(errnoName(m!.errno), `host marker ${m!.path} visible: ${evidence}`).to.equal(errnoName(ENOENT));
      expect(`${container.root.dev}:${container.root.ino}`, `same root as the host: ${evidence}`).to.not.equal(`${reference.root.dev}:${reference.root.ino}`);
      return evidence;
    },
  ),
  check(
    {
      id: 'mnt.pivot-root',
      area: 'mnt',
      title: 'the root was changed with pivot_root, not chroot (the ".." escape fails)',
      profiles: [...ALL],
      references: ['pivot_root(2)', 'chroot(2) NOTES', 'OCI runtime spec: root'],
      needs: ['container', 'reference', 'sentinels'],
      sentinels: ['marker-root'],
      settings: ['ns.mnt'],
      // Not share('mnt'): in the host's mount namespace the root is the host's own, which this check skips (below).
      negativeControls: [builtin({ rootChange: 'chroot' })],
    },
    ({ container, reference, sentinels }) => {
      // A sandbox over the host's own root (firejail, `bwrap --ro-bind / /`) changed no root: a ".."
      // escape has nowhere else to go, so a pass here would say nothing. mnt.root-not-host judges it.
      if (`${container.root.dev}:${container.root.ino}` === `${reference.root.dev}:${reference.root.ino}`) {
        skip('evidence', "the root is the host's own (no root was changed, so there is no '..' escape to judge; see mnt.root-not-host)");
      }
      const e = container.sentinels.chroot_escape;
      expect(e, 'the chroot escape was not attempted by the probe').to.not.equal(undefined);
      const reached = e!.markers_seen.includes(sentinels.markers.root);
      const evidence =
        `escape attempt: ${e!.attempted ? 'made' : 'not possible'} (${errnoName(e!.errno)}), root changed by it: ${e!.escaped}, ` +
        `host markers seen after it: ${e!.markers_seen.join(' ') || 'none'}`;
      expect(e!.escaped, `chroot ".." escape reached another root: ${evidence}`).to.equal(false);
      expect(reached, `the host root filesystem's marker is visible after the escape: ${evidence}`).to.equal(false);
      return evidence;
    },
  ),
  check(
    {
      id: 'mnt.no-shared-propagation',
      area: 'mnt',
      title: 'no mount is a propagation peer of a host mount',
      profiles: [...ALL],
      references: ['mount_namespaces(7) shared subtrees', 'CIS Docker 5.19 (mount propagation not shared)'],
      needs: ['container', 'reference'],
      settings: ['ns.mnt'],
      negativeControls: NEG,
    },
    ({ container, reference }) => {
      const hostGroups = new Set(parseMountinfo(reference.mountinfo).flatMap(sharedGroups));
      const inside = parseMountinfo(container.files.mountinfo.text);
      const peers = inside.filter((m) => sharedGroups(m).some((g) => hostGroups.has(g)));
      const evidence = `${inside.length} mounts inside, ${peers.length} share a peer group with the host${
        peers.length
          ? `: ${peers
              .slice(0, 5)
              .map((m) => `${m.mountPoint} (${m.optionalFields.join(' ')})`)
              .join(', ')}`
          : ''
      }`;
      expect(inside.length, `mountinfo unreadable inside: ${evidence}`).to.be.greaterThan(0);
      expect(
        peers.map((m) => m.mountPoint),
        evidence,
      ).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    {
      id: 'mnt.mount-stays-inside',
      area: 'mnt',
      title: 'a mount made inside does not appear on the host',
      profiles: [...ALL],
      references: ['mount_namespaces(7)'],
      needs: ['container', 'after'],
      settings: ['ns.mnt'],
      negativeControls: NEG,
    },
    ({ container, after }) => {
      const m = container.sentinels.mount;
      expect(m, 'the probe made no mount attempt').to.not.equal(undefined);
      const source = `isoprobe-${m!.nonce}`;
      const leaked = after.mountinfo.includes(source);
      requireNsProof(m!.refused, 'mount a tmpfs');
      expect(m!.refused, `the probe refused to mount: its mount namespace is the host's (${m!.refused})`).to.equal(null);
      // EPERM (no CAP_SYS_ADMIN) is stronger isolation: nothing can be mounted, so nothing leaks.
      const evidence = `tmpfs "${source}" mounted inside: ${errnoName(m!.errno)}; on the host afterwards: ${leaked ? 'present' : 'absent'}`;
      expect(leaked, evidence).to.equal(false);
      return evidence;
    },
  ),
  check(
    {
      id: 'mnt.dev-shm-private',
      area: 'mnt',
      title: "/dev/shm is not the host's (host marker absent)",
      profiles: [...ALL],
      references: ['CIS Docker 5.7', 'OCI runtime spec: mounts'],
      needs: ['container', 'sentinels'],
      sentinels: ['marker-shm'],
      // Docker binds the host's /dev/shm into a container in the host's ipc namespace.
      settings: ['ns.mnt', 'ns.ipc'],
      negativeControls: [...NEG, ...engines({ IpcMode: 'host' })],
    },
    ({ container, sentinels }) => {
      const m = marker(container, sentinels.markers.shm);
      expect(m, 'no /dev/shm marker was checked').to.not.equal(undefined);
      const evidence = `stat(${m!.path}): ${errnoName(m!.errno)}`;
      expect(errnoName(m!.errno), evidence).to.equal(errnoName(ENOENT));
      return evidence;
    },
  ),
];

function marker(container: ProbeFacts, path: string): { path: string; errno: number } | undefined {
  return (container.sentinels.markers ?? []).find((m) => m.path === path);
}

function sharedGroups(m: { optionalFields: string[] }): string[] {
  return m.optionalFields.filter((f) => f.startsWith('shared:'));
}
