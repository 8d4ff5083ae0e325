#!/bin/sh
# Bundle benchmark (not a test): `finshield intel import` of one STIX bundle of N indicators
# (default 1,000,000, about 460 MB; bench/taxii/gen.py's objects) into a fresh hub: objects per
# second and per CPU second, peak memory, database size and the rows that serve correlation,
# against the TAXII ingest's 50,000 objects per second (#15). Then the same file again (every
# object already stored). Usage: bench/bundle/run.sh BUILD_DIR [N]
set -eu
build=$(cd "$1" && pwd)
n=${2:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
work="$here/work"
bin="$build/finshield"
rm -rf "$work"
mkdir -p "$work"
export FINSHIELD_LANG=en

echo "== machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== generating a bundle of $n indicators"
python3 "$here/../taxii/gen.py" "$n" bundle bundle > "$work/bundle.json"
bytes=$(wc -c < "$work/bundle.json")
echo "   $bytes bytes"

"$bin" init --data "$work/hub" > /dev/null 2>&1
printf '[log]\nlevel = warn\n[intel]\nimport_max_bytes = %s\n' $((bytes + 1048576)) \
  >> "$work/hub/finshield.ini"

run() { # label: one import, timed
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" \
    "$bin" intel import "$work/bundle.json" --data "$work/hub" --quiet > "$work/out" 2> "$work/err" ||
    { cat "$work/err"; exit 1; }
  python3 - "$1" "$n" "$work/time" "$work/out" <<'PY'
import sys
label, n = sys.argv[1], int(sys.argv[2])
wall, user, sys_, rss = open(sys.argv[3]).read().split()[-4:]
wall, cpu = float(wall), float(user) + float(sys_)
print(f"== {label}: {open(sys.argv[4]).read().strip()}")
print(f"   {wall:.1f} s wall, {cpu:.1f} s CPU ({float(user):.1f} user + {float(sys_):.1f} sys)"
      f" -> {n / wall:,.0f} objects/s, {n / cpu:,.0f} per CPU second"
      f" (goal: 50,000, the TAXII ingest's); peak memory {int(rss) / 1024:,.0f} MiB")
PY
}

run "import into a fresh hub"
python3 - "$work/hub" <<'PY'
import glob, os, sqlite3, sys
hub = sys.argv[1]
db = os.path.join(hub, "hub.db")
size = sum(os.path.getsize(f) for f in glob.glob(db + "*"))
c = sqlite3.connect(db)
rows = {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("intel_object", "intel_entry", "intel_observable")}
print(f"   database {size / 2**20:,.0f} MiB; rows: " + ", ".join(f"{t} {v:,}" for t, v in rows.items()))
print("   correlation rows (intel_observable: a value an object mentions, what search and correlate"
      f" walk): {rows['intel_observable'] / max(rows['intel_object'], 1):.2f} an object"
      " (the exports' intel_ioc is filled by the first export, not by the import)")
PY
run "the same bundle again (every object already present)"
