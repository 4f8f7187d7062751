#!/usr/bin/env bash
# The unprivileged account the podman-rootless target runs Podman as (targets/podman/): a system
# user without a login shell or a password, with one range of subordinate uids and gids in
# /etc/subuid and /etc/subgid (what rootless Podman maps its containers' ids to). Idempotent: an
# account that exists keeps its uid and its ranges; only a missing range is added. It is set-up
# like a package (the tests' set-up runs it, `isoprobe run` only names it when the user is missing):
# the account stays on the host, owns nothing outside its home and what isoprobe gives it per run.
set -euo pipefail
user=${ISOPROBE_ROOTLESS_USER:-isoprobe-rootless}
# 65536 ids, as useradd's own SUB_UID_COUNT default; the start is chosen clear of other ranges.
count=65536
[ "$(id -u)" -eq 0 ] || { echo "$0: run as root" >&2; exit 2; }
if ! id -u "$user" >/dev/null 2>&1; then
  useradd --system --create-home --home-dir "/var/lib/$user" --shell /usr/sbin/nologin --comment 'isoprobe rootless Podman' "$user"
fi
# The first start past every range already given in either file (and past 100000, useradd's own start).
next_start() {
  awk -F: 'BEGIN { n = 100000 } NF >= 3 { e = $2 + $3; if (e > n) n = e } END { print n }' /etc/subuid /etc/subgid
}
touch /etc/subuid /etc/subgid
start=$(next_start)
for f in /etc/subuid /etc/subgid; do
  grep -q "^$user:" "$f" || echo "$user:$start:$count" >>"$f"
done
# newuidmap/newgidmap must be setuid (or carry file capabilities) for a user to map its range.
for b in newuidmap newgidmap; do
  p=$(command -v "$b") || { echo "$0: $b is missing (apt-get install uidmap)" >&2; exit 2; }
  [ -u "$p" ] || getcap "$p" 2>/dev/null | grep -q cap_set || { echo "$0: $p is neither setuid nor capable" >&2; exit 2; }
done
echo "$user: uid $(id -u "$user"), subuid $(grep "^$user:" /etc/subuid | cut -d: -f2,3), subgid $(grep "^$user:" /etc/subgid | cut -d: -f2,3)"
# slirp4netns (rootless Podman's default network) opens /dev/net/tun as the user: stock Debian's
# udev makes it 0666 (50-udev-default.rules); a host without udev (the project's VM) leaves 0600.
if [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
  chmod 0666 /dev/net/tun
  echo "/dev/net/tun: mode 0666, as udev sets it on stock Debian"
fi
