#!/usr/bin/env bash
# The subordinate ids root maps an LXC container's user namespace to (the lxc target's `idmap`,
# targets/lxc/): LXC as root writes the map through newuidmap/newgidmap when they are installed,
# and they allow only a range /etc/subuid and /etc/subgid give root (measured with lxc 5.0.2:
# "newuidmap: uid range [0-65536) -> [...) not allowed" without one). LXC's own documentation asks
# its users for this same entry. Idempotent, set-up like a package (the tests' set-up runs it; a run
# only names it): a range root already has is kept; only a missing one is added, clear of the others.
set -euo pipefail
count=65536
[ "$(id -u)" -eq 0 ] || { echo "$0: run as root" >&2; exit 2; }
touch /etc/subuid /etc/subgid
start=$(awk -F: 'BEGIN { n = 100000 } NF >= 3 { e = $2 + $3; if (e > n) n = e } END { print n }' /etc/subuid /etc/subgid)
for f in /etc/subuid /etc/subgid; do
  grep -Eq '^(root|0):[0-9]+:[1-9]' "$f" || echo "root:$start:$count" >>"$f"
done
echo "root: subuid $(grep -E '^(root|0):' /etc/subuid | head -1 | cut -d: -f2,3), subgid $(grep -E '^(root|0):' /etc/subgid | head -1 | cut -d: -f2,3)"
