#!/usr/bin/env bash
# The project's tests: unit tests and the end-to-end runs on real containers (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || { echo "isoprobe: run 'npm install' first" >&2; exit 2; }
npm run --silent build
exec npx mocha "$@"
