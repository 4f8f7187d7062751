/**
 * /proc/net/fib_trie: the kernel's IPv4 routing tables of the reader's network namespace. Every
 * address assigned to an interface that is up is a "/32 host LOCAL" leaf of the local table, with
 * or without carrier (a Docker bridge with no container attached still has its address), unlike
 * getifaddrs() through libuv (os.networkInterfaces), which leaves out interfaces not RUNNING.
 */

/** The IPv4 addresses assigned to this namespace's interfaces, loopback (127.0.0.0/8) left out. */
export function localIpv4Addresses(text: string): string[] {
  const out = new Set<string>();
  let last: string | null = null;
  for (const line of text.split('\n')) {
    const leaf = /\|-- (\d+\.\d+\.\d+\.\d+)$/.exec(line);
    if (leaf) last = leaf[1];
    else if (last && /^\s*\/32 host LOCAL$/.test(line) && !last.startsWith('127.')) out.add(last);
  }
  return [...out];
}
