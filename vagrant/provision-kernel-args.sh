#!/usr/bin/env bash
# Guest, as root: make sure the kernel command line has ARG (e.g. systemd.unified_cgroup_hierarchy=0).
# Already there (direct kernel boot, or after the reboot this provisioner asks for): nothing to do.
# Otherwise add it to GRUB's default command line; Vagrant reboots the machine afterwards.
set -euo pipefail
arg=${1:?usage: provision-kernel-args.sh ARG}
if tr ' ' '\n' < /proc/cmdline | grep -qxF -- "$arg"; then
  echo "kernel command line already has $arg"
  exit 0
fi
if [ ! -f /etc/default/grub ] || ! command -v update-grub >/dev/null; then
  echo "no GRUB configuration to put $arg in; boot this machine with it on the command line" >&2; exit 1
fi
sed -i -E "s/^(GRUB_CMDLINE_LINUX=\")/\1$arg /" /etc/default/grub
grep -q "^GRUB_CMDLINE_LINUX=\".*$arg" /etc/default/grub || echo "GRUB_CMDLINE_LINUX=\"$arg\"" >> /etc/default/grub
update-grub
echo "added $arg to GRUB; rebooting"
