#!/usr/bin/env bash
# Guest, as root: run isoprobe against every runtime in this VM and leave the reports in
# /vagrant-reports/MACHINE/ (junit.xml, results.json, matrix.html, matrix.md, plus guest-facts.txt
# and exit-code). Exits with isoprobe's exit code.
#
#   provision.sh MACHINE CGROUP_VERSION(1|2)
#
# Environment: ISOPROBE_RUNTIMES, ISOPROBE_PROFILE, ISOPROBE_CONTROL_TARGETS (1: add the
# docker-privileged control target when docker is tested; 0: not), ISOPROBE_OFFLINE=1 (never touch the network:
# everything must be in the box and the synced tree), ISOPROBE_SYNC_BUILD=1 (the host's build is in
# /isoprobe; otherwise build it here with npm).
set -euo pipefail
machine=${1:?usage: provision.sh MACHINE CGROUP_VERSION}
want_cgroup=${2:?usage: provision.sh MACHINE CGROUP_VERSION}
runtimes=${ISOPROBE_RUNTIMES:-builtin,docker,runc,crun,runsc,docker-runsc,podman,podman-rootless,cri,bwrap,firejail,nspawn,lxc}
profile=${ISOPROBE_PROFILE:-baseline}
offline=${ISOPROBE_OFFLINE:-0}
src=/isoprobe
out=/vagrant-reports/$machine
export DEBIAN_FRONTEND=noninteractive
rm -rf "$out"; mkdir -p "$out"
# Wall time of each step, for the gate's per-stage report (vagrant up alone cannot tell boot
# from provisioning from the suite).
stage_start=$(date +%s)
stage() { local now; now=$(date +%s); echo "guest-stage $1 $((now - stage_start))" >> "$out/guest-stages.txt"; stage_start=$now; }
log() { echo "provision[$machine]: $*"; }
die() { log "$*" >&2; echo 2 > "$out/exit-code"; exit 2; }

# 1. The cgroup layout this machine stands for, or its results would be mislabelled.
fstype=$(stat -fc %T /sys/fs/cgroup)
case "$want_cgroup:$fstype" in
  2:cgroup2fs|1:tmpfs) log "cgroup v$want_cgroup ($fstype on /sys/fs/cgroup)";;
  *) die "expected cgroup v$want_cgroup but /sys/fs/cgroup is $fstype (cmdline: $(cat /proc/cmdline))";;
esac

# 2. Packages: baked into the CI box; on a public box installed now (needs the network).
need=()
for c in docker:docker.io containerd:containerd runc:runc crun:crun runsc:runsc podman:podman newuidmap:uidmap slirp4netns:slirp4netns \
         fuse-overlayfs:fuse-overlayfs bwrap:bubblewrap firejail:firejail \
         systemd-nspawn:systemd-container lxc-execute:lxc /usr/lib/cni/bridge:containernetworking-plugins aa-status:apparmor busybox:busybox-static rsync:rsync ip:iproute2; do
  command -v "${c%%:*}" >/dev/null || need+=("${c#*:}")
done
[ -f /etc/apparmor.d/docker ] || [ -d /sys/kernel/security/apparmor ] || need+=(apparmor)
if [ ${#need[@]} -gt 0 ]; then
  [ "$offline" = 1 ] && die "offline and missing packages: ${need[*]}"
  log "installing ${need[*]}"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  [ "$offline" = 1 ] && die "offline and no Node >= 20 in the box"
  # Debian 12's nodejs is 18; isoprobe needs 20 (package.json engines).
  ver=${ISOPROBE_NODE_VERSION:-20.19.5}
  log "installing Node $ver from nodejs.org"
  command -v curl >/dev/null || apt-get install -y -qq --no-install-recommends curl ca-certificates xz-utils >/dev/null
  curl -fsSL "https://nodejs.org/dist/v$ver/node-v$ver-linux-x64.tar.xz" | tar -xJ -C /usr/local --strip-components=1
fi
# gVisor through Docker: a public box's dockerd does not know runsc; register it as the CI box does.
if command -v runsc >/dev/null && ! grep -qs runsc /etc/docker/daemon.json; then
  [ -s /etc/docker/daemon.json ] && die "/etc/docker/daemon.json exists without runsc: register it by hand (see vagrant/box/configure.sh)"
  install -d /etc/docker
  printf '{\n  "runtimes": { "runsc": { "path": "%s", "runtimeArgs": ["--network=none"] } }\n}\n' "$(command -v runsc)" > /etc/docker/daemon.json
  systemctl restart docker.service >/dev/null 2>&1 || true
fi
systemctl start docker.service >/dev/null 2>&1 || true
stage provision-setup

# 3. isoprobe itself: the host's build synced in (CI), or built here.
cd "$src"
if [ ! -f dist/cli/main.js ] || [ ! -d node_modules ] || [ ! -x probes/build/probe ] || [ ! -x targets/builtin/build/isoprobe-shim ]; then
  [ "$offline" = 1 ] && die "offline and $src has no build (dist/, node_modules/, probe, shim): build on the host and sync it"
  log "building isoprobe in the guest (npm install)"
  apt-get install -y -qq --no-install-recommends npm >/dev/null
  npm install --no-audit --no-fund
fi
# The podman-rootless target's account and subordinate id ranges (set-up, like a package).
case ",$runtimes," in *,podman-rootless,*) bash scripts/rootless-user.sh || die "scripts/rootless-user.sh failed";; esac

# 4. Facts about the guest that explain the matrix, gathered outside isoprobe: each runtime
#    started once by hand (a busybox container), the AppArmor profile Docker applies, whether a
#    --privileged container starts. Bounded: every command has a timeout.
facts=$out/guest-facts.txt
{
  echo "machine: $machine"
  echo "kernel: $(uname -r)"
  echo "cmdline: $(cat /proc/cmdline)"
  echo "cgroup: $fstype ($(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null || find /sys/fs/cgroup -mindepth 1 -maxdepth 1 -printf '%f '))"
  echo "apparmor: $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || echo absent); $(aa-status 2>/dev/null | head -1 || true)"
  echo "node: $(node --version)"
  echo "docker: $(docker version --format '{{.Server.Version}}' 2>&1 | head -1); cgroup driver $(docker info --format '{{.CgroupDriver}} v{{.CgroupVersion}}' 2>&1 | head -1)"
  echo "runc: $(runc --version 2>&1 | head -1)"
  echo "crun: $(crun --version 2>&1 | head -1)"
  echo "runsc: $(runsc --version 2>&1 | head -1)"
  echo "podman: $(podman --version 2>&1 | head -1)"
  echo "containerd: $(containerd --version 2>&1 | head -1)"
} > "$facts"
bundle=$(mktemp -d /tmp/isoprobe-smoke.XXXXXX)
trap 'rm -rf "$bundle"; docker rmi -f isoprobe-smoke/busybox >/dev/null 2>&1 || true' EXIT
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/sys" "$bundle/rootfs/dev"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
ln -s busybox "$bundle/rootfs/bin/sh"
smoke() { # name, command...
  local name=$1; shift
  local o rc
  o=$(timeout 60 "$@" 2>&1) && rc=0 || rc=$?
  echo "smoke $name: exit $rc: $(echo "$o" | tr '\n' ' ' | cut -c1-300)" >> "$facts"
}
for rt in runc crun; do
  (cd "$bundle" && rm -f config.json && "$rt" spec >/dev/null 2>&1 &&
    sed -i -e 's/"terminal": true/"terminal": false/' -e 's#"sh"#"/bin/busybox", "cat", "/proc/self/cgroup"#' config.json) || true
  smoke "$rt run" "$rt" --root "/run/isoprobe-smoke-$rt" run --bundle "$bundle" "smoke-$rt-$$"
  "$rt" --root "/run/isoprobe-smoke-$rt" delete -f "smoke-$rt-$$" >/dev/null 2>&1 || true
  rm -rf "/run/isoprobe-smoke-$rt"
done
if tar -C "$bundle/rootfs" -c . | timeout 60 docker import - isoprobe-smoke/busybox >/dev/null 2>&1; then
  smoke 'docker run (AppArmor profile)' docker run --rm isoprobe-smoke/busybox /bin/busybox cat /proc/self/attr/current
  smoke 'docker run --privileged' docker run --rm --privileged isoprobe-smoke/busybox /bin/busybox sh -c 'cat /proc/self/attr/current; grep CapEff /proc/self/status'
else
  echo "smoke docker: docker import failed" >> "$facts"
fi
sed 's/^/  /' "$facts"
stage provision-facts

# 5. The suite. The guest is where Docker's --privileged can be shown failing (a privileged
#    container on a shared CI host is not the gate's to start), so with docker in the list the run
#    adds a docker-privileged control target: its failures are expected and do not fail the run,
#    but it failing no required check does (README, "Control targets"). --config replaces
#    --runtime, so the config holds the whole list, the runtimes' defaults taken from isoprobe.
config=$out/targets.json
node --input-type=module -e '
  const { targetsFromRuntimes } = await import(process.argv[1]);
  const [runtimes, control] = process.argv.slice(2);
  const targets = targetsFromRuntimes(runtimes.split(","));
  if (control === "1" && targets.some((t) => t.name === "docker"))
    targets.push({ name: "docker-privileged", runtime: "docker", control: true, hostConfig: { Privileged: true } });
  process.stdout.write(JSON.stringify({ targets }, null, 2) + "\n");
' "$src/dist/targets/registry.js" "$runtimes" "${ISOPROBE_CONTROL_TARGETS:-1}" > "$config" || die "cannot write $config"
log "isoprobe run --config $config ($(node -p 'require(process.argv[1]).targets.map((t) => t.name).join(",")' "$config")) --profile $profile --out $out"
set +e
node dist/cli/main.js run --config "$config" --profile "$profile" --out "$out" 2>&1 | tee "$out/isoprobe.log"
rc=${PIPESTATUS[0]}
set -e
stage suite
echo "$rc" > "$out/exit-code"
chmod -R a+rX /vagrant-reports
log "isoprobe exit code $rc"
exit "$rc"
