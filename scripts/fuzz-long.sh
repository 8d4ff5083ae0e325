#!/bin/sh
# Runs every libFuzzer target of a FINSHIELD_FUZZ build for the given seconds, keeping what it
# finds. Usage: scripts/fuzz-long.sh BUILD_DIR SECONDS
#
# The targets are BUILD_DIR/tests/fuzz/<module>/fuzz_<name>; each one's seeds are
# tests/fuzz/corpus/<name>. For each target: BUILD_DIR/fuzz-long/<name>/corpus (what it grew),
# crashes/ (the inputs that crashed it) and fuzz.log (libFuzzer's output). Exits 1 when a target
# crashed (naming each crashing input), when a target could not run, or when there is no target.
set -eu
if [ $# -ne 2 ]; then
  echo "usage: scripts/fuzz-long.sh BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)

# libFuzzer targets only: a build without FINSHIELD_FUZZ has corpus replayers of the same names.
if ! grep -q '^FINSHIELD_FUZZ:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "fuzz: $build is not a FINSHIELD_FUZZ=ON build (no $build/CMakeCache.txt saying so);" \
    "configure it with CC=clang -DFINSHIELD_FUZZ=ON" >&2
  exit 1
fi
targets=$(find "$build/tests/fuzz" -type f -name 'fuzz_*' -perm -u+x 2>/dev/null | sort)
if [ -z "$targets" ]; then
  echo "fuzz: no fuzz target (fuzz_*) under $build/tests/fuzz: build it first" >&2
  exit 1
fi

out="$build/fuzz-long"
mkdir -p "$out"
status=0
count=0
crashed=0
for bin in $targets; do
  name=$(basename "$bin" | sed 's/^fuzz_//')
  count=$((count + 1))
  dir="$out/$name"
  mkdir -p "$dir/corpus" "$dir/crashes"
  set -- "$dir/corpus"
  if [ -d "$root/tests/fuzz/corpus/$name" ]; then
    set -- "$@" "$root/tests/fuzz/corpus/$name"
  fi
  echo "fuzz: $name for ${seconds}s"
  rc=0
  "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$dir/crashes/" "$@" >"$dir/fuzz.log" 2>&1 || rc=$?
  # libFuzzer names each input it keeps for a crash, leak, timeout or out-of-memory.
  found=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$dir/fuzz.log")
  if [ -n "$found" ]; then
    crashed=$((crashed + 1))
    status=1
    what=$(grep -m1 -E '^==[0-9]+==ERROR|^SUMMARY|ERROR: libFuzzer' "$dir/fuzz.log" || true)
    echo "$found" | while IFS= read -r f; do
      echo "fuzz: $name FOUND A CRASH: $f"
    done
    [ -z "$what" ] || echo "fuzz:   $what"
    echo "fuzz:   replay: $bin $(echo "$found" | sed -n 1p); log: $dir/fuzz.log"
  elif [ "$rc" -ne 0 ]; then
    status=1
    echo "fuzz: $name FAILED TO RUN (exit $rc, no crashing input); the end of $dir/fuzz.log:"
    tail -n 5 "$dir/fuzz.log" | sed 's/^/fuzz:   /'
  else
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log")
    echo "fuzz: $name ok, ${runs:-?} runs, corpus $(find "$dir/corpus" -type f | wc -l) inputs"
  fi
done
if [ "$status" -eq 0 ]; then
  echo "fuzz: $count targets, no crash"
else
  echo "fuzz: $count targets, $crashed crashed; see $out"
fi
exit $status
