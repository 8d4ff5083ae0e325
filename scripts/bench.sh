#!/bin/sh
# Runs every benchmark under bench/ (each bench/<name>/run.sh takes the build folder).
set -eu
build=$1
root=$(cd "$(dirname "$0")/.." && pwd)
for run in "$root"/bench/*/run.sh; do
  [ -x "$run" ] || continue
  echo "== $(basename "$(dirname "$run")")"
  "$run" "$root/$build"
done
