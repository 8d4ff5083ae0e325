#!/bin/sh
# lint.format: every C file under src/ and tests/ is as clang-format (.clang-format at the root)
# writes it. A failure names each file and shows the change; `scripts/format-check.sh --fix`
# formats them. Without clang-format the check is skipped (exit 77, CTest's SKIP) unless CI=true.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fmt=$(command -v clang-format || command -v clang-format-14 || true)
if [ -z "$fmt" ]; then
  echo "lint.format: clang-format is not installed (scripts/install-deps.sh installs it)"
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
files=$(find src tests -name '*.[ch]' | sort)
if [ "${1:-}" = --fix ]; then
  echo "$files" | xargs "$fmt" -i
  exit 0
fi
bad=0
for f in $files; do
  if ! "$fmt" --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "$f: not formatted; run scripts/format-check.sh --fix (or clang-format -i $f)"
    "$fmt" "$f" | diff -u "$f" - | head -20 || true
    bad=$((bad + 1))
  fi
done
if [ "$bad" -gt 0 ]; then
  echo "lint.format: $bad file(s) not formatted"
  exit 1
fi
echo "ok: $(echo "$files" | wc -l) files formatted as .clang-format says"
