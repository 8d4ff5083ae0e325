#!/bin/sh
# PostgreSQL benchmark (not a test; #17 Speed): SQLite vs PostgreSQL on one node and PostgreSQL
# with one vs two nodes, in the same run, on a throw-away PostgreSQL cluster (fsync on,
# synchronous_commit on; the settings are printed). Usage: bench/pg/run.sh BUILD_DIR [TOTAL_OBJECTS]
# Environment: READS_ONLY=1 (PostgreSQL's load and reads only), ROUNDS (5), NODE_CORES (0.3: the
# CPU each node may use in the second set of reads, a cgroup each; needs root).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || {
  echo "skipped: PostgreSQL is not installed (Debian's postgresql; scripts/install-deps.sh)"
  exit 0
}
command -v wrk >/dev/null || {
  echo "installing wrk (Debian package)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
}
exec python3 -u "$here/bench.py" "$@"
