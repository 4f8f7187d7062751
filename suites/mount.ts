/** mnt area: the container has its own mount table and root, and nothing mounted leaks out. */
import { expect } from 'chai';
import { parseMountinfo } from '../core/parse/mountinfo.js';
import { check, errnoName, ownNamespaceCheck } from './define.js';

const NEG = 'builtin share=mnt';
const OCI_MNT = 'OCI runtime spec: linux.namespaces "mount", root.path';
const ALL = ['baseline', 'restricted', 'strict'] as const;

export const mountChecks = [
  ownNamespaceCheck({ area: 'mnt', ns: 'mnt', profiles: [...ALL], references: [OCI_MNT], negativeControl: NEG }),
  check(
    { id: 'mnt.root-not-host', area: 'mnt', title: 'the root is not the host\'s root (host marker files are absent)', profiles: [...ALL],
      references: [OCI_MNT, 'CIS Docker 5.5 (sensitive host directories not mounted)'], negativeControl: NEG },
    ({ facts, hostView }) => {
      const markers = facts.sentinels.markers ?? [];
      const evidence = `${markers.map((m) => `stat(${m.path}): ${errnoName(m.errno)}`).join('; ')}; root dev:ino ${facts.root.dev}:${facts.root.ino}, host root ${hostView.root.dev}:${hostView.root.ino}`;
      expect(markers.length, `no host marker was checked: ${evidence}`).to.be.greaterThan(0);
      for (const m of markers) expect(errnoName(m.errno), `host marker ${m.path} visible: ${evidence}`).to.equal(errnoName(2));
      expect(`${facts.root.dev}:${facts.root.ino}`, `same root as the host: ${evidence}`).to.not.equal(`${hostView.root.dev}:${hostView.root.ino}`);
      return evidence;
    },
  ),
  check(
    { id: 'mnt.pivot-root', area: 'mnt', title: 'the root was changed with pivot_root, not chroot (the ".." escape fails)', profiles: [...ALL],
      references: ['pivot_root(2)', 'chroot(2) NOTES', 'OCI runtime spec: root'], negativeControl: 'builtin root=chroot; builtin share=mnt' },
    ({ facts }) => {
      const e = facts.sentinels.chroot_escape;
      expect(e, 'the chroot escape was not attempted by the probe').to.not.equal(undefined);
      const evidence = `escape attempt: ${e!.attempted ? 'made' : 'not possible'} (${errnoName(e!.errno)}), root changed by it: ${e!.escaped}, host markers seen after it: ${e!.markers_seen}`;
      expect(e!.escaped, `chroot ".." escape reached another root: ${evidence}`).to.equal(false);
      expect(e!.markers_seen, `host markers visible after the escape: ${evidence}`).to.equal(0);
      return evidence;
    },
  ),
  check(
    { id: 'mnt.no-shared-propagation', area: 'mnt', title: 'no mount is a propagation peer of a host mount', profiles: [...ALL],
      references: ['mount_namespaces(7) shared subtrees', 'CIS Docker 5.19 (mount propagation not shared)'], negativeControl: NEG },
    ({ facts, hostView }) => {
      const hostGroups = new Set(parseMountinfo(hostView.mountinfo).flatMap(sharedGroups));
      const inside = parseMountinfo(facts.files.mountinfo.text);
      const peers = inside.filter((m) => sharedGroups(m).some((g) => hostGroups.has(g)));
      const evidence = `${inside.length} mounts inside, ${peers.length} share a peer group with the host${peers.length ? `: ${peers.slice(0, 5).map((m) => `${m.mountPoint} (${m.optionalFields.join(' ')})`).join(', ')}` : ''}`;
      expect(inside.length, `mountinfo unreadable inside: ${evidence}`).to.be.greaterThan(0);
      expect(peers.map((m) => m.mountPoint), evidence).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    { id: 'mnt.mount-stays-inside', area: 'mnt', title: 'a mount made inside does not appear on the host', profiles: [...ALL],
      references: ['mount_namespaces(7)'], negativeControl: NEG },
    ({ facts, hostAfter }) => {
      const m = facts.sentinels.mount;
      expect(m, 'the probe made no mount attempt').to.not.equal(undefined);
      const source = `isoprobe-${m!.nonce}`;
      const leaked = hostAfter.mountinfo.includes(source);
      expect(m!.refused, `the probe refused to mount: its mount namespace is the host's (${m!.refused})`).to.equal(null);
      // EPERM (no CAP_SYS_ADMIN) is stronger isolation: nothing can be mounted, so nothing leaks.
      const evidence = `tmpfs "${source}" mounted inside: ${errnoName(m!.errno)}; on the host afterwards: ${leaked ? 'present' : 'absent'}`;
      expect(leaked, evidence).to.equal(false);
      return evidence;
    },
  ),
  check(
    { id: 'mnt.dev-shm-private', area: 'mnt', title: '/dev/shm is not the host\'s (host marker absent)', profiles: [...ALL],
      references: ['CIS Docker 5.7', 'OCI runtime spec: mounts'], negativeControl: NEG },
    ({ facts }) => {
      const m = (facts.sentinels.markers ?? []).find((x) => x.path.startsWith('/dev/shm/'));
      expect(m, 'no /dev/shm marker was checked').to.not.equal(undefined);
      const evidence = `stat(${m!.path}): ${errnoName(m!.errno)}`;
      expect(errnoName(m!.errno), evidence).to.equal(errnoName(2));
      return evidence;
    },
  ),
];

function sharedGroups(m: { optionalFields: string[] }): string[] {
  return m.optionalFields.filter((f) => f.startsWith('shared:'));
}
