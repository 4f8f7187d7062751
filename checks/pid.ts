/** pid area: the container's processes live in a pid namespace of their own. */
import { expect } from 'chai';
import { check, errnoName, ownNamespaceCheck } from './define.js';

const NEG = 'builtin share=pid; Docker PidMode=host';
const OCI_PID = 'OCI runtime spec: linux.namespaces "pid"';
const CIS_PID = 'CIS Docker 5.16 (host PID namespace not shared)';

export const pidChecks = [
  ownNamespaceCheck({ area: 'pid', ns: 'pid', profiles: ['baseline', 'restricted', 'strict'], references: [OCI_PID, CIS_PID], negativeControl: NEG }),
  check(
    { id: 'pid.init-is-pid1', area: 'pid', title: 'the container process is PID 1 of its namespace', profiles: ['baseline', 'restricted', 'strict'],
      references: [OCI_PID, 'pid_namespaces(7)'], negativeControl: NEG },
    ({ facts }) => {
      const evidence = `getpid()=${facts.pid}, getppid()=${facts.ppid}`;
      expect(facts.pid, `probe's own pid: ${evidence}`).to.equal(1);
      return evidence;
    },
  ),
  check(
    { id: 'pid.host-invisible', area: 'pid', title: 'host processes are not visible in /proc', profiles: ['baseline', 'restricted', 'strict'],
      references: [OCI_PID, CIS_PID], negativeControl: `${NEG}; builtin share=mnt (host /proc)` },
    ({ facts, sentinels }) => {
      const s = facts.sentinels.sentinel_argv;
      expect(s, 'the probe did not scan /proc for the host sentinel').to.not.equal(undefined);
      const evidence = `scanned ${s!.scanned} other /proc entries for "${sentinels.sentinelArgv}": ${s!.found ? 'found' : 'not found'}; /proc lists ${facts.proc_pids.length} pids`;
      // The probe skips itself, so 0 scanned is normal in a fresh pid namespace; an empty or
      // unreadable /proc is not.
      expect(facts.proc_pids.length, `/proc could not be listed: ${evidence}`).to.be.greaterThan(0);
      expect(s!.found, `host sentinel process visible: ${evidence}`).to.equal(false);
      return evidence;
    },
  ),
  check(
    { id: 'pid.cannot-signal-host', area: 'pid', title: 'a host process cannot be signalled (ESRCH)', profiles: ['baseline', 'restricted', 'strict'],
      references: [OCI_PID, 'kill(2)'], negativeControl: NEG },
    ({ facts, sentinels }) => {
      const k = facts.sentinels.kill;
      const evidence = `kill(${sentinels.sentinelPid}, 0) inside: ${errnoName(k?.errno)}`;
      // EPERM would mean the process is there but protected: still visible, so still a failure.
      expect(errnoName(k?.errno), evidence).to.equal(errnoName(3));
      return evidence;
    },
  ),
  check(
    { id: 'pid.fresh-proc', area: 'pid', title: '/proc is a fresh proc of the container\'s own pid namespace', profiles: ['baseline', 'restricted', 'strict'],
      references: ['OCI runtime spec: config-linux "proc" mount', 'proc(5)'],
      // Sharing the pid namespace does not flip this one: the host's /proc then *is* the proc of
      // the container's (host) pid namespace. What it catches is a /proc from another namespace.
      negativeControl: 'builtin share=mnt (host /proc)' },
    ({ facts }) => {
      const evidence = `/proc/self → our pid: ${facts.proc_self_stat_ok}; /proc lists pids [${facts.proc_pids.slice(0, 10).join(', ')}${facts.proc_pids.length > 10 ? ', …' : ''}]`;
      expect(facts.proc_self_stat_ok, `/proc/self is not this process: ${evidence}`).to.equal(true);
      expect(facts.proc_pids, `/proc does not list PID 1 of this namespace: ${evidence}`).to.include(1);
      return evidence;
    },
  ),
  check(
    { id: 'pid.parent-is-host', area: 'pid', title: 'the pid namespace is a child of the host\'s (NS_GET_PARENT)', profiles: ['restricted', 'strict'],
      references: ['ioctl_ns(2) NS_GET_PARENT'], negativeControl: NEG },
    ({ host, hostView }) => {
      const parent = host.ns.pid?.parentIno ?? null;
      const evidence = `parent of the container's pid namespace: ${parent ?? 'none (EPERM: it is an initial namespace, or not observable)'}; host pid namespace inode ${hostView.ns.pid?.ino}`;
      expect(parent, evidence).to.equal(hostView.ns.pid?.ino);
      return evidence;
    },
  ),
];
