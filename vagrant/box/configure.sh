#!/usr/bin/env bash
# Runs inside the box's chroot (from build.sh): users, ssh, network, identity, GRUB.
set -euo pipefail
: "${ROOT_UUID:?}"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

echo isoprobe-box > /etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 isoprobe-box\n::1 localhost ip6-localhost ip6-loopback\n' > /etc/hosts
echo "UUID=$ROOT_UUID / ext4 errors=remount-ro 0 1" > /etc/fstab
printf 'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' > /etc/apt/sources.list

# The Vagrant convention: user vagrant (password vagrant), passwordless sudo, the insecure key
# (Vagrant replaces it with a fresh key on first `vagrant up`).
id vagrant >/dev/null 2>&1 || useradd -m -s /bin/bash -G docker vagrant
echo 'vagrant:vagrant' | chpasswd
echo 'root:vagrant' | chpasswd
echo 'vagrant ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/vagrant
chmod 0440 /etc/sudoers.d/vagrant
install -d -m 0700 -o vagrant -g vagrant /home/vagrant/.ssh
install -m 0600 -o vagrant -g vagrant /root/vagrant.pub /home/vagrant/.ssh/authorized_keys
printf 'UseDNS no\nPasswordAuthentication yes\n' > /etc/ssh/sshd_config.d/vagrant.conf

# A fresh identity per clone: no machine-id (systemd makes one at first boot), DHCP client id
# from the MAC (not the machine-id-derived DUID), ssh host keys made at first boot.
rm -f /etc/ssh/ssh_host_*
cat > /etc/systemd/system/ssh-hostkeys.service <<'UNIT'
[Unit]
Description=Generate ssh host keys on first boot
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
UNIT
# gVisor registered with the box's dockerd, with the one flag the packaged runsc (20221219) needs
# to start a sandbox (its default sandbox network is refused; see scripts/docker-up.sh).
install -d /etc/docker
printf '{\n  "runtimes": { "runsc": { "path": "/usr/bin/runsc", "runtimeArgs": ["--network=none"] } }\n}\n' > /etc/docker/daemon.json
systemctl enable ssh-hostkeys.service ssh.service systemd-networkd.service docker.service containerd.service apparmor.service >/dev/null 2>&1
cat > /etc/systemd/network/50-dhcp.network <<'NET'
[Match]
Name=eth* en*

[Network]
DHCP=ipv4
LinkLocalAddressing=no

[DHCPv4]
ClientIdentifier=mac
NET
# Don't wait for "online": nothing in the box needs more than a DHCP lease.
systemctl mask systemd-networkd-wait-online.service >/dev/null 2>&1
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id

# A serial console, so a TCG boot can be watched (and logged by the gate).
systemctl enable serial-getty@ttyS0.service >/dev/null 2>&1

# GRUB without grub-install (no partition scanning on loop devices): modules under /boot/grub,
# a core image that finds them on (hd0,msdos1), and a hand-written grub.cfg. build.sh writes the
# boot sector and the core image into the raw disk.
mkdir -p /boot/grub/i386-pc
cp /usr/lib/grub/i386-pc/*.mod /usr/lib/grub/i386-pc/*.lst /boot/grub/i386-pc/
grub-mkimage -O i386-pc -o /root/grub-core.img -p '(hd0,msdos1)/boot/grub' \
  biosdisk part_msdos ext2 normal linux configfile search search_fs_uuid echo
cat > /boot/grub/grub.cfg <<CFG
set timeout=1
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry 'Debian 12 (isoprobe box)' {
  search --no-floppy --fs-uuid --set=root $ROOT_UUID
  linux /vmlinuz root=UUID=$ROOT_UUID ro console=tty0 console=ttyS0,115200 net.ifnames=0
  initrd /initrd.img
}
CFG

apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/*.log /tmp/* /root/.bash_history
