#!/usr/bin/env python3
"""Times export requests on one keep-alive connection: the first (made), then N revalidations
with If-None-Match (304 from memory). With SERVE_PID, also three more full exports and serve's
CPU seconds (user + sys, from /proc) for each of them, the figure that a loaded machine does not
inflate. Usage: revalidate.py URL TOKEN FORMAT N [SERVE_PID]"""
import http.client
import os
import sys
import time
import urllib.parse


def cpu_of(pid):
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    url, token, fmt, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    pid = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    h = {"Authorization": "Bearer " + token}
    path = "/api/v1/intel/exports/" + fmt
    t0 = time.perf_counter()
    c.request("GET", path, headers=h)
    r = c.getresponse()
    body = r.read()
    t1 = time.perf_counter()
    etag = r.getheader("ETag")
    print(f"   GET {path}: {r.status}, {len(body):,} bytes, {r.getheader('X-Finshield-Values')} values,"
          f" {t1 - t0:.3f} s")
    h["If-None-Match"] = etag
    lat = []
    for _ in range(n):
        s = time.perf_counter()
        c.request("GET", path, headers=h)
        r = c.getresponse()
        r.read()
        lat.append(time.perf_counter() - s)
        assert r.status == 304, r.status
    lat.sort()
    del h["If-None-Match"]
    for k in range(3 if pid else 0):
        c0, t0 = cpu_of(pid), time.perf_counter()
        c.request("GET", path, headers=h)
        r = c.getresponse()
        body = r.read()
        t1, c1 = time.perf_counter(), cpu_of(pid)
        print(f"   full GET {k + 1}: {r.status}, {len(body):,} bytes, {t1 - t0:.3f} s wall,"
              f" serve's CPU {c1 - c0:.2f} s")
    print(f"   {n} revalidations (304): median {lat[n // 2] * 1e3:.3f} ms, p99 {lat[n * 99 // 100] * 1e3:.3f} ms"
          f" (client and server on this machine, Python's http.client)")


if __name__ == "__main__":
    main()
