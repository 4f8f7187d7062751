/** ipc area: System V IPC objects and POSIX message queues of the host are out of sight. */
import { expect } from 'chai';
import type { CheckContext } from '../model/check.js';
import type { SentinelKind } from '../model/sentinels.js';
import { engines, share } from './controls.js';
import { check, errnoName, ownNamespaceCheck } from './define.js';

const NEG = [share('ipc'), ...engines({ IpcMode: 'host' })];
const OCI_IPC = 'OCI runtime spec: linux.namespaces "ipc"';
const CIS_IPC = 'CIS Docker 5.16 (host IPC namespace not shared)';
const ALL = ['baseline', 'restricted', 'strict', 'sandbox'] as const;

type IpcSentinel = 'shm' | 'msg' | 'sem' | 'mq';
const KIND: Record<IpcSentinel, SentinelKind> = { shm: 'sysv-shm', msg: 'sysv-msg', sem: 'sysv-sem', mq: 'posix-mq' };

function invisible(kind: IpcSentinel, title: string, describe: (ctx: CheckContext<'sentinels'>) => string) {
  return check(
    {
      id: `ipc.${kind === 'mq' ? 'posix-mq' : `sysv-${kind}`}-invisible`,
      area: 'ipc',
      title,
      profiles: [...ALL],
      references: [OCI_IPC, CIS_IPC, kind === 'mq' ? 'mq_overview(7)' : 'sysvipc(7)'],
      needs: ['container', 'sentinels'],
      sentinels: [KIND[kind]],
      settings: ['ns.ipc'],
      negativeControls: NEG,
    },
    (ctx) => {
      const s = ctx.container.sentinels[kind];
      const evidence = `${describe(ctx)} inside: ${errnoName(s?.errno)} (the host sees it)`;
      expect(s, `the probe did not look for the host's ${kind}`).to.not.equal(undefined);
      expect(errnoName(s!.errno), `host object visible: ${evidence}`).to.equal(errnoName(2));
      return evidence;
    },
  );
}

export const ipcChecks = [
  ownNamespaceCheck({ area: 'ipc', ns: 'ipc', profiles: [...ALL], references: [OCI_IPC, CIS_IPC], negativeControls: NEG }),
  invisible('shm', "the host's SysV shared memory segment is invisible", ({ sentinels }) => `shmget(0x${sentinels.shmKey.toString(16)})`),
  invisible('msg', "the host's SysV message queue is invisible", ({ sentinels }) => `msgget(0x${sentinels.msgKey.toString(16)})`),
  invisible('sem', "the host's SysV semaphore set is invisible", ({ sentinels }) => `semget(0x${sentinels.semKey.toString(16)})`),
  invisible('mq', "the host's POSIX message queue is invisible", ({ sentinels }) => `mq_open(${sentinels.mqName})`),
];
