#!/bin/sh
# lint.format: every C file under src/, tests/ and bench/ is as clang-format (.clang-format at the
# root) writes it. A failure names each file and shows the change; `scripts/format-check.sh --fix`
# (or `make format`) formats them. Without clang-format the check is skipped (exit 77, CTest's
# SKIP) unless CI=true.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fmt=$(command -v clang-format || command -v clang-format-14 || true)
if [ -z "$fmt" ]; then
  echo "lint.format: clang-format is not installed (scripts/install-deps.sh installs it)"
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
files=$(find src tests bench -name '*.[ch]' | sort)
if [ "${1:-}" = --fix ]; then
  echo "$files" | xargs "$fmt" -i
  exit 0
fi
# One clang-format for every file; its diagnostics name the files that drift.
out=$(echo "$files" | xargs "$fmt" --dry-run 2>&1) || {
  echo "$out" | head -20
  echo "lint.format: clang-format failed"
  exit 1
}
bad=$(echo "$out" | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning: .*/\1/p' | sort -u)
if [ -n "$bad" ]; then
  for f in $bad; do
    echo "$f: not formatted; run scripts/format-check.sh --fix (or clang-format -i $f)"
    "$fmt" "$f" | diff -u "$f" - | head -20 || true
  done
  echo "lint.format: $(echo "$bad" | wc -l) file(s) not formatted"
  exit 1
fi
echo "ok: $(echo "$files" | wc -l) files formatted as .clang-format says"
