/**
 * The pod network of a run: a CNI config of its own (Debian's containernetworking-plugins in
 * /usr/lib/cni: bridge and host-local; containerd brings `lo` up itself with the loopback plugin) in the run's containerd directory. A bridge of the
 * run's own name, no gateway, no masquerade and no port mappings: a pod gets an interface with an
 * address and reaches only the run's other pods; no iptables rule is written. The subnet is a /24
 * of 198.18.0.0/15 (RFC 2544's benchmarking range, never routed on real networks) that no route
 * of the host uses. The bridge outlives its last pod (the bridge plugin never deletes it), so the
 * run's teardown deletes it by its name; host-local keeps its leases in the run's directory.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface CniNetwork {
  /** At most 15 bytes (IFNAMSIZ - 1). */
  bridge: string;
  subnet: string;
}

/** 198.18.N.0/24 for the first N (from `seed`) whose prefix no host route contains. */
export function pickNetwork(runId: string, routes = readRoutes()): CniNetwork {
  const seed = Number.parseInt(runId.slice(0, 4), 16) || 0;
  for (let i = 0; i < 512; i++) {
    const n = (seed + i) % 512;
    const subnet = `198.${18 + (n >> 8)}.${n & 255}.0/24`;
    if (!routes.some((r) => overlaps(r, subnet))) return { bridge: `isop${runId.slice(0, 10)}`, subnet };
  }
  throw new Error('no free /24 in 198.18.0.0/15 for the pod network');
}

function readRoutes(): string[] {
  const r = spawnSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8', timeout: 5000 });
  return (r.stdout ?? '')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((x) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(x));
}

function toInt(ip: string): number {
  return ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
}

export function overlaps(a: string, b: string): boolean {
  const [ia, la = '32'] = a.split('/');
  const [ib, lb = '32'] = b.split('/');
  const len = Math.min(Number(la), Number(lb));
  const mask = len === 0 ? 0 : 2 ** 32 - 2 ** (32 - len);
  const and = (x: number) => Number(BigInt(x) & BigInt(mask));
  return and(toInt(ia!)) === and(toInt(ib!));
}

export function cniConfig(net: CniNetwork, dir: string) {
  return {
    cniVersion: '1.0.0',
    name: 'isoprobe',
    plugins: [
      {
        type: 'bridge',
        bridge: net.bridge,
        isGateway: false,
        ipMasq: false,
        hairpinMode: false,
        ipam: { type: 'host-local', ranges: [[{ subnet: net.subnet }]], dataDir: path.join(dir, 'cni-ipam') },
      },
    ],
  };
}

/** The run's bridge, once no pod is on it; '' when it is gone (or was never made). */
export function deleteBridge(bridge: string): string {
  if (!fs.existsSync(`/sys/class/net/${bridge}`)) return '';
  const r = spawnSync('ip', ['link', 'del', bridge], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? '' : `bridge ${bridge}: ${(r.stderr || r.error?.message || '').trim()}`;
}

/**
 * Whether the host filters bridged traffic through a FORWARD chain that drops it: Docker sets the
 * policy DROP and bridge-nf-call-iptables 1, so two pods on the run's bridge cannot reach each
 * other here, unlike on a Kubernetes node whose CNI allows pod-to-pod traffic. Said in the
 * target's info, as it decides cross.net-reachable between two pods.
 */
export function bridgeFiltering(): string {
  let nf = '';
  try {
    nf = fs.readFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').trim();
  } catch {
    return 'bridged traffic is not filtered by iptables (br_netfilter not loaded): pods on the bridge reach each other';
  }
  const policy = /^-P FORWARD (\w+)/m.exec(spawnSync('iptables', ['-S', 'FORWARD'], { encoding: 'utf8', timeout: 5000 }).stdout ?? '')?.[1] ?? 'unknown';
  if (nf === '1' && policy === 'DROP') {
    return "bridged traffic goes through iptables (bridge-nf-call-iptables=1) and the host's FORWARD policy is DROP (Docker's): pods on the run's bridge cannot reach each other, unlike a Kubernetes pod network";
  }
  return `bridge-nf-call-iptables=${nf}, FORWARD policy ${policy}`;
}
