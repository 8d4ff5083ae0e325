#!/bin/sh
# Runs every libFuzzer target of a FINSHIELD_FUZZ build for the given seconds, keeping what it
# finds. Usage: scripts/fuzz-long.sh BUILD_DIR SECONDS
set -eu
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
out="$build/fuzz-long"
mkdir -p "$out"
status=0
for bin in "$build"/tests/fuzz/fuzz_*; do
  name=$(basename "$bin" | sed 's/^fuzz_//')
  mkdir -p "$out/$name/corpus" "$out/$name/crashes"
  echo "fuzz: $name for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="$out/$name/crashes/" "$out/$name/corpus" "$root/tests/fuzz/corpus/$name"; then
    echo "fuzz: $name FOUND A CRASH, see $out/$name/crashes"
    status=1
  fi
done
exit $status
