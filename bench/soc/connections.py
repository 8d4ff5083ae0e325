"""Memory of syslog TCP connections (a benchmark, not a test): starts `finshield serve` with a
syslog TCP listener and 100 GREEN indicators, opens N connections from loopback, each sending
LINES records that name an indicator (so every record raises an alert, deduplicated) and, with
LONG=1, one 512 KiB record; reads the server's resident memory (VmRSS) once every record is
counted with the connections still open, and again after they closed. Then the same with
rsyslogd (imtcp writing a file) as the peer, unless PEERS=no.

connections.py BIN [N]        environment: LINES (default 5), LONG, RULES (a Sigma folder), PEERS"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN = os.path.abspath(sys.argv[1])
N = int(sys.argv[2]) if len(sys.argv) > 2 else 250
LONG = os.environ.get("LONG", "0") == "1"
RULES = os.environ.get("RULES", "")
LINES = int(os.environ.get("LINES", "5"))
ENV = dict(os.environ, FINSHIELD_LANG="en")
TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def bundle():
    """100 GREEN indicators, 198.51.100.0 to .99: every record below names one."""
    objs = []
    for i in range(100):
        objs.append({"type": "indicator", "spec_version": "2.1",
                     "id": "indicator--%08x-0000-4000-8000-000000000000" % i,
                     "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                     "pattern": f"[ipv4-addr:value = '198.51.100.{i}']", "pattern_type": "stix",
                     "valid_from": "2026-01-01T00:00:00Z", "object_marking_refs": [TLP_GREEN]})
    return json.dumps({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000",
                       "objects": objs})


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def settle(pid, seconds=5.0):
    """The resident size once it stops moving (threads end, memory is given back)."""
    last, deadline = rss_kib(pid), time.time() + seconds
    while time.time() < deadline:
        time.sleep(0.5)
        cur = rss_kib(pid)
        if cur == last:
            break
        last = cur
    return rss_kib(pid)


def records(i):
    out = "".join(f"<134>Dec  6 01:00:{i % 60:02d} host app[{i}]: record {k} from "
                  f"198.51.100.{(i + k) % 100} to 10.0.{i % 250}.{k % 250} " + "y" * (k % 900) + "\n"
                  for k in range(LINES)).encode()
    if LONG:
        out += b"<134>Dec  6 01:00:00 host app: " + b"x" * (512 << 10) + b"\n"
    return out


def drive(pid, port, counted):
    """counted(): records the server has read (or written, for rsyslogd)."""
    base = settle(pid)
    want = N * (LINES + (1 if LONG else 0))
    t0 = time.monotonic()
    socks = []
    for i in range(N):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(records(i))
        socks.append(s)
    deadline = time.time() + 600
    while time.time() < deadline and counted() < want:
        time.sleep(0.05)
    seconds = time.monotonic() - t0
    open_rss = settle(pid)
    for s in socks:
        s.close()
    time.sleep(1.5)  # the listener tidies after a quiet second
    return base, open_rss, settle(pid), want / seconds


def finshield():
    d = tempfile.mkdtemp(prefix="bench-soc-")
    try:
        token = subprocess.run([BIN, "init", "--data", d], check=True, capture_output=True,
                               text=True, env=ENV).stdout.strip()
        port = free_port()
        with open(os.path.join(d, "finshield.ini"), "w") as f:
            f.write(f"[soc]\nsyslog_tcp = 127.0.0.1:{port}\nmax_connections = {N + 10}\n")
            if RULES:
                f.write(f"rules_dir = {os.path.abspath(RULES)}\n")
        subprocess.run([BIN, "intel", "import", "--data", d, "-"], input=bundle().encode(),
                       check=True, capture_output=True, env=ENV)
        subprocess.run([BIN, "soc", "source", "add", "--data", d, "--org", "hub", "--cidr",
                        "127.0.0.1/32"], check=True, capture_output=True, env=ENV)
        p = subprocess.Popen([BIN, "serve", "--data", d, "--listen", "127.0.0.1:0"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=ENV)
        url = re.search(r"(https?://\S+?)/? ", p.stdout.readline()).group(1)

        def counted():
            req = urllib.request.Request(url + "/metrics", headers={"Authorization": "Bearer " + token})
            with urllib.request.urlopen(req) as r:
                m = re.search(r"^finshield_syslog_records_total (\d+)", r.read().decode(), re.M)
            return int(m.group(1)) if m else 0

        try:
            return drive(p.pid, port, counted)
        finally:
            p.terminate()
            p.wait()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def rsyslog():
    if not shutil.which("rsyslogd"):
        return None
    d = tempfile.mkdtemp(prefix="bench-rsyslog-")
    try:
        port = free_port()
        out = os.path.join(d, "out.log")
        conf = os.path.join(d, "rsyslog.conf")
        with open(conf, "w") as f:
            f.write(f'global(workDirectory="{d}" maxMessageSize="1m")\n'
                    f'module(load="imtcp" MaxSessions="{N + 10}")\n'
                    f'input(type="imtcp" port="{port}" address="127.0.0.1")\n'
                    f'*.* action(type="omfile" file="{out}")\n')
        p = subprocess.Popen(["rsyslogd", "-n", "-f", conf, "-i", os.path.join(d, "pid")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.1)

        def counted():
            try:
                with open(out, "rb") as f:
                    return sum(1 for _ in f)
            except OSError:
                return 0

        try:
            return drive(p.pid, port, counted)
        finally:
            p.terminate()
            p.wait()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def show(name, r):
    base, o, c, rate = r
    print(f"{name:10} idle {base / 1024:7.1f} MiB | {N} open {o / 1024:7.1f} MiB "
          f"({(o - base) / N:6.1f} KiB each) | after close {c / 1024:7.1f} MiB "
          f"({(c - base) / 1024:+.1f} MiB) | {rate:,.0f} records/s", flush=True)


print(f"{N} connections, {LINES} records each{' and a 512 KiB one' if LONG else ''}"
      f"{', Sigma rules ' + RULES if RULES else ''}", flush=True)
show("finshield", finshield())
if os.environ.get("PEERS", "yes") != "no":
    r = rsyslog()
    if r:
        show("rsyslogd", r)
