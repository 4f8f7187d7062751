#!/usr/bin/env bash
# The gate's inside: started by vagrant/gate.sh as
#   ip netns exec NS unshare --mount --pid --fork --kill-child --mount-proc --propagation private inner.sh
# so libvirtd, its bridge and dnsmasq, the VMs and vagrant all live in a network namespace of the
# gate's own, with a private /run, /etc/libvirt, /var/lib/libvirt (libvirt's default network is
# never defined, let alone started), and in a pid namespace: when this script (pid 1 there) ends,
# the kernel kills whatever is left in it.
#
# Environment from gate.sh: GATE_RUN (per-run scratch dir), GATE_BOX_DIR (built box), GATE_BOX_KEY,
# GATE_CACHE, GATE_REPORTS (reports/vagrant), GATE_MACHINES, GATE_UP_TIMEOUT (s per machine),
# plus the ISOPROBE_* settings for the Vagrantfile.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${GATE_RUN:?}" "${GATE_STAGES:?}" "${GATE_BOX_DIR:?}" "${GATE_BOX_KEY:?}" "${GATE_CACHE:?}" "${GATE_REPORTS:?}" "${GATE_MACHINES:?}"
up_timeout=${GATE_UP_TIMEOUT:-2700}
box_name=isoprobe/debian12-local

t0=$(date +%s)
stage_start=$t0
stage() { local now; now=$(date +%s); echo "gate-stage $1 $((now - stage_start))" >> "$GATE_STAGES"; echo "gate: [$1] $((now - stage_start))s" >&2; stage_start=$now; }
log() { echo "gate: $*" >&2; }

libvirtd_pid=''
up_pid=''
finish() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [ -n "$up_pid" ]; then
    log "stopping vagrant up"
    kill -TERM "$up_pid" 2>/dev/null   # timeout passes it on to vagrant
    for _ in $(seq 1 120); do kill -0 "$up_pid" 2>/dev/null || break; sleep 0.5; done
  fi
  if [ -n "${VAGRANT_DOTFILE_PATH:-}" ] && [ -d "$VAGRANT_DOTFILE_PATH/machines" ]; then
    log "destroying every machine"
    timeout 300 vagrant destroy -f >&2
  fi
  if [ -n "$libvirtd_pid" ]; then
    kill "$libvirtd_pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$libvirtd_pid" 2>/dev/null || break; sleep 0.2; done
  fi
  exit $rc
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. A private libvirt: its config, state, sockets and logs under GATE_RUN.
ip link set lo up
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p "$GATE_RUN/etc-libvirt/qemu/networks" "$GATE_RUN/var-lib-libvirt/images" "$GATE_RUN/log" "$GATE_RUN/serial"
cat > "$GATE_RUN/etc-libvirt/libvirtd.conf" <<'CONF'
unix_sock_group = "root"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:stderr"
CONF
cat > "$GATE_RUN/etc-libvirt/qemu.conf" <<'CONF'
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
stdio_handler = "file"
cgroup_controllers = [ ]
namespaces = [ ]
CONF
: > "$GATE_RUN/etc-libvirt/libvirt.conf"
# Debian's libvirtd looks up the users libvirt-daemon-system would create; they exist only in this
# mount namespace (a copy of passwd/group bound over the host's), not on the host.
cp /etc/passwd "$GATE_RUN/passwd"; cp /etc/group "$GATE_RUN/group"
for u in libvirt-qemu:64055 libvirt-dnsmasq:64056; do
  getent passwd "${u%%:*}" >/dev/null || echo "${u%%:*}:x:${u#*:}:${u#*:}::/var/lib/libvirt:/usr/sbin/nologin" >> "$GATE_RUN/passwd"
  getent group "${u%%:*}" >/dev/null || echo "${u%%:*}:x:${u#*:}:" >> "$GATE_RUN/group"
done
getent group kvm >/dev/null || echo "kvm:x:64057:" >> "$GATE_RUN/group"
getent group libvirt >/dev/null || echo "libvirt:x:64058:" >> "$GATE_RUN/group"
mount --bind "$GATE_RUN/passwd" /etc/passwd
mount --bind "$GATE_RUN/group" /etc/group
mount --bind "$GATE_RUN/etc-libvirt" /etc/libvirt
mount --bind "$GATE_RUN/var-lib-libvirt" /var/lib/libvirt
mount --bind "$GATE_RUN/log" /var/log/libvirt
mount -t tmpfs tmpfs /var/cache/libvirt
libvirtd > "$GATE_RUN/log/libvirtd.log" 2>&1 &
libvirtd_pid=$!
for _ in $(seq 1 100); do [ -S /run/libvirt/libvirt-sock ] && break; sleep 0.2; done
[ -S /run/libvirt/libvirt-sock ] || { tail -20 "$GATE_RUN/log/libvirtd.log" >&2; log "libvirtd did not start"; exit 1; }
virsh -c qemu:///system net-list --all >/dev/null
stage libvirtd

# 2. Vagrant's state under the cache (the added box is kept between runs, keyed by the box hash).
export VAGRANT_HOME=$GATE_CACHE/vagrant.d
export VAGRANT_DOTFILE_PATH=$GATE_RUN/dotvagrant
export VAGRANT_CWD=$here
export VAGRANT_DEFAULT_PROVIDER=libvirt
export VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_NO_COLOR=1
export ISOPROBE_VAGRANT_MODE=ci ISOPROBE_KERNEL_DIR=$GATE_BOX_DIR ISOPROBE_SERIAL_DIR=$GATE_RUN/serial
mkdir -p "$VAGRANT_HOME"
if [ "$(cat "$VAGRANT_HOME/isoprobe-box-key" 2>/dev/null)" != "$GATE_BOX_KEY" ] || ! vagrant box list 2>/dev/null | grep -q "^$box_name "; then
  vagrant box remove -f --all "$box_name" >/dev/null 2>&1 || true
  vagrant box add --force --name "$box_name" "$GATE_BOX_DIR/isoprobe-debian12.box" >&2
  echo "$GATE_BOX_KEY" > "$VAGRANT_HOME/isoprobe-box-key"
fi
stage box-add

# 3. One machine at a time: up (boot, rsync, provision = the suite), collect, destroy.
for m in $GATE_MACHINES; do
  mkdir -p "$GATE_REPORTS/$m"
  log "$m: vagrant up (timeout ${up_timeout}s)"
  # In the background so that a TERM from the gate is handled at once, not after vagrant up.
  timeout --kill-after=30 "$up_timeout" vagrant up "$m" --provider libvirt > "$GATE_REPORTS/$m/vagrant-up.log" 2>&1 &
  up_pid=$!
  # Shown live without the box upload's progress bar.
  (tail -n +1 -F "$GATE_REPORTS/$m/vagrant-up.log" --pid="$up_pid" 2>/dev/null | tr '\r' '\n' | grep --line-buffered -v 'Progress: ' >&2) &
  up_rc=0; wait "$up_pid" || up_rc=$?
  up_pid=''
  sleep 0.5
  echo "$up_rc" > "$GATE_REPORTS/$m/vagrant-up-exit-code"
  stage "$m:up+suite"
  log "$m: vagrant up exited $up_rc; collecting /vagrant-reports/$m"
  if timeout 300 vagrant ssh "$m" -c "sudo tar -C /vagrant-reports/$m -cf - ." 2>"$GATE_RUN/collect-$m.err" | tar -x -C "$GATE_REPORTS/$m"; then
    log "$m: reports in $GATE_REPORTS/$m"
  else
    log "$m: could not collect reports: $(tail -1 "$GATE_RUN/collect-$m.err")"
  fi
  cp "$GATE_RUN/serial/$m.log" "$GATE_REPORTS/$m/serial.log" 2>/dev/null || true
  stage "$m:collect"
  timeout 300 vagrant destroy -f "$m" >&2 || log "$m: destroy failed"
  stage "$m:destroy"
done
