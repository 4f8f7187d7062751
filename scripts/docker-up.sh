#!/usr/bin/env bash
# A Docker daemon for the tests, and the OCI runtimes and the sandboxes beside it.
#
#   docker-up.sh start STATE   installs docker.io, runc, crun, runsc, podman, the CNI plugins,
#                              bubblewrap, firejail, systemd-nspawn, LXC and Docker's
#                              default seccomp profile when missing (Debian packages), starts dockerd in the
#                              background when no daemon answers on the socket (crun and runsc
#                              registered beside runc), and waits (bounded) until it does. The pid of a dockerd it
#                              started is written to STATE; STATE stays empty when the daemon was
#                              already there, so the caller never stops what it did not start.
#   docker-up.sh stop STATE    stops the dockerd recorded in STATE (SIGTERM, bounded wait, then
#                              SIGKILL) and empties STATE; nothing if STATE is empty.
# Exit 0: a daemon answers (start) or ours is gone (stop); 1: it could not be done (the reason is
# on stderr, with the tail of dockerd's log).
set -euo pipefail

SOCK=/var/run/docker.sock
LOG=/var/log/isoprobe-dockerd.log
PIDFILE=/var/run/docker.pid
CONFIG=/var/run/isoprobe-dockerd.json
WAIT_SEC=60

cmd=${1:-}
state=${2:-}
if [ -z "$cmd" ] || [ -z "$state" ]; then echo "usage: $0 start|stop STATE_FILE" >&2; exit 2; fi

# A daemon answers when GET /_ping says OK; node is what the tests run on anyway.
answers() {
  node -e '
    const req = require("http").get({ socketPath: process.argv[1], path: "/_ping", timeout: 2000 },
      (r) => process.exit(r.statusCode === 200 ? 0 : 1));
    req.on("error", () => process.exit(1));
    req.on("timeout", () => { req.destroy(); process.exit(1); });
  ' "$SOCK" 2>/dev/null
}

install_missing() {
  local need=()
  command -v dockerd >/dev/null || need+=(docker.io)
  command -v runc >/dev/null || need+=(runc)
  command -v crun >/dev/null || need+=(crun)
  # The sandboxes beside the containers (issue 13): bubblewrap, firejail, systemd-nspawn, LXC.
  command -v bwrap >/dev/null || need+=(bubblewrap)
  command -v firejail >/dev/null || need+=(firejail)
  command -v systemd-nspawn >/dev/null || need+=(systemd-container)
  command -v lxc-execute >/dev/null || need+=(lxc)
  command -v runsc >/dev/null || need+=(runsc)
  command -v podman >/dev/null || need+=(podman)
  # Rootless Podman's helpers: the id-mapping setuid tools and its user-mode network.
  command -v newuidmap >/dev/null || need+=(uidmap)
  command -v slirp4netns >/dev/null || need+=(slirp4netns)
  [ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
  # Docker's default seccomp profile of the packaged release, which conformance.seccomp compares
  # with the filter a container gets (targets/docker/seccomp-profile.ts).
  [ -f /usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json ] || need+=(golang-github-docker-docker-dev)
  [ ${#need[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || { echo "docker-up: ${need[*]} missing and not root: cannot install" >&2; return 1; }
  echo "docker-up: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends: the daemon needs containerd and runc (Depends), not the extras.
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

# The daemon's runtimes beside runc, so a target can ask for "dockerRuntime": "crun" or "runsc".
# runsc's flag is the one setting isoprobe requests of gVisor through Docker: the packaged runsc
# (20221219) refuses its default sandbox network in the root network namespace on this kernel
# (issue 12), so --network=none is what a user of this package registers too. Its own file, so
# the host's /etc/docker/daemon.json is neither read nor changed.
write_daemon_config() {
  node -e '
    const [file, crun, runsc] = process.argv.slice(1);
    const runtimes = { crun: { path: crun }, runsc: { path: runsc, runtimeArgs: ["--network=none"] } };
    require("fs").writeFileSync(file, JSON.stringify({ runtimes }, null, 2) + "\n");
  ' "$CONFIG" "$(command -v crun)" "$(command -v runsc)"
}

start() {
  : >"$state"
  install_missing
  if answers; then
    echo "docker-up: a Docker daemon already answers on $SOCK (left as it is)" >&2
    return 0
  fi
  echo "docker-up: starting dockerd (log: $LOG)" >&2
  write_daemon_config
  # Its own session: a Ctrl-C meant for the tests does not take it down half-way; `stop` does.
  setsid dockerd --host "unix://$SOCK" --pidfile "$PIDFILE" --config-file "$CONFIG" >"$LOG" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$state"
  for _ in $(seq $((WAIT_SEC * 5))); do
    if answers; then
      # setsid may have forked: the daemon's own pid file is the pid to stop later.
      pid=$(cat "$PIDFILE" 2>/dev/null || echo "$pid")
      echo "$pid" >"$state"
      echo "docker-up: dockerd $pid answers on $SOCK" >&2
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "docker-up: dockerd did not answer on $SOCK within ${WAIT_SEC}s; its log ends:" >&2
  tail -n 15 "$LOG" >&2 || true
  stop
  return 1
}

stop() {
  local pid
  pid=$(cat "$state" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null && grep -q dockerd "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid"
    # dockerd stops its containers and its own containerd first: give it time, then insist.
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    echo "docker-up: stopped dockerd $pid" >&2
  fi
  rm -f "$CONFIG"
  : >"$state"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop STATE_FILE" >&2; exit 2 ;;
esac
