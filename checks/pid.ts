/** pid area: the container's processes live in a pid namespace of their own. */
import { expect } from 'chai';
import { engines, share } from './controls.js';
import { check, errnoName, ownNamespaceCheck } from './define.js';

const NEG = [share('pid'), ...engines({ PidMode: 'host' })];
const HOST_PROC = share('mnt', 'host /proc');
const OCI_PID = 'OCI runtime spec: linux.namespaces "pid"';
const CIS_PID = 'CIS Docker 5.16 (host PID namespace not shared)';

export const pidChecks = [
  ownNamespaceCheck({
    area: 'pid',
    ns: 'pid',
    profiles: ['baseline', 'restricted', 'strict', 'sandbox'],
    references: [OCI_PID, CIS_PID],
    negativeControls: NEG,
  }),
  check(
    {
      id: 'pid.init-is-pid1',
      area: 'pid',
      // The namespace is judged, not the probe's own pid: under an init (docker --init, a pod's
      // pause container, bwrap's own init) the probe is its child, in the same intact namespace.
      title: "the container process is PID 1 of a pid namespace below the host's, or descends from that PID 1",
      profiles: ['baseline', 'restricted', 'strict', 'sandbox'],
      references: [OCI_PID, 'pid_namespaces(7)', 'proc(5) /proc/pid/status NSpid'],
      needs: ['container', 'observed', 'reference'],
      settings: ['ns.pid'],
      negativeControls: NEG,
    },
    ({ container, observed, reference }) => {
      const nsPid = observed.nsPid ?? null;
      const hostLevels = reference.pidLevels ?? 1;
      const chain = container.ancestry;
      const link = (a: NonNullable<typeof chain>[number]) => (a.errno ? `${a.pid} (${errnoName(a.errno)})` : `${a.pid} ${a.comm}`);
      const evidence = `NSpid from the host ${nsPid?.join(' ') ?? 'not read'} (the harness's: ${hostLevels} level${hostLevels > 1 ? 's' : ''}); inside getpid()=${container.pid}, getppid()=${container.ppid}, ancestry ${chain ? chain.map(link).join(' → ') : 'not reported'}`;
      expect(nsPid, `the host could not read the probe's NSpid: ${evidence}`).to.be.an('array');
      expect(nsPid!.length, `the probe has no pid namespace below the host's: ${evidence}`).to.be.greaterThan(hostLevels);
      // The host observes the container's first process: the probe, or the init it descends from.
      const lineage = chain ? chain.map((a) => a.pid) : [container.pid];
      expect(lineage, `the process the host observed (pid ${nsPid!.at(-1)} inside) is not the probe nor one of its ancestors: ${evidence}`).to.include(
        nsPid!.at(-1),
      );
      // A probe from before `ancestry` can only be judged by its own pid.
      const top = chain ? chain.at(-1) : { pid: container.pid, errno: 0, ppid: container.pid === 1 ? 0 : container.ppid };
      expect(
        top !== undefined && top.errno === 0 && top.pid === 1 && top.ppid === 0,
        `the probe's ancestry does not reach PID 1 of its namespace (whose parent is 0, outside it): ${evidence}`,
      ).to.equal(true);
      return evidence;
    },
  ),
  check(
    {
      id: 'pid.host-invisible',
      area: 'pid',
      title: 'host processes are not visible in /proc',
      profiles: ['baseline', 'restricted', 'strict', 'sandbox'],
      references: [OCI_PID, CIS_PID],
      needs: ['container', 'sentinels'],
      sentinels: ['process'],
      // The mnt namespace decides which /proc it scans (its control: the host's /proc).
      settings: ['ns.pid', 'ns.mnt'],
      negativeControls: [...NEG, HOST_PROC],
    },
    ({ container, sentinels }) => {
      const s = container.sentinels.sentinel_argv;
      expect(s, 'the probe did not scan /proc for the host sentinel').to.not.equal(undefined);
      const evidence = `scanned ${s!.scanned} other /proc entries for "${sentinels.sentinelArgv}": ${s!.found ? 'found' : 'not found'}; /proc lists ${container.proc_pids.length} pids`;
      // The probe skips itself, so 0 scanned is normal in a fresh pid namespace; an empty or
      // unreadable /proc is not.
      expect(container.proc_pids.length, `/proc could not be listed: ${evidence}`).to.be.greaterThan(0);
      expect(s!.found, `host sentinel process visible: ${evidence}`).to.equal(false);
      return evidence;
    },
  ),
  check(
    {
      id: 'pid.cannot-signal-host',
      area: 'pid',
      title: 'a host process cannot be signalled (ESRCH)',
      profiles: ['baseline', 'restricted', 'strict', 'sandbox'],
      references: [OCI_PID, 'kill(2)'],
      needs: ['container', 'sentinels'],
      sentinels: ['process'],
      settings: ['ns.pid'],
      negativeControls: NEG,
    },
    ({ container, sentinels }) => {
      const k = container.sentinels.kill;
      const evidence = `kill(${sentinels.sentinelPid}, 0) inside: ${errnoName(k?.errno)}`;
      // EPERM would mean the process is there but protected: still visible, so still a failure.
      expect(errnoName(k?.errno), evidence).to.equal(errnoName(3));
      return evidence;
    },
  ),
  check(
    {
      id: 'pid.fresh-proc',
      area: 'pid',
      title: "/proc is a fresh proc of the container's own pid namespace",
      profiles: ['baseline', 'restricted', 'strict', 'sandbox'],
      references: ['OCI runtime spec: config-linux "proc" mount', 'proc(5)'],
      // Sharing the pid namespace does not flip this one: the host's /proc then *is* the proc of
      // the container's (host) pid namespace. What it catches is a /proc from another namespace.
      needs: ['container'],
      settings: ['ns.mnt'],
      negativeControls: [HOST_PROC],
    },
    ({ container }) => {
      const evidence = `/proc/self → our pid: ${container.proc_self_stat_ok}; /proc lists pids [${container.proc_pids.slice(0, 10).join(', ')}${container.proc_pids.length > 10 ? ', …' : ''}]`;
      expect(container.proc_self_stat_ok, `/proc/self is not this process: ${evidence}`).to.equal(true);
      expect(container.proc_pids, `/proc does not list PID 1 of this namespace: ${evidence}`).to.include(1);
      return evidence;
    },
  ),
  check(
    {
      id: 'pid.parent-is-host',
      area: 'pid',
      title: "the pid namespace is a child of the host's (NS_GET_PARENT)",
      profiles: ['restricted', 'strict'],
      references: ['ioctl_ns(2) NS_GET_PARENT'],
      needs: ['observed', 'reference'],
      settings: ['ns.pid'],
      negativeControls: NEG,
    },
    ({ observed, reference }) => {
      const parent = observed.ns.pid?.parentIno ?? null;
      const evidence = `parent of the container's pid namespace: ${parent ?? 'none (EPERM: it is an initial namespace, or not observable)'}; host pid namespace inode ${reference.ns.pid?.ino}`;
      expect(parent, evidence).to.equal(reference.ns.pid?.ino);
      return evidence;
    },
  ),
];
