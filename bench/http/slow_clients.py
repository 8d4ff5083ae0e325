"""Slow clients (not a test): time of GET /healthz from 127.0.0.1 while N connections from
127.0.0.2 trickle their request heads (a request line, then one header line a second), against the
same without them. Usage: python3 bench/http/slow_clients.py BUILD_DIR [N] [key=value ...]
(extra arguments are serve's --set overrides, e.g. http.max_connections_per_address=0)."""
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

build, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1100
sets = [a for kv in sys.argv[3:] for a in ("--set", kv)]
binary = os.path.join(os.path.abspath(build), "finshield")
work = tempfile.mkdtemp(prefix="finshield-bench-http-")
env = dict(os.environ, FINSHIELD_LANG="en")
subprocess.run([binary, "init", "--data", work], check=True, capture_output=True, env=env)
with open(os.path.join(work, "finshield.ini"), "w") as f:
    f.write("[http]\naccess_log = off\n[log]\nlevel = error\n")
serve = subprocess.Popen([binary, "serve", "--data", work, "--listen", "127.0.0.1:0", *sets],
                         stdout=subprocess.PIPE, text=True, env=env)
url = urllib.parse.urlparse([w for w in serve.stdout.readline().split() if w.startswith("http")][0])
addr = (url.hostname, url.port)


def healthz_ms(count=100):
    times, failed = [], 0
    for _ in range(count):
        t = time.perf_counter()
        try:
            with socket.create_connection(addr, timeout=2) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
                ok = s.recv(64).startswith(b"HTTP/1.1 200")
        except OSError:
            ok = False
        if ok:
            times.append((time.perf_counter() - t) * 1000)
        else:
            failed += 1
            if failed == 10 and not times:
                break  # (each failure waits 2 s)
    return times, failed


def show(label, times, failed):
    if not times:
        print(f"{label}: every request failed ({failed})")
        return
    q = statistics.quantiles(times, n=100)
    print(f"{label}: median {statistics.median(times):.2f} ms, p99 {q[98]:.2f} ms, "
          f"max {max(times):.2f} ms, failed {failed} of {len(times) + failed}")


try:
    show("alone", *healthz_ms())
    socks, stop = [], False
    for _ in range(n):
        try:
            s = socket.create_connection(addr, timeout=10, source_address=("127.0.0.2", 0))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n")
            socks.append(s)
        except OSError:
            pass

    def trickle():
        while not stop:
            for s in socks:
                try:
                    s.sendall(b"X-Trickle: 1\r\n")
                except OSError:
                    pass
            time.sleep(1)

    t = threading.Thread(target=trickle)
    t.start()
    show(f"with {n} trickling connections", *healthz_ms())
    time.sleep(3)
    show(f"with {n} trickling connections, 3 s later", *healthz_ms())
    time.sleep(10)
    show(f"with {n} trickling connections, 13 s later", *healthz_ms())
    with socket.create_connection(addr, timeout=10) as s:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
        text = b""
        while chunk := s.recv(65536):
            text += chunk
    for line in text.decode().splitlines():
        if line.startswith(("finshield_http_connections_cut_total", "finshield_http_connections_refused")):
            print("  " + line)
    stop = True
    t.join()
    for s in socks:
        s.close()
finally:
    serve.terminate()
    serve.wait()
    subprocess.run(["rm", "-rf", work])
