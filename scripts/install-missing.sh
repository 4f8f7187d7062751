# shellcheck shell=bash
# Sourced by the scripts that install Debian packages when they are missing (system-deps.sh,
# lint-c.sh): install_missing WHO HINT PACKAGE... installs the packages as root, or says which are
# missing and returns 2 when not root. Nothing to do when no package is named.
install_missing() {
  local who=$1 hint=$2
  shift 2
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ]; then
    echo "$who: missing ${hint}packages ($*); run ${hint:+npm install }as root or install them" >&2
    return 2
  fi
  echo "$who: installing $*" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
