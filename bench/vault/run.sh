#!/bin/sh
# Vault benchmark: finshield vault against restic (0.14, --compression auto, repository v2) and
# borg (1.2, repokey, zstd,3) on the same deterministic critical-data exports, in the same run.
#   bench/vault/run.sh BUILD_DIR
# Environment: VAULT_BENCH_ACCOUNTS (default 5000000, about 1 GB a day), VAULT_BENCH_DAYS (daily
# deposits after the first, default 30), VAULT_BENCH_DIR (work folder, default
# /tmp/finshield-vault-bench; needs about 25 GB at full size), VAULT_BENCH_KDF (the repository's
# Argon2id cost: moderate, the default of `vault init`, or interactive), VAULT_BENCH_UNLOCK (how
# every finshield command opens the repository: password, the default, or keyfile: a key file
# made by `vault key add`, no key derivation). Prints one line per measurement and a summary with
# the ratios; peak memory comes from /usr/bin/time -v.
set -eu

build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
accounts=${VAULT_BENCH_ACCOUNTS:-5000000}
days=${VAULT_BENCH_DAYS:-30}
work=${VAULT_BENCH_DIR:-/tmp/finshield-vault-bench}
kdf=${VAULT_BENCH_KDF:-moderate}
unlock=${VAULT_BENCH_UNLOCK:-password}
fs="$build/finshield"
case $kdf in moderate|interactive) ;; *) echo "VAULT_BENCH_KDF: moderate or interactive" >&2; exit 2 ;; esac
case $unlock in password|keyfile) ;; *) echo "VAULT_BENCH_UNLOCK: password or keyfile" >&2; exit 2 ;; esac

# Peers and tools from Debian.
need=""
command -v restic >/dev/null 2>&1 || need="$need restic"
command -v borg >/dev/null 2>&1 || need="$need borgbackup"
[ -x /usr/bin/time ] || need="$need time"
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v bc >/dev/null 2>&1 || need="$need bc"
if [ -n "$need" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

rm -rf "$work"
mkdir -p "$work/data"
cc -O2 -o "$work/gen" "$here/gen.c" -lgnutls
printf 'finshield vault benchmark password\n' >"$work/pw"
export FINSHIELD_LANG=en FINSHIELD_VAULT_PASSWORD_FILE="$work/pw"
export RESTIC_REPOSITORY="$work/restic" RESTIC_PASSWORD_FILE="$work/pw" RESTIC_CACHE_DIR="$work/restic-cache"
export BORG_REPO="$work/borg" BORG_PASSPHRASE="finshield vault benchmark password"
export BORG_BASE_DIR="$work/borg-home" BORG_RELOCATED_REPO_ACCESS_IS_OK=yes
results="$work/results.tsv"
: >"$results"

# measure TOOL OP COMMAND...: runs the command under /usr/bin/time -v, records seconds and peak KB.
measure() {
  tool=$1; op=$2; shift 2
  sync # nobody pays for the previous tool's dirty pages
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt" 2>&1 || {
    echo "FAILED: $tool $op" >&2; cat "$work/out.txt" >&2; exit 1; }
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/time.txt")
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$work/time.txt")
  usr=$(awk -F': ' '/User time/ {print $2}' "$work/time.txt")
  sys=$(awk -F': ' '/System time/ {print $2}' "$work/time.txt")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$op" "$secs" "$kb" "$cpu" "$usr" "$sys" >>"$results"
  printf '%-9s %-14s %8.2f s %8d KB %8.2f s CPU (%.2f user + %.2f system)\n' "$tool" "$op" "$secs" "$kb" "$cpu" "$usr" "$sys"
}

"$fs" vault init --repo "$work/vault" --kdf "$kdf" >/dev/null
if [ "$unlock" = keyfile ]; then
  "$fs" vault key add --repo "$work/vault" --out "$work/vault.key" >/dev/null
  unset FINSHIELD_VAULT_PASSWORD_FILE
  export FINSHIELD_VAULT_KEY_FILE="$work/vault.key"
fi
restic init --repository-version 2 -q
borg init -e repokey >/dev/null 2>&1

echo "== $accounts accounts, 1 + $days daily exports, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "   finshield: --kdf $kdf, unlocked by $unlock, commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "   machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   peers: $(restic version | cut -d' ' -f1-2), $(borg --version)"
day=0
while [ "$day" -le "$days" ]; do
  rm -f "$work/data"/*
  "$work/gen" "$accounts" "$day" "$work/data"
  date=$(sed -n 's/.*"business_date": "\(.*\)".*/\1/p' "$work/data/manifest.json")
  op=daily; [ "$day" -eq 0 ] && op=first
  [ "$day" -eq 0 ] && echo "   export size: $(du -sb "$work/data" | cut -f1) bytes"
  measure finshield "$op" "$fs" vault deposit --repo "$work/vault" --business-date "$date" "$work"/data/*
  measure restic "$op" restic backup --compression auto -q "$work/data"
  measure borg "$op" borg create --compression zstd,3 "::day$day" "$work/data"
  day=$((day + 1))
done

# Listing the snapshots: what opening a repository costs, as every command pays it first.
measure finshield list "$fs" vault snapshots --repo "$work/vault"
measure restic list restic snapshots -q
measure borg list borg list

first=$("$fs" vault snapshots --repo "$work/vault" --json | sed -n 's/.*"id": "\([0-9a-f]\{64\}\)".*/\1/p' | head -1)
rfirst=$(restic snapshots --json | tr ',' '\n' | sed -n 's/.*"short_id":"\([0-9a-f]*\)".*/\1/p' | head -1)
for which in latest oldest; do
  rm -rf "$work/r"
  mkdir -p "$work/r"
  if [ "$which" = latest ]; then s=latest; rs=latest; bs=day$days; else s=$first; rs=$rfirst; bs=day0; fi
  measure finshield "restore-$which" "$fs" vault restore "$s" --repo "$work/vault" --target "$work/r/f"
  measure restic "restore-$which" restic restore "$rs" --target "$work/r/r" -q
  mkdir -p "$work/r/b"
  (cd "$work/r/b" && measure borg "restore-$which" borg extract "::$bs")
  cmp -s "$work/r/f/customers.csv" "$work/r/b$work/data/customers.csv" || { echo "restores differ" >&2; exit 1; }
done
rm -rf "$work/r"
measure finshield verify-all "$fs" vault verify --repo "$work/vault" --read-data
measure restic verify-all restic check --read-data -q
measure borg verify-all borg check --verify-data

# Continuity service: time from `vault serve` to the first answered balance inquiry.
"$fs" vault token create --tokens "$work/tokens" --name bench >"$work/token"
acct=$(sed -n '3p' "$work/data/balances.csv" | cut -d, -f1)
port=18470
t0=$(date +%s.%N)
"$fs" vault serve --repo "$work/vault" --tokens "$work/tokens" --listen "127.0.0.1:$port" 2>"$work/serve.log" &
spid=$!
while ! curl -sf -H "Authorization: Bearer $(cat "$work/token")" "http://127.0.0.1:$port/v1/accounts/$acct" >"$work/answer.json" 2>/dev/null; do
  kill -0 "$spid" 2>/dev/null || { echo "serve died" >&2; cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
t1=$(date +%s.%N)
kb=$(awk '/VmHWM/ {print $2}' "/proc/$spid/status")
kill "$spid"; wait "$spid" 2>/dev/null || true
secs=$(echo "$t1 - $t0" | bc)
printf 'finshield\tfirst-query\t%s\t%s\t0\n' "$secs" "$kb" >>"$results"
printf '%-9s %-14s %8.2f s %8d KB   %s\n' finshield first-query "$secs" "$kb" "$(head -c 160 "$work/answer.json")"

# Then the latency of a balance inquiry: 2000 of them, one after the other over one kept-alive
# connection (curl reuses it), on a second service without the per-token rate limit (the
# default, 50 a second, would answer most of them 429). Median and 99th percentile of curl's
# time_total, in milliseconds.
# (Builds before the service ran on the hub's HTTP layer had no limit and no --set.)
port=$((port + 1))
unlimited=""
"$fs" vault serve --help 2>&1 | grep -q -- --set && unlimited="--set http.rate_per_second=0"
# shellcheck disable=SC2086
"$fs" vault serve --repo "$work/vault" --tokens "$work/tokens" --listen "127.0.0.1:$port" \
  $unlimited 2>"$work/serve2.log" &
spid=$!
url="http://127.0.0.1:$port/v1/accounts/$acct"
while ! curl -sf -o /dev/null -H "Authorization: Bearer $(cat "$work/token")" "$url" 2>/dev/null; do
  kill -0 "$spid" 2>/dev/null || { echo "serve died" >&2; cat "$work/serve2.log" >&2; exit 1; }
  sleep 0.1
done
set --
i=0
while [ "$i" -lt 2000 ]; do set -- "$@" -o /dev/null "$url"; i=$((i + 1)); done
curl -s -H "Authorization: Bearer $(cat "$work/token")" -w '%{http_code} %{time_total}\n' "$@" >"$work/latency.txt"
kill "$spid"; wait "$spid" 2>/dev/null || true
bad=$(awk '$1 != 200' "$work/latency.txt" | wc -l)
[ "$bad" -eq 0 ] || { echo "latency: $bad answers were not 200" >&2; exit 1; }
awk '{print $2 * 1000}' "$work/latency.txt" | sort -n | awk '
  { v[NR] = $1 } END { printf "finshield inquiry       median %.3f ms, p99 %.3f ms (%d requests, one connection)\n",
    v[int(NR / 2) + 1], v[int(NR * 0.99) + 1], NR }' | tee "$work/latency-summary.txt"

for t in finshield restic borg; do
  case $t in finshield) d=$work/vault ;; restic) d=$work/restic ;; borg) d=$work/borg ;; esac
  printf '%s\trepo-bytes\t%s\t0\t0\n' "$t" "$(du -sb "$d" | cut -f1)" >>"$results"
done

echo "== summary (wall seconds, and CPU seconds = user + system; daily = mean of $days; memory = peak RSS over all runs)"
awk -F'\t' '
  { key=$1 SUBSEP $2; if ($2=="daily") { sum[$1]+=$3; csum[$1]+=$5; n[$1]++ } else { v[key]=$3; c[key]=$5 }
    if ($2!="first-query" && $4>mem[$1]) mem[$1]=$4 }
  END {
    for (t in n) { v[t SUBSEP "daily"]=sum[t]/n[t]; c[t SUBSEP "daily"]=csum[t]/n[t] }
    split("first daily list restore-latest restore-oldest verify-all repo-bytes", ops, " ");
    printf "%-15s %14s %14s %14s %10s\n", "", "finshield", "restic", "borg", "ratio";
    for (i=1;i<=7;i++) { o=ops[i]; f=v["finshield" SUBSEP o]; r=v["restic" SUBSEP o]; b=v["borg" SUBSEP o];
      best=(r<b?r:b); printf "%-15s %14.2f %14.2f %14.2f %9.2fx\n", o, f, r, b, (f>0?best/f:0) }
    for (i=1;i<=6;i++) { o=ops[i]; f=c["finshield" SUBSEP o]; r=c["restic" SUBSEP o]; b=c["borg" SUBSEP o];
      best=(r<b?r:b); printf "%-15s %14.2f %14.2f %14.2f %9.2fx\n", o " CPU", f, r, b, (f>0?best/f:0) }
    printf "%-15s %14d %14d %14d %9.2fx\n", "peak-KB", mem["finshield"], mem["restic"], mem["borg"],
      (mem["restic"]<mem["borg"]?mem["restic"]:mem["borg"])/mem["finshield"] }' "$results"
echo "(ratio: the better of restic and borg divided by finshield; above 1 means finshield is faster or smaller)"
echo "   load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'\t' '$2=="first-query" {printf "continuity service: first answer %.2f s after start (peak %d KB)\n", $3, $4}' "$results"
sed 's/^finshield inquiry  */continuity service: inquiry /' "$work/latency-summary.txt"
