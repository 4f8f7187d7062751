#!/usr/bin/env bash
# Builds the gate's local Vagrant box from Debian packages, without network access beyond the
# Debian mirror: debootstrap → raw disk (one MBR partition) → ext4 → GRUB → qcow2 → .box.
#
#   bash vagrant/box/build.sh OUTDIR
#
# OUTDIR receives isoprobe-debian12.box (libvirt provider: box.img + metadata.json + Vagrantfile),
# box.qcow2 (the same disk, for plain qemu), vmlinuz and initrd.img (for direct kernel boot, which
# is how the cgroup v1 machine gets its kernel command line) and cmdline (the root= part).
# Needs root, debootstrap, qemu-img, sfdisk, losetup. Loop devices here have no partition scanning,
# so the filesystem is reached through a loop device with an offset, and GRUB's boot sector and
# core image are written into the raw file directly (no grub-install against a loop device).
# Every loop device and mount is released on any exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
mirror=${ISOPROBE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
disk_gib=${ISOPROBE_BOX_DISK_GIB:-8}
debcache=${ISOPROBE_DEB_CACHE:-}
[ "$(id -u)" = 0 ] || { echo "box: must run as root" >&2; exit 2; }
for t in debootstrap qemu-img sfdisk losetup mkfs.ext4 tar; do
  command -v "$t" >/dev/null || { echo "box: $t missing" >&2; exit 2; }
done
node_bin=$(command -v node || true)
node_major=$([ -n "$node_bin" ] && "$node_bin" -p 'process.versions.node.split(".")[0]' || echo 0)
[ "$node_major" -ge 20 ] || { echo "box: needs the host's node >= 20 to bake into the box (have ${node_major})" >&2; exit 2; }
vagrant_pub=${ISOPROBE_VAGRANT_PUBKEY:-$(compgen -G '/usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub' | head -1 || true)}
[ -f "$vagrant_pub" ] || { echo "box: Vagrant's insecure public key not found (install vagrant)" >&2; exit 2; }

mkdir -p "$out"
work=$(mktemp -d "$out/.build.XXXXXX")
raw=$work/disk.raw
mnt=$work/mnt
loop=''
cleanup() {
  local rc=$?
  set +e
  for m in dev/pts dev proc sys run ''; do
    mountpoint -q "$mnt/$m" 2>/dev/null && umount -l "$mnt/$m"
  done
  [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
  # Any loop device still backed by this build's file (a killed earlier step) goes too.
  for l in $(losetup -j "$raw" -O NAME -n 2>/dev/null); do losetup -d "$l"; done
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$(date +%s)
stamp() { echo "box: $(( $(date +%s) - t0 ))s $*" >&2; }

truncate -s "${disk_gib}G" "$raw"
echo 'label: dos
start=2048, type=83, bootable' | sfdisk -q "$raw"
part_off=$((2048 * 512))
part_size=$(( disk_gib * 1024 * 1024 * 1024 - part_off ))
loop=$(losetup --find --show --offset "$part_off" --sizelimit "$part_size" "$raw")
uuid=$(cat /proc/sys/kernel/random/uuid)
mkfs.ext4 -q -L isoprobe-root -U "$uuid" "$loop"
mkdir -p "$mnt"
mount "$loop" "$mnt"
stamp "disk ready ($loop, offset $part_off)"

# What the suite needs inside the guest, installed now: in a TCG guest apt is 10-80x slower.
# apparmor: without it every `docker run` fails in a Debian guest. busybox-static: the built-in
# runtime's rootfs. runsc, podman (with uidmap, slirp4netns, fuse-overlayfs for rootless) and
# containerd with the CNI plugins: the gVisor, Podman and CRI targets; bubblewrap, firejail,
# systemd-container and lxc: the sandbox targets. No npm: the gate syncs dist/
# and node_modules/ built on the host.
include=linux-image-amd64,grub-pc-bin,initramfs-tools,systemd-sysv,udev,dbus,openssh-server,sudo,rsync,iproute2,procps,kmod,less,ca-certificates,docker.io,containerd,apparmor,runc,crun,runsc,podman,uidmap,slirp4netns,fuse-overlayfs,containernetworking-plugins,bubblewrap,firejail,systemd-container,lxc,busybox-static,libxml2-utils
args=(--include="$include" --components=main)
if [ -n "$debcache" ]; then mkdir -p "$debcache"; args+=(--cache-dir="$(cd "$debcache" && pwd)"); fi
debootstrap "${args[@]}" "$suite" "$mnt" "$mirror" > "$work/debootstrap.log" 2>&1 || {
  tail -30 "$work/debootstrap.log" >&2; echo "box: debootstrap failed" >&2; exit 1; }
stamp "debootstrap done"

# Node >= 20 (the project's engines field; Debian 12 ships 18): the host's own binary, which
# depends only on libc and libstdc++, both in the image.
install -m 0755 "$node_bin" "$mnt/usr/local/bin/node"
install -m 0644 "$vagrant_pub" "$mnt/root/vagrant.pub"
install -m 0755 "$here/configure.sh" "$mnt/root/configure.sh"
for m in proc sys dev dev/pts run; do mkdir -p "$mnt/$m"; done
mount -t proc proc "$mnt/proc"
mount -t sysfs sys "$mnt/sys"
mount --bind /dev "$mnt/dev"
mount -t devpts devpts "$mnt/dev/pts"
mount -t tmpfs tmpfs "$mnt/run"
chroot "$mnt" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin ROOT_UUID="$uuid" bash /root/configure.sh
rm -f "$mnt/root/configure.sh" "$mnt/root/vagrant.pub"
stamp "configured"

kver=$(basename "$(readlink -f "$mnt/vmlinuz")" | sed 's/^vmlinuz-//')
cp "$mnt/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$mnt/boot/initrd.img-$kver" "$work/initrd.img"
cp "$mnt/root/grub-core.img" "$work/core.img"
cp "$mnt/usr/lib/grub/i386-pc/boot.img" "$work/boot.img"
rm -f "$mnt/root/grub-core.img"
for m in dev/pts dev proc sys run; do umount "$mnt/$m"; done
fstrim "$mnt" 2>/dev/null || true
umount "$mnt"
losetup -d "$loop"; loop=''

# GRUB: boot.img's code (not the partition table) into the MBR, core.img into the gap after it.
core_sectors=$(( ($(stat -c %s "$work/core.img") + 511) / 512 ))
[ "$core_sectors" -lt 2047 ] || { echo "box: GRUB core image too large" >&2; exit 1; }
dd if="$work/boot.img" of="$raw" bs=440 count=1 conv=notrunc status=none
dd if="$work/core.img" of="$raw" bs=512 seek=1 conv=notrunc status=none

qemu-img convert -c -O qcow2 "$raw" "$work/box.img"
stamp "qcow2 written"
vsize=$disk_gib
cat > "$work/metadata.json" <<JSON
{"provider": "libvirt", "format": "qcow2", "virtual_size": $vsize}
JSON
cat > "$work/Vagrantfile" <<'RUBY'
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |lv|
    lv.disk_bus = "virtio"
  end
end
RUBY
tar -C "$work" -cf "$work/isoprobe-debian12.box" metadata.json Vagrantfile box.img
echo "root=UUID=$uuid ro console=ttyS0,115200 net.ifnames=0" > "$work/cmdline"
echo "$kver" > "$work/kernel-version"
mv "$work/isoprobe-debian12.box" "$work/vmlinuz" "$work/initrd.img" "$work/cmdline" "$work/kernel-version" "$out/"
mv "$work/box.img" "$out/box.qcow2"
stamp "box: $out/isoprobe-debian12.box ($(du -h "$out/isoprobe-debian12.box" | cut -f1))"
