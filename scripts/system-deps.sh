#!/usr/bin/env bash
# Installs the Debian packages the build and the suite need. Runs as npm's preinstall so that
# `npm install` on a fresh Debian 12 machine is the only set-up step.
set -euo pipefail
need=()
command -v gcc >/dev/null || need+=(gcc libc6-dev)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
[ -x /bin/busybox ] && file_is_static=$(ldd /bin/busybox 2>&1 | grep -c 'not a dynamic' || true) || file_is_static=0
[ "${file_is_static:-0}" -gt 0 ] || need+=(busybox-static)
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v ip >/dev/null || need+=(iproute2)
command -v make >/dev/null || need+=(make)
# shellcheck source=scripts/install-missing.sh
. "$(dirname "$0")/install-missing.sh"
install_missing isoprobe 'system ' "${need[@]}"
