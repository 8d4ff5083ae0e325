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
LINES=2000 RULES=../shared/data/sigma/rules python3 "$here/connections.py" "$build/finshield" "$N"
