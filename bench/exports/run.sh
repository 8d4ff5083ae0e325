#!/bin/sh
# Exports benchmark (not a test): N indicators (default 1,000,000, IPv4, TLP:GREEN) stored through
# TAXII, then the firewall-list export (the first one also fills intel_ioc; then warm), over the
# CLI and over REST, the 304 revalidation, and the peer: the sqlite3 CLI producing the same list
# from the same database with one query (MISP's and OpenCTI's exports cannot run here: they need
# their whole stacks, which Debian does not package). Usage: bench/exports/run.sh BUILD_DIR [N]
set -eu
build=$(cd "$1" && pwd)
total=${2:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
work="$here/work"
bin="$build/finshield"
command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
rm -rf "$work"
mkdir -p "$work"
export FINSHIELD_LANG=en
now() { date +%s.%N; }
el() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f} s')" "$1" "$2"; }

echo "== machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
token=$("$bin" init --data "$work/hub" 2>/dev/null)
printf '[http]\naccess_log = off\nrate_per_second = 0\n[log]\nlevel = warn\n[taxii]\nmax_content_length = 268435456\n' \
  > "$work/hub/finshield.ini"
"$bin" serve --data "$work/hub" --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 1
url=$(grep -o 'http://[^ ]*' "$work/serve.out" | head -1 | sed 's,/$,,')
echo "== storing $total indicators (TAXII POSTs of 100,000)"
i=0
while [ "$i" -lt "$total" ]; do
  n=$((total - i < 100000 ? total - i : 100000))
  python3 "$here/gen.py" "$n" "$i" > "$work/part.json"
  curl -s -o /dev/null -X POST -u "bench:$token" -H "Accept: application/taxii+json;version=2.1" \
    -H "Content-Type: application/taxii+json;version=2.1" \
    "$url/taxii2/hub/collections/sector/objects/" --data-binary @"$work/part.json"
  i=$((i + n))
done
echo "   database $(du -h "$work/hub/hub.db" | cut -f1)"

echo "== first export (fills intel_ioc from intel_object, then exports)"
t0=$(now); "$bin" intel export --format ips --data "$work/hub" -o "$work/ips-1.txt" 2>/dev/null; t1=$(now)
echo "   CLI: $(wc -l < "$work/ips-1.txt") lines in $(el "$t0" "$t1")"
echo "== warm exports (the goal: under 1 s)"
for k in 1 2 3; do
  /usr/bin/time -f "%U %S" -o "$work/time" "$bin" intel export --format ips --data "$work/hub" -o "$work/ips.txt" 2>/dev/null
  echo "   CLI run $k: $(wc -l < "$work/ips.txt") lines, $(awk '{printf "%.2f s CPU (user %s + sys %s)", $1 + $2, $1, $2}' "$work/time") (opening the hub included)"
done
cmp -s "$work/ips-1.txt" "$work/ips.txt" && echo "   same bytes every time"
echo "== REST: one export, then revalidations"
python3 "$here/revalidate.py" "$url" "$token" ips 1000 "$pid"
echo "== peer: sqlite3 CLI, one query, same database"
for k in 1 2 3; do
  /usr/bin/time -f "%U %S" -o "$work/time" sqlite3 "$work/hub/hub.db" "SELECT value FROM intel_ioc WHERE kind IN (0, 1) GROUP BY value ORDER BY MIN(seq)" > "$work/peer.txt"
  echo "   sqlite3 run $k: $(wc -l < "$work/peer.txt") lines, $(awk '{printf "%.2f s CPU (user %s + sys %s)", $1 + $2, $1, $2}' "$work/time") (no visibility, no expiry: a lower bound)"
done
cmp -s "$work/peer.txt" "$work/ips.txt" && echo "   the peer's list is the same bytes" || echo "   the peer's list differs (order or content)"
