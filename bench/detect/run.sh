#!/bin/sh
# The detect benchmark (not a test): finshield scan against LC_ALL=C grep -F -f, rg -F -f and
# grepcidr on a generated mixed log with planted hits, on one core and two; then Sigma on
# process-creation events with SigmaHQ's rules (when FINSHIELD_TEST_DATA has them). Usage:
# bench/detect/run.sh BUILD_DIR
# Sizes: LINES (default 10000000), IOCS (1000000), PROCS (1000000) in the environment.
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work="$here/work"
LINES=${LINES:-10000000}
IOCS=${IOCS:-1000000}
PROCS=${PROCS:-1000000}

# The peers, from Debian.
missing=""
for p in ripgrep grepcidr time python3; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "bench/detect: installing:$missing"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

mkdir -p "$work"
cc -O2 -o "$work/gen" "$here/gen.c"
stamp="$work/data-$LINES-$IOCS-$PROCS"
if [ ! -f "$stamp" ]; then
  rm -f "$work"/data-* "$work"/half*.txt
  echo "bench/detect: generating $LINES lines, $IOCS indicators, $PROCS process events"
  "$work/gen" "$work" "$LINES" "$IOCS" "$PROCS"
  touch "$stamp"
fi

echo "bench/detect: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "bench/detect: $(grep --version | sed -n 1p), $(rg --version | sed -n 1p), grepcidr $(dpkg-query -W -f='${Version}' grepcidr)"
echo "bench/detect: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$root"
# The Sigma part runs SigmaHQ's rule set, a third-party corpus that is not in the project: under
# FINSHIELD_TEST_DATA (default ../shared/data, next to the project); measure.py says so and skips
# that part when it is absent.
python3 "$here/measure.py" "$build/finshield" "$work" "${FINSHIELD_TEST_DATA:-$root/../shared/data}/sigma/rules"
