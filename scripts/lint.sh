#!/usr/bin/env bash
# The project's formatter and linters, as CI runs them (.ci/run): Biome checks the TypeScript's
# format and lint rules (biome.jsonc), shellcheck the shell scripts, scripts/lint-c.sh the C when
# it is there. Every linter runs, so one log shows all findings; exit 1 on any, 2 when a tool is
# missing and cannot be installed. Apply the formatter with: npx biome format --write .
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
[ -x node_modules/.bin/biome ] || { echo "lint: node_modules/.bin/biome missing: run 'npm install' first" >&2; exit 2; }
# CI starts from a fresh clone on a machine that may lack shellcheck (a Debian package).
if ! command -v shellcheck >/dev/null; then
  echo "lint: installing shellcheck" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck >/dev/null; } ||
    { echo "lint: shellcheck is missing and could not be installed" >&2; exit 2; }
fi

status=0
echo "lint: biome check (format + lint) $(node_modules/.bin/biome --version)"
node_modules/.bin/biome check . || status=1

shells=(scripts/*.sh .ci/run test/support/lossy-runtime/lossy-runc)
while IFS= read -r f; do shells+=("$f"); done < <(find vagrant -name '*.sh' -not -path 'vagrant/.cache/*' -not -path 'vagrant/.vagrant/*' | sort)
echo "lint: $(shellcheck --version | sed -n 's/^version: /shellcheck /p') on ${#shells[@]} scripts"
if shellcheck -x "${shells[@]}"; then echo "lint: shellcheck: no findings"; else status=1; fi

if [ -f scripts/lint-c.sh ]; then
  echo "lint: scripts/lint-c.sh"
  bash scripts/lint-c.sh || { rc=$?; [ "$rc" -gt "$status" ] && status=$rc; }
fi
if [ "$status" = 0 ]; then echo "lint: clean"; else echo "lint: findings above" >&2; fi
exit "$status"
