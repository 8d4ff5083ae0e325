#!/bin/sh
# TAXII benchmark (not a test): ingest of a 100,000-indicator envelope POSTed to the embedded store
# (objects/s, CPU, peak memory); paging through 1,000,000 objects (cost of the first, middle and
# last page); and wrk on a page of 1,000 objects against nginx serving the same bytes as a static
# file, in the same run. Usage: bench/taxii/run.sh BUILD_DIR [TOTAL_OBJECTS]
set -eu
build=$(cd "$1" && pwd)
total=${2:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
work="$here/work"
bin="$build/finshield"
command -v nginx >/dev/null && command -v wrk >/dev/null || {
  echo "installing nginx and wrk (Debian packages)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null
}
rm -rf "$work"
mkdir -p "$work"
export FINSHIELD_LANG=en
cpu() { awk '{printf "%.2f", ($14+$15)/100}' "/proc/$1/stat"; }
now() { date +%s.%N; }

echo "== machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== generating data"
python3 "$here/gen.py" 100000 bench > "$work/100k.json"
echo "   100,000 indicators, $(wc -c < "$work/100k.json") bytes"

token=$("$bin" init --data "$work/hub" 2>/dev/null)
printf '[http]\naccess_log = off\nthreads = 4\nrate_per_second = 0\n[log]\nlevel = warn\n[taxii]\nmax_content_length = 268435456\n' \
  > "$work/hub/finshield.ini"
"$bin" serve --data "$work/hub" --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null; kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true' EXIT
sleep 1
url=$(grep -o 'http://[^ ]*' "$work/serve.out" | head -1 | sed 's,/$,,')
accept="Accept: application/taxii+json;version=2.1"
ctype="Content-Type: application/taxii+json;version=2.1"
post() { curl -s -o "$work/status.json" -X POST -H "$accept" -H "$ctype" -u "bench:$token" \
  "$url/taxii2/hub/collections/sector/objects/" --data-binary @"$1"; }

echo "== ingest: one POST of 100,000 indicators"
c0=$(cpu $pid); t0=$(now)
post "$work/100k.json"
t1=$(now); c1=$(cpu $pid)
python3 - "$work/status.json" "$t0" "$t1" "$c0" "$c1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); wall = float(sys.argv[3]) - float(sys.argv[2]); cpu = float(sys.argv[5]) - float(sys.argv[4])
print(f"   stored {s['success_count']} of {s['total_count']}; {wall:.2f} s wall, {cpu:.2f} s CPU"
      f" -> {s['success_count']/wall:,.0f} objects/s ({s['success_count']/cpu:,.0f} per CPU second)")
PY
echo "   peak memory of serve: $(awk '/VmHWM/{print $2, $3}' /proc/$pid/status)"

echo "== loading to $total objects"
i=1
while [ $((i * 100000)) -lt "$total" ]; do
  python3 "$here/gen.py" 100000 "bench$i" > "$work/more.json"
  post "$work/more.json"
  i=$((i + 1))
done
echo "   $(python3 -c "import json;print(json.load(open('$work/status.json'))['success_count'])") in the last POST; database $(du -h "$work/hub/hub.db" | cut -f1)"

echo "== paging through all objects, 1,000 a page"
python3 - "$url" "$token" "$work" <<'PY'
import base64, json, sys, time, urllib.parse, urllib.request
url, token, work = sys.argv[1], sys.argv[2], sys.argv[3]
auth = "Basic " + base64.b64encode(f"bench:{token}".encode()).decode()
nxt, costs, n = None, [], 0
while True:
    u = url + "/taxii2/hub/collections/sector/objects/?limit=1000" + (f"&next={urllib.parse.quote(nxt)}" if nxt else "")
    req = urllib.request.Request(u, headers={"Accept": "application/taxii+json;version=2.1", "Authorization": auth})
    t = time.perf_counter()
    body = urllib.request.urlopen(req).read()
    costs.append(time.perf_counter() - t)
    env = json.loads(body)
    n += len(env["objects"])
    if len(costs) == 1:
        open(f"{work}/page1.json", "wb").write(body)
    if not env["more"]:
        break
    nxt = env["next"]
mid = costs[len(costs) // 2]
s = sorted(costs)
print(f"   {n:,} objects in {len(costs)} pages; first page {costs[0]*1000:.1f} ms, middle {mid*1000:.1f} ms,"
      f" last {costs[-1]*1000:.1f} ms; median {s[len(s)//2]*1000:.1f} ms, p95 {s[int(len(s)*0.95)]*1000:.1f} ms")
PY

echo "== serving a page of 1,000 objects: finshield vs nginx on the same bytes"
mkdir -p "$work/www"
cp "$work/page1.json" "$work/www/page.json"
cat > "$work/nginx.conf" <<NGX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  server { listen 127.0.0.1:18099; root $work/www; default_type application/taxii+json; }
}
NGX
nginx -c "$work/nginx.conf"
sleep 0.5
b64=$(printf 'bench:%s' "$token" | base64 -w0)
page="$url/taxii2/hub/collections/sector/objects/?limit=1000"
echo "   finshield: $page"
wrk -t2 -c16 -d10s -H "$accept" -H "Authorization: Basic $b64" "$page" | tee "$work/wrk-finshield.txt" | grep -E "Requests/sec|Latency|Transfer|Non-2xx"
echo "   nginx: static file of $(wc -c < "$work/www/page.json") bytes"
wrk -t2 -c16 -d10s "http://127.0.0.1:18099/page.json" | tee "$work/wrk-nginx.txt" | grep -E "Requests/sec|Latency|Transfer|Non-2xx"
python3 - "$work" <<'PY'
import re, sys
w = sys.argv[1]
f = float(re.search(r"Requests/sec:\s+([\d.]+)", open(f"{w}/wrk-finshield.txt").read()).group(1))
n = float(re.search(r"Requests/sec:\s+([\d.]+)", open(f"{w}/wrk-nginx.txt").read()).group(1))
print(f"   ratio finshield/nginx: {f/n:.2f} ({f:,.0f} vs {n:,.0f} pages/s)")
PY
