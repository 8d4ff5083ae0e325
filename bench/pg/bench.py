#!/usr/bin/env python3
"""PostgreSQL benchmark (not a test; #17, Speed): the same work on SQLite and on PostgreSQL with
one node, and PostgreSQL with one and two nodes, in the same run. For each store: TAXII ingest of
100,000 indicators in one POST (bench/taxii/gen.py), loading to TOTAL objects (default 1,000,000)
and paging through them 1,000 a page, event ingest over HTTP with alerts, incident updates. Then,
on PostgreSQL, reads served by one node and by two on the same database (wrk on the cached first
TAXII page, and on a page of organisations that goes to the database each time), alternating
five rounds, with the CPU milliseconds of the nodes and of PostgreSQL per request: once with the
nodes sharing this machine's cores, once with each node limited to NODE_CORES cores of its own. Figures and
how to read them: docs/benchmarks.md#pg. Usage: bench/pg/bench.py BUILD_DIR [TOTAL] (run.sh)."""
import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from pgcluster import Cluster  # noqa: E402

TAXII = "application/taxii+json;version=2.1"
PG_SETTINGS = ["shared_buffers = 1GB", "max_wal_size = 8GB", "checkpoint_timeout = 30min",
               "synchronous_commit = on", "wal_level = replica", "max_connections = 200"]
# READS_ONLY=1: only PostgreSQL's load and the reads (one node against two), not SQLite, events or
# incident updates. ROUNDS: rounds of each read case. NODE_CORES: the CPU each node may use in
# the second set of reads (a cgroup of its own), as a node on a machine of its own would; 0.3 so
# that two nodes, PostgreSQL's share (about as much again) and wrk fit in two cores with room,
# and what limits the reads is the nodes, as in a deployment of nodes on machines of their own.
READS_ONLY = os.environ.get("READS_ONLY") == "1"
ROUNDS = int(os.environ.get("ROUNDS", "5"))
NODE_CORES = float(os.environ.get("NODE_CORES", "0.3"))
HUB_INI = ("[http]\naccess_log = off\nthreads = 4\nrate_per_second = 0\n[log]\nlevel = warn\n"
           "[taxii]\nmax_content_length = 268435456\n[auth]\nargon2 = interactive\n")


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


def pg_cpu_s(cluster):
    """CPU seconds of every process of the cluster (its postmaster's children and itself)."""
    if not cluster:
        return 0.0
    with open(os.path.join(cluster.data, "postmaster.pid")) as f:
        root = int(f.readline())
    total = 0.0
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                v = f.read().rsplit(")", 1)[1].split()
            if int(p) == root or int(v[1]) == root:
                total += (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


class Node:
    def __init__(self, binary, folder, token, listen="127.0.0.1:0"):
        self.bin, self.dir, self.token = binary, folder, token
        self.proc = subprocess.Popen([binary, "serve", "--data", folder, "--listen", listen],
                                     stdout=subprocess.PIPE, stderr=open(folder + "/serve.err", "a"),
                                     text=True, env=dict(os.environ, FINSHIELD_LANG="en"))
        line = self.proc.stdout.readline()
        self.url = re.search(r"(https?://\S+?)/? ", line).group(1).rstrip("/")
        self.auth = "Basic " + base64.b64encode(f"bench:{token}".encode()).decode()

    def req(self, method, path, body=None, ctype="application/json", accept=None):
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        h = {"Authorization": self.auth}
        if data is not None:
            h["Content-Type"] = ctype
        if accept:
            h["Accept"] = accept
        r = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        with urllib.request.urlopen(r, timeout=3600) as resp:
            return json.loads(resp.read() or b"null")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=120)


def make_hub(binary, work, name, store_ini):
    d = os.path.join(work, name)
    os.makedirs(d)
    with open(d + "/finshield.ini", "w") as f:
        f.write(store_ini)
    token = subprocess.run([binary, "init", "--data", d], capture_output=True, text=True,
                           check=True).stdout.strip()
    with open(d + "/finshield.ini", "w") as f:
        f.write(HUB_INI + store_ini)
    return d, token


def gen(n, seed, path):
    with open(path, "w") as f:
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "taxii", "gen.py"), str(n), seed],
                       stdout=f, check=True)


def taxii_post(node, path):
    with open(path, "rb") as f:
        body = f.read()
    return node.req("POST", "/taxii2/hub/collections/sector/objects/", body, TAXII, TAXII)


def phase_ingest(node, cluster, data):
    c0, p0, t0 = cpu_s(node.proc.pid), pg_cpu_s(cluster), time.perf_counter()
    st = taxii_post(node, data)
    wall = time.perf_counter() - t0
    c, p = cpu_s(node.proc.pid) - c0, pg_cpu_s(cluster) - p0
    n = st["success_count"]
    return {"objects": n, "wall": wall, "per_s": n / wall, "serve_cpu": c, "pg_cpu": p}


def phase_load_and_page(node, work, total):
    i = 1
    while (i + 1) * 100000 <= total:
        gen(100000, f"bench{i}", work + "/more.json")
        taxii_post(node, work + "/more.json")
        i += 1
    nxt, costs, n = None, [], 0
    while True:
        q = "limit=1000" + (f"&next={urllib.parse.quote(nxt)}" if nxt else "")
        t = time.perf_counter()
        env = node.req("GET", "/taxii2/hub/collections/sector/objects/?" + q, accept=TAXII)
        costs.append(time.perf_counter() - t)
        n += len(env.get("objects", []))
        if not env.get("more"):
            break
        nxt = env["next"]
    s = sorted(costs)
    return {"objects": n, "pages": len(costs), "median_ms": statistics.median(costs) * 1000,
            "p95_ms": s[int(len(s) * 0.95)] * 1000, "total_s": sum(costs)}


def wait_engine(node, objects, timeout=1800):
    """Until the monitoring engine's index holds that many indicators."""
    end = time.time() + timeout
    while time.time() < end:
        if node.req("GET", "/api/v1/soc/status")["indicators"]["objects"] >= objects:
            return
        time.sleep(0.5)
    raise RuntimeError("the engine did not load the indicators")


def phase_events(node, batches=40, per=1000):
    """Events over HTTP, one in ten hitting an indicator (IPv4 indicators are 10.a.b.c for i%4==0)."""
    t0, alerts = time.perf_counter(), 0
    for b in range(batches):
        lines = []
        for j in range(per):
            k = b * per + j
            if j % 10 == 0:
                i = (k * 4) % 100000
                dst = "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)
            else:
                dst = "192.0.2.%d" % (k % 250)
            lines.append(f"<134>1 2026-11-27T10:00:00Z fw01 fw - - - allow src=172.16.0.{k % 250} "
                         f"dst={dst} dport=443")
        st = node.req("POST", "/api/v1/events", "\n".join(lines).encode(), "text/plain")
        alerts += st["alerts"]
    wall = time.perf_counter() - t0
    return {"events": batches * per, "alerts": alerts, "wall": wall, "per_s": batches * per / wall}


def phase_incidents(node, n=1000):
    node.req("POST", "/api/v1/orgs", {"code": "bench-bank", "name_zh": "測試銀行", "name_en": "Bench Bank",
                                      "industry": "bank", "size_tier": "medium"})
    inc = node.req("POST", "/api/v1/incidents", {
        "org": "bench-bank", "title": "Benchmark case", "category": "phishing",
        "discovered_at": "2026-11-27T09:00:00Z",
        "impact": {"system_class": "non_core", "confidentiality": "none", "integrity": "none",
                   "availability": "none"}})
    v = inc["version"]
    t0 = time.perf_counter()
    for i in range(n):
        v = node.req("PATCH", f"/api/v1/incidents/{inc['id']}",
                     {"title": f"Benchmark case, update {i}", "version": v})["version"]
    wall = time.perf_counter() - t0
    return {"updates": n, "wall": wall, "per_s": n / wall}


def wrk(urls, auth, seconds=10, conns=16, accept=TAXII):
    """Runs one wrk per URL at once; the sum of their requests/s and of their requests."""
    procs = [subprocess.Popen(["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "-H", f"Accept: {accept}",
                               "-H", f"Authorization: {auth}", u], stdout=subprocess.PIPE, text=True)
             for u in urls]
    total, count = 0.0, 0
    for p in procs:
        out = p.communicate()[0]
        m = re.search(r"Requests/sec:\s+([\d.]+)", out)
        n = re.search(r"(\d+) requests in", out)
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if not m or not n or bad:
            raise RuntimeError("wrk: " + out)
        total += float(m.group(1))
        count += int(n.group(1))
    return total, count


class CpuCap:
    """Each node in a CPU cgroup of its own, limited to `cores` cores (cgroup v1's cpu controller,
    or v2's cpu.max): a node as on a machine of its own of that size, while PostgreSQL and wrk
    keep the rest of this machine's cores. None (with the reason) when cgroups are not writable."""

    def __init__(self, cores):
        self.cores, self.made, self.reason = cores, [], None
        if os.path.exists("/sys/fs/cgroup/cpu/cgroup.procs"):
            self.root, self.v2 = "/sys/fs/cgroup/cpu", False
        elif os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
            self.root, self.v2 = "/sys/fs/cgroup", True
        else:
            self.root, self.reason = None, "no cgroup cpu controller"

    def put(self, pid, name):
        """Moves the process (all its threads) into the cgroup NAME; False (reason set) if not."""
        if not self.root:
            return False
        d = os.path.join(self.root, "finshield-bench-" + name)
        try:
            os.makedirs(d, exist_ok=True)
            self.made.append(d)
            quota = int(self.cores * 100000)
            if self.v2:
                with open(d + "/cpu.max", "w") as f:
                    f.write(f"{quota} 100000")
            else:
                with open(d + "/cpu.cfs_period_us", "w") as f:
                    f.write("100000")
                with open(d + "/cpu.cfs_quota_us", "w") as f:
                    f.write(str(quota))
            with open(d + "/cgroup.procs", "w") as f:
                f.write(str(pid))
            return True
        except OSError as e:
            self.reason = f"{d}: {e.strerror}"
            return False

    def release(self, pid):
        """Moves the process back to the root group (no limit)."""
        if self.root:
            with open(os.path.join(self.root, "cgroup.procs"), "w") as f:
                f.write(str(pid))

    def remove(self):
        for d in self.made:
            try:
                os.rmdir(d)
            except OSError:
                pass


def read_rounds(nodes, cluster, cases, rounds):
    """Alternating one node and two, `rounds` times: the median requests/s and CPU-ms of each."""
    runs = {f"{k}_{n}": [] for k in cases for n in ("one", "two")}
    for _ in range(rounds):
        for k, (path, accept) in cases.items():
            runs[f"{k}_one"].append(reads(nodes[:1], cluster, path, accept))
            runs[f"{k}_two"].append(reads(nodes, cluster, path, accept))
    out = {}
    for k, v in runs.items():
        out[k] = {"per_s": statistics.median(x[0] for x in v),
                  "node_cpu_ms": statistics.median(x[1] for x in v),
                  "pg_cpu_ms": statistics.median(x[2] for x in v),
                  "runs": [[round(x[0]), round(x[1], 3), round(x[2], 3)] for x in v]}
    return out


def print_reads(res, label):
    for k, what in (("cached", "the cached first page of 1,000 objects"),
                    ("db", "a page of organisations read from the database")):
        one, two = res[k + "_one"], res[k + "_two"]
        print(f"   reads, {label}, {what}: one node {one['per_s']:,.0f}/s, two nodes "
              f"{two['per_s']:,.0f}/s: {two['per_s'] / one['per_s']:.2f}x; CPU-ms a "
              f"request (nodes + PostgreSQL): {one['node_cpu_ms']:.3f} + "
              f"{one['pg_cpu_ms']:.3f} vs {two['node_cpu_ms']:.3f} + "
              f"{two['pg_cpu_ms']:.3f}; runs {[x[0] for x in one['runs']]} vs "
              f"{[x[0] for x in two['runs']]}")


def ratios(res):
    return [res[k + "_two"]["per_s"] / res[k + "_one"]["per_s"] for k in ("cached", "db")]


def reads(nodes, cluster, path, accept, seconds=5):
    """wrk on path at every node at once (16 connections in all); requests/s, and the CPU
    milliseconds of the nodes and of PostgreSQL per request."""
    n0, p0 = sum(cpu_s(n.proc.pid) for n in nodes), pg_cpu_s(cluster)
    rps, count = wrk([n.url + path for n in nodes], nodes[0].auth, seconds=seconds,
                     conns=16 // len(nodes), accept=accept)
    n1, p1 = sum(cpu_s(n.proc.pid) for n in nodes), pg_cpu_s(cluster)
    count = max(count, 1)
    return rps, (n1 - n0) * 1000 / count, (p1 - p0) * 1000 / count


def main():
    build = os.path.abspath(sys.argv[1])
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    binary = os.path.join(build, "finshield")
    work = tempfile.mkdtemp(prefix="finshield-bench-pg-")
    print(f"== machine: {os.cpu_count()} cores, load {open('/proc/loadavg').read().split()[:3]}")
    cluster = Cluster(durable=True, settings=PG_SETTINGS).init().start()
    print("== PostgreSQL", cluster.psql("SHOW server_version").strip(), "settings:",
          "; ".join(PG_SETTINGS + ["fsync = on", "full_page_writes = on", "Unix socket"]))
    results = {}
    try:
        gen(100000, "bench", work + "/100k.json")
        for kind in ("postgresql",) if READS_ONLY else ("sqlite", "postgresql"):
            store_ini = "[store]\nsynchronous = full\n" if kind == "sqlite" else (
                f"[store]\nbackend = postgresql\nurl = {cluster.url('fs_bench')}\n")
            d, token = make_hub(binary, work, kind, store_ini)
            node = Node(binary, d, token)
            pgc = cluster if kind == "postgresql" else None
            r = results[kind] = {}
            print(f"== {kind}, one node")
            r["ingest"] = phase_ingest(node, pgc, work + "/100k.json")
            print("   ingest: {objects} objects in {wall:.2f} s: {per_s:,.0f} objects/s "
                  "(serve {serve_cpu:.2f} CPU-s, PostgreSQL {pg_cpu:.2f} CPU-s)".format(**r["ingest"]))
            r["page"] = phase_load_and_page(node, work, total)
            print("   paging: {objects:,} objects in {pages} pages, median {median_ms:.1f} ms, "
                  "p95 {p95_ms:.1f} ms, {total_s:.1f} s in all".format(**r["page"]))
            wait_engine(node, r["page"]["objects"])
            if not READS_ONLY:
                r["events"] = phase_events(node)
                print("   events: {events:,} in {wall:.2f} s: {per_s:,.0f} events/s, {alerts} "
                      "alerts".format(**r["events"]))
                r["incidents"] = phase_incidents(node)
                print("   incident updates: {updates} in {wall:.2f} s: {per_s:,.0f} "
                      "updates/s".format(**r["incidents"]))
            if kind == "postgresql":
                # Reads: one node, then two nodes on the same database.
                page = "/taxii2/hub/collections/sector/objects/?limit=1000"
                orgs = "/api/v1/orgs?limit=100"  # read from the database at every request
                d2 = os.path.join(work, "node2")
                os.makedirs(d2)
                shutil.copytree(d + "/secrets", d2 + "/secrets")
                shutil.copy(d + "/finshield.ini", d2 + "/finshield.ini")
                node2 = Node(binary, d2, token)
                wait_engine(node2, r["page"]["objects"])
                # Alternating, five rounds of 5 s each, the median of each: the machine is shared,
                # and a neighbour's burst should not decide one side alone. Also the CPU time of
                # the nodes and PostgreSQL per request: what a machine with more cores would scale.
                cases = {"cached": (page, TAXII), "db": (orgs, "application/json")}
                nodes = [node, node2]
                r["reads"] = read_rounds(nodes, cluster, cases, ROUNDS)
                print_reads(r["reads"], "nodes sharing this machine's cores")
                # The same with each node limited to NODE_CORES cores of its own (a cgroup each):
                # a node as on a machine of its own, PostgreSQL and wrk on the rest.
                cap = CpuCap(NODE_CORES)
                if all(cap.put(n.proc.pid, f"node{i}") for i, n in enumerate(nodes)):
                    r["reads_capped"] = read_rounds(nodes, cluster, cases, ROUNDS)
                    r["reads_capped"]["node_cores"] = NODE_CORES
                    print_reads(r["reads_capped"], f"each node limited to {NODE_CORES} cores")
                    for n in nodes:
                        cap.release(n.proc.pid)
                else:
                    print(f"   reads, each node limited to {NODE_CORES} cores: skipped ({cap.reason})")
                cap.remove()
                node2.stop()
            node.stop()
        s, p = results.get("sqlite", {}), results["postgresql"]
        if "ingest" in s:
            print("== PostgreSQL / SQLite: ingest {:.2f}, paging median {:.2f}x the time, events "
                  "{:.2f}, incident updates {:.2f}".format(
                      p["ingest"]["per_s"] / s["ingest"]["per_s"],
                      p["page"]["median_ms"] / s["page"]["median_ms"],
                      p["events"]["per_s"] / s["events"]["per_s"],
                      p["incidents"]["per_s"] / s["incidents"]["per_s"]))
            print("== goal: PostgreSQL ingest >= 0.5 of SQLite's: {:.2f} ({})".format(
                p["ingest"]["per_s"] / s["ingest"]["per_s"],
                "met" if p["ingest"]["per_s"] >= 0.5 * s["ingest"]["per_s"] else "not met"))
        for key, label in (("reads", "sharing this machine's cores"),
                           ("reads_capped", f"each node limited to {NODE_CORES} cores")):
            if key in p:
                c, d = ratios(p[key])
                print(f"== goal: two nodes >= 1.6x one node's reads, {label}: {c:.2f}x cached, "
                      f"{d:.2f}x from the database ({'met' if min(c, d) >= 1.6 else 'not met'})")
        print(f"== machine at the end: load {open('/proc/loadavg').read().split()[:3]}")
        with open(os.path.join(work, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
        print(f"== results: {work}/results.json")
    finally:
        cluster.remove()


if __name__ == "__main__":
    main()
