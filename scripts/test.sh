#!/usr/bin/env bash
# The project's tests: unit tests and the end-to-end runs on real containers (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || { echo "isoprobe: run 'npm install' first" >&2; exit 2; }
npm run --silent build
# Docker and the OCI runtimes for the integration tests; a dockerd started here is stopped here.
docker_state=$(mktemp)
trap 'bash scripts/docker-up.sh stop "$docker_state"; rm -f "$docker_state"' EXIT
if ! bash scripts/docker-up.sh start "$docker_state"; then
  export ISOPROBE_DOCKER_UNAVAILABLE="scripts/docker-up.sh could not provide a Docker daemon (its reason is printed above the test output)"
fi
# mocha adds the spec files named on its command line to those of .mocharc.json, so the config names
# none (`npx mocha FILE` runs FILE alone) and the whole suite is the default here.
spec=false
for a in "$@"; do case $a in dist/*|./dist/*) spec=true ;; esac; done
$spec || set -- "$@" 'dist/test/**/*.test.js'
status=0
npx mocha "$@" || status=$?
exit "$status"
