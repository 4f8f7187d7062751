/** user area: root inside is an unprivileged user outside, and owns the other namespaces. */
import { expect } from 'chai';
import { parseIdMap } from '../model/parse/idmap.js';
import { NAMESPACES } from '../model/spec.js';
import { BUILTIN_PRIVILEGED, share } from './controls.js';
import { check, ownNamespaceCheck } from './define.js';

/** Default Docker is this one: its daemon would need userns-remap, which isoprobe does not configure. */
const NEG = [share('user'), BUILTIN_PRIVILEGED, { kind: 'docker', settings: {}, requires: 'a daemon without userns-remap' }];
const OCI_USER = 'OCI runtime spec: linux.namespaces "user", uidMappings/gidMappings';
const STRICTER = ['restricted', 'strict'] as const;

function hostIdOfRoot(mapText: string | null): number | null {
  if (!mapText) return null;
  const entry = parseIdMap(mapText).find((m) => m.inside === 0);
  return entry ? entry.outside : null;
}

export const userChecks = [
  ownNamespaceCheck({
    area: 'user',
    ns: 'user',
    profiles: [...STRICTER],
    references: [OCI_USER, 'CIS Docker 2.8 (user namespace support)'],
    negativeControls: NEG,
  }),
  check(
    {
      id: 'user.root-not-host-root',
      area: 'user',
      title: 'uid 0 and gid 0 inside are not host uid 0 and gid 0',
      profiles: [...STRICTER],
      references: [OCI_USER, 'user_namespaces(7)'],
      needs: ['observed', 'container'],
      settings: ['ns.user'],
      negativeControls: NEG,
    },
    ({ observed, container }) => {
      const uidMap = observed.uidMap ?? container.files.uid_map.text;
      const gidMap = observed.gidMap ?? container.files.gid_map.text;
      const uid = hostIdOfRoot(uidMap);
      const gid = hostIdOfRoot(gidMap);
      const evidence = `uid_map "${uidMap.trim()}", gid_map "${gidMap.trim()}": root maps to host uid ${uid}, gid ${gid}`;
      expect(uid, `container root is host root: ${evidence}`).to.not.equal(0);
      expect(gid, `container root group is host root group: ${evidence}`).to.not.equal(0);
      return evidence;
    },
  ),
  check(
    {
      id: 'user.file-owner-mapped',
      area: 'user',
      title: 'a file created by root inside is owned by an unprivileged host uid',
      profiles: [...STRICTER],
      references: [OCI_USER],
      needs: ['observed', 'container'],
      // Without a user namespace, a non-root user's file is owned by that uid on the host.
      settings: ['ns.user', 'user'],
      negativeControls: NEG,
    },
    ({ observed, container }) => {
      const c = container.sentinels.create_file;
      expect(c, 'the probe created no file').to.not.equal(undefined);
      const seen = observed.createdFiles.find((f) => c!.path.endsWith(f.path.replace(/^\//, '')));
      const evidence = `created ${c!.path} inside as uid ${container.euid}; host sees owner ${seen ? `${seen.uid}:${seen.gid}` : 'nothing'}`;
      expect(seen, `the host cannot see the created file: ${evidence}`).to.not.equal(undefined);
      expect(seen!.uid, `owned by host root: ${evidence}`).to.not.equal(0);
      return evidence;
    },
  ),
  check(
    {
      id: 'user.namespaces-owned-by-container',
      area: 'user',
      title: "every new namespace is owned by a user namespace that is not the host's",
      profiles: [...STRICTER],
      references: ['ioctl_ns(2) NS_GET_USERNS', 'user_namespaces(7)'],
      needs: ['observed', 'reference'],
      settings: ['ns.user'],
      negativeControls: NEG,
    },
    ({ observed, reference }) => {
      const hostUser = reference.ns.user?.ino;
      const owned = NAMESPACES.filter((ns) => ns !== 'user' && observed.ns[ns]?.link && observed.ns[ns]!.link !== reference.ns[ns]?.link).map((ns) => ({
        ns,
        owner: observed.ns[ns]!.ownerUserNsIno,
      }));
      const evidence = `${owned.map((o) => `${o.ns}→user ${o.owner}`).join(', ')}; host user namespace ${hostUser}`;
      expect(owned.length, `no new namespace whose owner could be observed: ${evidence}`).to.be.greaterThan(0);
      expect(
        owned.filter((o) => o.owner === null || o.owner === hostUser).map((o) => o.ns),
        `owned by the host's user namespace (or unobservable): ${evidence}`,
      ).to.deep.equal([]);
      return evidence;
    },
  ),
];
