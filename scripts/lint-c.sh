#!/usr/bin/env bash
# C lint, for CI and by hand: every tracked (or new, not ignored) .c/.h file of the repository
#   1. is formatted as its .clang-format says (the root one; targets/builtin/ has its own),
#   2. compiles with the build's flags (-O2 -Wall -Wextra -Werror) and the stricter warnings below
#      (each .c as in its Makefile; each .h on its own, so a header includes what it uses),
#   3. passes cppcheck (warning, style, performance, portability).
# Exit 0 when all is clean, 1 on any finding, 2 when a tool is missing and cannot be installed.
# The formatter is Debian 12's clang-format (14); another version may format a few lines otherwise.
#
# Usage: bash scripts/lint-c.sh          check only
#        bash scripts/lint-c.sh --fix    reformat the files in place first, then check
set -euo pipefail
cd "$(dirname "$0")/.."

fix=0
case "${1:-}" in
  '') ;;
  --fix) fix=1 ;;
  *) echo "usage: bash scripts/lint-c.sh [--fix]" >&2; exit 2 ;;
esac

# Installed as scripts/system-deps.sh installs the build's packages (scripts/install-missing.sh).
need=()
command -v clang-format >/dev/null || need+=(clang-format)
command -v cppcheck >/dev/null || need+=(cppcheck)
command -v gcc >/dev/null || need+=(gcc)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
# shellcheck source=scripts/install-missing.sh
. scripts/install-missing.sh
install_missing lint-c '' "${need[@]}" || exit $?

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' | sort -u)
else # an unpacked tarball: every C file outside the dependencies and build outputs
  mapfile -t files < <(find . \( -name node_modules -o -name build -o -name dist -o -name .git \) -prune -o \
    -type f \( -name '*.c' -o -name '*.h' \) -printf '%P\n' | sort)
fi
[ ${#files[@]} -gt 0 ] || { echo "lint-c: no C files found" >&2; exit 2; }
sources=() headers=()
for f in "${files[@]}"; do
  case "$f" in *.c) sources+=("$f") ;; *.h) headers+=("$f") ;; esac
done

failed=()

if [ "$fix" = 1 ]; then clang-format -i "${files[@]}"; fi
if clang-format --dry-run --Werror "${files[@]}"; then
  echo "lint-c: clang-format: ${#files[@]} files formatted"
else
  failed+=(clang-format)
fi

# Beyond the build's flags: the ones this code is clean under and that catch real slips
# (a missing prototype is an extern function no header declares: a forgotten static).
warnings=(-Wall -Wextra -Werror -Wshadow -Wformat=2 -Wundef -Wstrict-prototypes -Wmissing-prototypes
  -Wpointer-arith -Wcast-qual -Wwrite-strings -Wduplicated-cond -Wlogical-op -Wredundant-decls)
compile_failed=0
for f in "${sources[@]}"; do
  "${CC:-gcc}" -O2 "${warnings[@]}" -c -o /dev/null "$f" || compile_failed=1
done
for h in "${headers[@]}"; do
  "${CC:-gcc}" -O2 "${warnings[@]}" -fsyntax-only -x c "$h" || compile_failed=1
done
if [ "$compile_failed" = 0 ]; then
  echo "lint-c: gcc: ${#sources[@]} sources and ${#headers[@]} headers compile without a warning"
else
  failed+=(gcc)
fi

# One configuration, the one that is built (harden.c refuses an architecture it has no filter for).
if cppcheck --quiet --error-exitcode=1 --inline-suppr --std=c11 --platform=unix64 -D__x86_64__ \
  --enable=warning,style,performance,portability "${sources[@]}"; then
  echo "lint-c: cppcheck: no finding"
else
  failed+=(cppcheck)
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "lint-c: FAILED: ${failed[*]}" >&2
  exit 1
fi
