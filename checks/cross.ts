/**
 * cross area: two sibling containers of the same target and config (engine/cross.ts) do not see
 * or reach each other's processes, IPC objects, /dev/shm, abstract sockets, loopback listeners,
 * addresses or hostname. Each check reads both directions (first looks for second's, second for
 * first's); the engine makes it an error when a sentinel it names was not live for the other's
 * whole look. A listener counts as reached only when it greeted with its sibling's nonce.
 */
import { expect } from 'chai';
import { skip, type CheckContext } from '../model/check.js';
import type { SiblingDoc, SiblingRun, SiblingSentinel } from '../model/sibling.js';
import type { SettingKey } from '../model/request.js';
import type { CheckMeta } from '../model/results.js';
import type { Weakening } from '../model/weakening.js';
import { engines, podman, share } from './controls.js';
import { check, errnoName } from './define.js';

const ALL = ['baseline', 'restricted', 'strict'] as const;
const CIS_ICC = 'CIS Docker 2.1 (network traffic between containers on the default bridge restricted)';
const ENOENT = 2;

type Look = NonNullable<SiblingDoc['look']>;
type Ns = 'pid' | 'ipc' | 'net' | 'uts';

/**
 * The cross area's own negative control: the second sibling joins the first's namespace. Checks
 * name the builtin and docker ones; the OCI ones are their twins (test/integration/oci.test.ts).
 */
export function joinSibling(kind: 'builtin' | 'docker' | 'podman', ns: Ns): Weakening {
  return { kind, settings: { joinSibling: [ns] } };
}

interface Direction {
  /** "first → second": who looked for whose. */
  label: string;
  look: Look;
  self: SiblingRun;
  peer: SiblingRun;
}

/** Both directions; the engine has already made a missing look an error (engine/evidence.ts). */
function directions(ctx: CheckContext<'siblings'>): Direction[] {
  const { first, second } = ctx.siblings;
  return [
    [first, second, 'first → second'],
    [second, first, 'second → first'],
  ].map(([self, peer, label]) => {
    const look = (self as SiblingRun).doc?.look;
    if (!look) throw new Error(`sibling ${(self as SiblingRun).names.nonce} has no look: a broken harness`);
    return { label: label as string, look, self: self as SiblingRun, peer: peer as SiblingRun };
  });
}

/** The two siblings' namespace as the host saw it: shown with every verdict. */
function hostSide(ctx: CheckContext<'siblings'>, ns: Ns): string {
  const { first, second } = ctx.siblings;
  const joined = ctx.siblings.joined.length ? `; second told to join ${ctx.siblings.joined.join(',')}` : '';
  return `host-side ${ns} ns: first ${first.observedNs[ns]?.link ?? 'n/a'}, second ${second.observedNs[ns]?.link ?? 'n/a'}${joined}`;
}

interface CrossMeta {
  id: string;
  title: string;
  ns: Ns;
  sentinels: readonly [SiblingSentinel, ...SiblingSentinel[]];
  negativeControls: Weakening[];
  profiles?: CheckMeta['profiles'];
  references: string[];
  settings?: SettingKey[];
}

function crossCheck(meta: CrossMeta, one: (d: Direction) => string) {
  return check(
    {
      id: meta.id,
      area: 'cross',
      title: meta.title,
      profiles: [...(meta.profiles ?? ALL)],
      references: meta.references,
      needs: ['siblings'],
      siblingSentinels: meta.sentinels,
      settings: meta.settings ?? [`ns.${meta.ns}`],
      negativeControls: meta.negativeControls,
    },
    (ctx) => {
      // A pair asked to share the namespace (a join control, or two containers of one pod, whose
      // network, IPC and UTS namespaces are the pod's by design) fails saying it was asked to.
      const asked = ctx.siblings.joined.includes(meta.ns);
      const shown = directions(ctx).map((d) => {
        try {
          return `${d.label}: ${one(d)}`;
        } catch (e) {
          if (asked && e instanceof Error)
            e.message = `the second was asked to join the first's ${meta.ns} namespace (${ctx.siblings.joined.join(',')}): ${e.message}`;
          throw e;
        }
      });
      return `${shown.join('; ')}; ${hostSide(ctx, meta.ns)}`;
    },
  );
}

/** What puts both siblings in one network namespace (the host's, or the first's): abstract sockets and loopback are then shared. */
const NET_SHARED = [
  share('net'),
  ...engines({ NetworkMode: 'host' }),
  joinSibling('builtin', 'net'),
  joinSibling('docker', 'net'),
  joinSibling('podman', 'net'),
];

export const crossChecks = [
  crossCheck(
    {
      id: 'cross.pid',
      title: "a sibling container's processes are invisible and cannot be signalled",
      ns: 'pid',
      sentinels: ['process'],
      // The host's mount namespace brings the host's /proc (its negative control share mnt).
      settings: ['ns.pid', 'ns.mnt'],
      // A host mount namespace brings the host's /proc, where every process is listed.
      negativeControls: [
        share('pid'),
        share('mnt', 'host /proc'),
        ...engines({ PidMode: 'host' }),
        joinSibling('builtin', 'pid'),
        joinSibling('docker', 'pid'),
        joinSibling('podman', 'pid'),
      ],
      references: ['OCI runtime spec: linux.namespaces "pid"', 'pid_namespaces(7)'],
    },
    ({ label, look }) => {
      const p = look.process;
      const evidence = `argv "${p.needle}" among ${p.scanned} processes: ${p.found_pid ? `pid ${p.found_pid}, kill(0) ${errnoName(p.kill_errno)}` : 'not found'}`;
      expect(p.errno, `${label}: /proc could not be read: ${evidence}`).to.equal(0);
      expect(p.found_pid, `${label}: the sibling's process is visible: ${evidence}`).to.equal(0);
      return evidence;
    },
  ),
  crossCheck(
    {
      id: 'cross.ipc',
      title: "a sibling container's SysV IPC objects and POSIX message queue are invisible",
      ns: 'ipc',
      sentinels: ['shm', 'msg', 'sem', 'mq'],
      negativeControls: [
        share('ipc'),
        ...engines({ IpcMode: 'host' }),
        joinSibling('builtin', 'ipc'),
        joinSibling('docker', 'ipc'),
        joinSibling('podman', 'ipc'),
      ],
      references: ['OCI runtime spec: linux.namespaces "ipc"', 'sysvipc(7)', 'mq_overview(7)'],
    },
    ({ label, look }) => {
      const seen = [
        [`shmget(0x${look.shm.key.toString(16)})`, look.shm.errno],
        [`msgget(0x${look.msg.key.toString(16)})`, look.msg.errno],
        [`semget(0x${look.sem.key.toString(16)})`, look.sem.errno],
        [`mq_open(${look.mq.name})`, look.mq.errno],
      ] as const;
      const evidence = seen.map(([what, e]) => `${what} ${errnoName(e)}`).join(', ');
      for (const [what, e] of seen) expect(errnoName(e), `${label}: the sibling's ${what} is visible: ${evidence}`).to.equal(errnoName(ENOENT));
      return evidence;
    },
  ),
  crossCheck(
    {
      id: 'cross.shm',
      title: "a sibling container's /dev/shm is not ours",
      ns: 'ipc',
      sentinels: ['marker'],
      settings: ['ns.ipc', 'ns.mnt'],
      // /dev/shm is a mount: Docker's IpcMode host and container: bind the host's or the first's;
      // the built-in runtime and an OCI bundle mount a tmpfs of their own, also in a shared or
      // joined IPC namespace, unless the host's mounts are kept.
      negativeControls: [share('mnt', 'host /dev/shm'), ...engines({ IpcMode: 'host' }), joinSibling('docker', 'ipc'), joinSibling('podman', 'ipc')],
      references: ['CIS Docker 5.16 (IPC namespace not shared)', 'shm_overview(7)'],
    },
    ({ label, look }) => {
      const evidence = `stat(${look.marker.path}) ${errnoName(look.marker.errno)}`;
      expect(errnoName(look.marker.errno), `${label}: the sibling's /dev/shm marker is visible: ${evidence}`).to.equal(errnoName(ENOENT));
      return evidence;
    },
  ),
  crossCheck(
    {
      id: 'cross.abstract-socket',
      title: "a sibling container's abstract unix socket is unreachable",
      ns: 'net',
      sentinels: ['abstract'],
      negativeControls: NET_SHARED,
      references: ['unix(7) (abstract names belong to the network namespace)', 'CVE-2020-15257'],
    },
    ({ label, look }) => {
      const evidence = `connect(@${look.abstract.target}) ${errnoName(look.abstract.errno)}${look.abstract.greeted ? ', greeted by the sibling' : ''}`;
      expect(look.abstract.greeted, `${label}: the sibling's abstract socket answered: ${evidence}`).to.equal(false);
      return evidence;
    },
  ),
  crossCheck(
    {
      id: 'cross.loopback',
      title: "a sibling container's loopback listener is unreachable",
      ns: 'net',
      sentinels: ['tcp'],
      negativeControls: NET_SHARED,
      references: ['OCI runtime spec: linux.namespaces "network"', CIS_ICC],
    },
    ({ label, look }) => {
      const evidence = `connect(${look.tcp.target}) ${errnoName(look.tcp.errno)}${look.tcp.greeted ? ', greeted by the sibling' : ''}`;
      expect(look.tcp.greeted, `${label}: the sibling's loopback listener answered: ${evidence}`).to.equal(false);
      return evidence;
    },
  ),
  crossCheck(
    {
      id: 'cross.net-reachable',
      title: "a sibling container's own addresses are unreachable",
      ns: 'net',
      sentinels: ['any'],
      // Docker's own are not named: its default bridge lets siblings reach each other already.
      // Podman's siblings are on no network of theirs (targets/podman/create.ts), so sharing one reaches the other; Docker's share a bridge.
      negativeControls: [share('net'), joinSibling('builtin', 'net'), podman({ NetworkMode: 'host' }), joinSibling('podman', 'net')],
      // Not baseline: a default engine network is shared on purpose (Docker's default bridge with
      // inter-container communication on, a Kubernetes pod network), so reaching a sibling there
      // is the documented default, not a broken namespace; isolating them is hardening (CIS 2.1).
      profiles: ['restricted', 'strict'],
      references: [CIS_ICC, 'moby#51731 / CVE-2025-54410 (containers reachable across networks)'],
    },
    ({ label, look, peer }) => {
      const tried = look.addrs.map((a) => `${a.addr} ${errnoName(a.errno)}${a.greeted ? ' (greeted)' : ''}`);
      const port = peer.names.anyPort;
      const evidence = look.addrs.length ? `port ${port} on ${tried.join(', ')}` : `the sibling listed no address (port ${port})`;
      const reached = look.addrs.filter((a) => a.greeted).map((a) => a.addr);
      expect(reached, `${label}: the sibling answered on its own addresses: ${evidence}`).to.deep.equal([]);
      return evidence;
    },
  ),
  crossCheck(
    {
      id: 'cross.uts',
      title: "a sibling container's hostname is not ours",
      ns: 'uts',
      sentinels: ['hostname'],
      // Docker has no container: mode for UTS.
      negativeControls: [share('uts'), ...engines({ UTSMode: 'host' }), joinSibling('builtin', 'uts')],
      references: ['OCI runtime spec: linux.namespaces "uts"', 'uts_namespaces(7)'],
      settings: ['ns.uts', 'hostname'],
    },
    ({ label, look, self, peer }) => {
      const evidence = `ours "${look.hostname.ours}", the sibling's "${look.hostname.peer}"`;
      if (look.hostname.ours !== look.hostname.peer) return evidence;
      // One name in both: a shared namespace, or a runtime that gave the second the first's name
      // (Docker does with NetworkMode container:). Only the host's view of the namespaces can tell.
      const [ours, theirs] = [self.observedNs.uts?.link, peer.observedNs.uts?.link];
      if (!ours || !theirs)
        skip(
          'evidence',
          `${label}: one hostname in both (${evidence}) and the host did not see both UTS namespaces, so it cannot tell a shared one from a copied name`,
        );
      expect(ours, `${label}: the sibling's hostname is ours, in the same UTS namespace: ${evidence}`).to.not.equal(theirs);
      return `${evidence}: one name given to both by the runtime, in different UTS namespaces`;
    },
  ),
];
