#!/bin/sh
# The portal benchmark (not a test): page and request times of the portal on the 376-member sample
# sector, and the alert list with 100,000 alerts, in Debian's chromium (bench/portal/measure.mjs).
# Usage: bench/portal/run.sh BUILD_DIR   (ALERTS=N for another number of alerts)
set -eu
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -d "$root/web/node_modules/playwright-core" ] || [ ! -x /usr/bin/chromium ]; then
  echo "portal bench: skipped: chromium or web/node_modules missing (scripts/install-deps.sh)"
  exit 0
fi
exec node "$root/bench/portal/measure.mjs" "$build/finshield"
