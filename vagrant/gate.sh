#!/usr/bin/env bash
# The Vagrant CI gate: builds the local box if missing, boots each Debian 12 VM (cgroup v2, then
# cgroup v1) under software emulation with vagrant-libvirt, runs isoprobe inside against every
# runtime there, collects reports/vagrant/<machine>/ and a combined matrix in reports/vagrant/,
# and tears everything down on success, failure or Ctrl-C.
#
#   bash vagrant/gate.sh          (as root, Debian 12; exit 0 only if every machine ran and every
#                                  required check passed; 1 otherwise; 2 set-up error)
#
# Settings: ISOPROBE_GATE_MACHINES ("debian12 debian12-cgroup1"), ISOPROBE_RUNTIMES
# (builtin,docker,runc,crun,runsc,docker-runsc,podman,podman-rootless,cri,bwrap,firejail,nspawn,lxc), ISOPROBE_PROFILE (baseline), ISOPROBE_GATE_UP_TIMEOUT (2700 s per
# machine), ISOPROBE_VM_MEMORY, ISOPROBE_VM_CPUS. Network: nothing leaves the host; libvirtd, its
# isolated bridge, the VMs and vagrant run in a network namespace the gate makes and deletes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
cache=$repo/vagrant/.cache
reports=$repo/reports/vagrant
machines=${ISOPROBE_GATE_MACHINES:-debian12 debian12-cgroup1}
export ISOPROBE_RUNTIMES=${ISOPROBE_RUNTIMES:-builtin,docker,runc,crun,runsc,docker-runsc,podman,podman-rootless,cri,bwrap,firejail,nspawn,lxc}
export ISOPROBE_PROFILE=${ISOPROBE_PROFILE:-baseline}
[ "$(id -u)" = 0 ] || { echo "gate: must run as root" >&2; exit 2; }

t0=$(date +%s)
stage_start=$t0
mkdir -p "$cache"
run=$(mktemp -d "$cache/run.XXXXXX")
stages=$cache/last-stages
: > "$stages"
stage() { local now; now=$(date +%s); echo "gate-stage $1 $((now - stage_start))" >> "$stages"; echo "gate: [$1] $((now - stage_start))s" >&2; stage_start=$now; }
log() { echo "gate: $*" >&2; }

ns=isoprobe-gate-$$
netns_dir_made=0
inner_pid=''
teardown_done=0
teardown() {
  [ "$teardown_done" = 1 ] && return; teardown_done=1
  set +e
  local s; s=$(date +%s)
  if [ -n "$inner_pid" ] && kill -0 "$inner_pid" 2>/dev/null; then
    log "stopping the VMs and libvirtd"
    # inner_pid is unshare (setsid and ip exec into it); the inside is its child, pid 1 of the
    # namespace, which destroys the machines and stops libvirtd on TERM.
    for c in $(pgrep -P "$inner_pid"); do kill -TERM "$c" 2>/dev/null; done
    for _ in $(seq 1 600); do kill -0 "$inner_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$inner_pid" 2>/dev/null   # unshare --kill-child: the pid namespace goes with it
    wait "$inner_pid" 2>/dev/null
  fi
  if ip netns list 2>/dev/null | grep -qw "$ns"; then
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    for _ in $(seq 1 20); do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break; sleep 0.5; done
    ip netns del "$ns"
  fi
  # ip netns add makes /run/netns and bind-mounts it on itself the first time: if it was this
  # gate's doing and nothing else uses it now, it goes too (a busy one fails to unmount and stays).
  if [ "$netns_dir_made" = 1 ] && [ -d /run/netns ] && [ -z "$(ls -A /run/netns)" ]; then
    mountpoint -q /run/netns && umount /run/netns 2>/dev/null
    mountpoint -q /run/netns || rmdir /run/netns 2>/dev/null
  fi
  for f in "$cache"/box-*/.build.*/disk.raw; do
    [ -e "$f" ] || continue
    for l in $(losetup -j "$f" -O NAME -n 2>/dev/null); do losetup -d "$l"; done
  done
  rm -rf "$run"
  echo "gate-stage teardown $(( $(date +%s) - s ))" >> "$stages"
  echo "gate: [teardown] $(( $(date +%s) - s ))s" >&2
}
# shellcheck disable=SC2317  # reached through the EXIT trap
on_exit() { local rc=$?; teardown; exit "$rc"; }
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# 1. Host tools (Debian packages), installed without starting any service.
need=()
for c in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils debootstrap:debootstrap vagrant:vagrant \
         libvirtd:libvirt-daemon virsh:libvirt-clients dnsmasq:dnsmasq-base iptables:iptables \
         rsync:rsync sfdisk:fdisk ssh:openssh-client unshare:util-linux; do
  command -v "${c%%:*}" >/dev/null || need+=("${c#*:}")
done
[ -d /usr/share/rubygems-integration/all/gems ] && ls -d /usr/share/rubygems-integration/all/gems/vagrant-libvirt-* >/dev/null 2>&1 || need+=(vagrant-libvirt)
[ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ] || need+=(libvirt-daemon-driver-qemu)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1; fi
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } > "$run/apt.log" 2>&1 || {
    tail -20 "$run/apt.log" >&2; [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d; log "package install failed"; exit 2; }
  [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
mkdir -p /etc/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt   # mount points only
stage host-packages

# 2. isoprobe built on the host; the guests get this build through the rsync synced folder.
if [ ! -d node_modules ]; then npm install --no-audit --no-fund >&2; else npm run -s build >&2; fi
stage host-build

# 3. The box, cached by a hash of the box scripts and the Node binary baked into it.
key=$(cat vagrant/box/*.sh "$(command -v node)" | sha256sum | cut -c1-16)
box_dir=$cache/box-$key
if [ ! -f "$box_dir/isoprobe-debian12.box" ]; then
  for old in "$cache"/box-*; do [ -d "$old" ] && [ "$old" != "$box_dir" ] && rm -rf "$old"; done
  log "building the box ($box_dir)"
  ISOPROBE_DEB_CACHE=$cache/debs bash vagrant/box/build.sh "$box_dir"
else
  log "box cached: $box_dir"
fi
stage box

# 4. The namespaces, libvirtd, vagrant and the machines, one at a time.
[ -d /run/netns ] && netns_dir_made=0 || netns_dir_made=1
ip netns add "$ns"
rm -rf "$reports"; mkdir -p "$reports"
export GATE_RUN=$run GATE_STAGES=$stages GATE_BOX_DIR=$box_dir GATE_BOX_KEY=$key GATE_CACHE=$cache GATE_REPORTS=$reports
export GATE_MACHINES=$machines GATE_UP_TIMEOUT=${ISOPROBE_GATE_UP_TIMEOUT:-2700}
# setsid: a Ctrl-C on the terminal reaches only this script, which then stops the inside in
# order (vagrant destroy, libvirtd) instead of qemu and libvirtd dying on the same SIGINT.
# env --default-signal: unshare ignores INT and TERM while it waits, and the inside must not
# inherit that.
setsid ip netns exec "$ns" unshare --mount --pid --fork --kill-child --mount-proc --propagation private \
  env --default-signal=INT,TERM,HUP bash "$repo/vagrant/lib/inner.sh" < /dev/null &
inner_pid=$!
set +e
wait "$inner_pid"; inner_rc=$?
set -e
inner_pid=''
teardown
stage_start=$(date +%s)
[ "$inner_rc" = 0 ] || log "the VM stage exited $inner_rc"

# 5. The combined matrix: every machine's targets as <machine>/<target> (isoprobe merge names each
# reports/vagrant/<machine>/results.json by its directory; a missing one is a target that could
# not run), then what only the gate knows under its matrix.md.
set +e
# $machines is a space-separated list of names: one argument each.
read -ra machine_list <<< "$machines"
results=()
for m in "${machine_list[@]}"; do results+=("$reports/$m/results.json"); done
node dist/cli/main.js merge --out "$reports" "${results[@]}"
merge_rc=$?
node vagrant/lib/gate-notes.mjs "$reports" "${machine_list[@]}"
set -e
stage combine

echo "gate: wall time per stage (s):" >&2
total=$(( $(date +%s) - t0 ))
echo "gate-stage total $total" >> "$stages"
# Each machine's vagrant up, split into the steps the guest timed (provision.sh) and the rest
# (boot, box upload, rsync).
while read -r _ name secs; do
  echo "  $name $secs"
  m=${name%:up+suite}
  if [ "$m" = "$name" ] || [ ! -f "$reports/$m/guest-stages.txt" ]; then continue; fi
  in_guest=$(awk '{ s += $3 } END { print s + 0 }' "$reports/$m/guest-stages.txt")
  echo "    $m:boot+rsync $(( secs > in_guest ? secs - in_guest : 0 ))"
  sed "s/^guest-stage /    $m:/" "$reports/$m/guest-stages.txt"
done < "$stages" | tee "$reports/stages.txt" >&2
rc=$merge_rc
[ "$inner_rc" = 0 ] || rc=1
if [ "$rc" = 0 ]; then log "PASS"; else log "FAIL (exit $rc)"; fi
exit "$rc"
