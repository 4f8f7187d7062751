/**
 * The harness's own view of the host, taken once before any container runs: the reference the
 * checks compare container facts with. A plain data object (serialisable into results), so the
 * checks stay pure functions of it.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { HostView } from '../model/host-view.js';
import { localIpv4Addresses } from '../model/parse/fib-trie.js';
import { parseStatus } from '../model/parse/status.js';
import { readTrimmed } from './files.js';
import { readHostLsm } from './lsm.js';
import { forChildrenNamespaces, hostNamespaces } from './ns.js';

export function captureHostView(): HostView {
  const root = fs.statSync('/');
  return {
    ns: hostNamespaces(),
    nsForChildren: forChildrenNamespaces(),
    hostname: os.hostname(),
    uid: process.getuid?.() ?? -1,
    gid: process.getgid?.() ?? -1,
    bootId: readTrimmed('/proc/sys/kernel/random/boot_id'),
    root: { dev: root.dev, ino: root.ino },
    mountinfo: fs.readFileSync('/proc/self/mountinfo', 'utf8'),
    lsm: readHostLsm(),
    ipv4Addresses: nonLoopbackIpv4(),
    pidLevels: parseStatus(fs.readFileSync('/proc/self/status', 'utf8')).nsPids.length,
  };
}

/** From the routing table (model/parse/fib-trie.ts says why not os.networkInterfaces), where the kernel has one. */
function nonLoopbackIpv4(): string[] {
  const table = readTrimmed('/proc/net/fib_trie');
  if (table !== null) return localIpv4Addresses(table);
  return [
    ...new Set(
      Object.values(os.networkInterfaces())
        .flat()
        .filter((a) => a && !a.internal && a.family === 'IPv4')
        .map((a) => a!.address),
    ),
  ];
}
