#!/bin/sh
# The soc benchmark (not a test): memory of 250 syslog TCP connections while open and after they
# closed, with few records each, many, a long record each, and many with the SigmaHQ rules;
# rsyslogd (imtcp) as the peer. Usage: bench/soc/run.sh BUILD_DIR
# N (default 250) connections; PEERS=no leaves rsyslogd out.
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${N:-250}
cd "$root"
LINES=5 python3 "$here/connections.py" "$build/finshield" "$N"
LINES=2000 python3 "$here/connections.py" "$build/finshield" "$N"
LINES=5 LONG=1 python3 "$here/connections.py" "$build/finshield" "$N"
# The SigmaHQ rules are a third-party corpus outside the clone (FINSHIELD_TEST_DATA, default
# ../shared/data next to the project): without it that row is skipped, and said so.
rules="${FINSHIELD_TEST_DATA:-$root/../shared/data}/sigma/rules"
if [ -d "$rules" ]; then
  LINES=2000 RULES="$rules" python3 "$here/connections.py" "$build/finshield" "$N"
else
  echo "soc bench: skipping the row with the SigmaHQ rules: $rules not found (set FINSHIELD_TEST_DATA)"
fi
