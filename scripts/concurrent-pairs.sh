#!/usr/bin/env bash
# Pairs of concurrent runs (issue 10): `isoprobe run --runtime builtin,docker` twice at once, PAIRS
# times one pair after another, and counts cross-reaps (a run saying it removed what an earlier,
# killed run left: with no run killed, that is one run reaping another; expected 0) and passes
# (exit 0; expected every run). Long, so not part of `npm test`; run it under the e2e lock:
#   flock /tmp/isoprobe-e2e.lock bash scripts/concurrent-pairs.sh [PAIRS] [MAX_SECONDS]
# It stops starting pairs after MAX_SECONDS (default: no bound) and says how many it ran.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-50}
max_seconds=${2:-0}
runtimes=${RUNTIMES:-builtin,docker}
work=$(mktemp -d /tmp/isoprobe-pairs-XXXXXX)
trap 'rm -rf "$work"' EXIT
start=$SECONDS
ran=0 passed=0 runs=0 cross=0
for ((i = 1; i <= pairs; i++)); do
  if ((max_seconds > 0 && SECONDS - start >= max_seconds)); then break; fi
  for side in a b; do
    node dist/cli/main.js run --runtime "$runtimes" --out "$work/$i$side" >"$work/$i$side.out" 2>"$work/$i$side.err" &
    echo $! >"$work/$i$side.pid"
  done
  line="pair $i:"
  for side in a b; do
    code=0
    wait "$(cat "$work/$i$side.pid")" || code=$?
    runs=$((runs + 1))
    if ((code == 0)); then passed=$((passed + 1)); fi
    reaped=no
    if grep -q 'removed what an earlier, killed run left behind' "$work/$i$side.err"; then
      reaped=yes
      cross=$((cross + 1))
    fi
    line="$line $side exit $code, cross-reap $reaped;"
    if ((code != 0)); then line="$line [$(tail -n 3 "$work/$i$side.err" "$work/$i$side.out" | tr '\n' ' ' | cut -c1-300)]"; fi
  done
  ran=$i
  echo "$line"
done
echo "pairs run: $ran of $pairs in $((SECONDS - start)) s; runs passed: $passed of $runs; cross-reaps: $cross (expected 0)"
if ((cross > 0 || passed != runs)); then exit 1; fi
