#!/usr/bin/env bash
# Pairs of concurrent runs (issue 10): `isoprobe run --runtime builtin,docker` twice at once, PAIRS
# times one pair after another, and counts cross-reaps (a run saying it removed what an earlier,
# killed run left: with no run killed, that is one run reaping another; expected 0) and passes
# (a run passes when it ends as a lone run does: the same exit status and the same totals line,
# "0 error" in it; a finding such as Docker's seccomp letting io_uring_setup through fails a
# check in every run alike). Long, so not part of `npm test`; run it under the e2e lock:
#   flock /tmp/isoprobe-e2e.lock bash scripts/concurrent-pairs.sh [PAIRS] [MAX_SECONDS]
# It stops starting pairs after MAX_SECONDS (default: no bound) and says how many it ran.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-50}
max_seconds=${2:-0}
runtimes=${RUNTIMES:-builtin,docker}
work=$(mktemp -d /tmp/isoprobe-pairs-XXXXXX)
trap 'rm -rf "$work"' EXIT
node dist/cli/main.js run --runtime "$runtimes" --out "$work/lone" >"$work/lone.out" 2>"$work/lone.err" && lone_code=0 || lone_code=$?
lone_totals=$(grep '^Totals:' "$work/lone.out" || true)
echo "lone run: exit $lone_code, $lone_totals"
case $lone_totals in *", 0 error"*) ;; *) echo "the lone run has errors: fix the environment first" >&2; exit 2 ;; esac
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
    totals=$(grep '^Totals:' "$work/$i$side.out" || true)
    ok=no
    if ((code == lone_code)) && [ "$totals" = "$lone_totals" ]; then
      ok=yes
      passed=$((passed + 1))
    fi
    reaped=no
    if grep -q 'removed what an earlier, killed run left behind' "$work/$i$side.err"; then
      reaped=yes
      cross=$((cross + 1))
    fi
    line="$line $side exit $code, as the lone run $ok, cross-reap $reaped;"
    if [ $ok = no ]; then line="$line [$totals $(grep -m1 -E 'ERROR|error:' "$work/$i$side.out" "$work/$i$side.err" | cut -c1-200)]"; fi
  done
  ran=$i
  echo "$line"
done
echo "pairs run: $ran of $pairs in $((SECONDS - start)) s; runs passed: $passed of $runs; cross-reaps: $cross (expected 0)"
if ((cross > 0 || passed != runs)); then exit 1; fi
