#!/usr/bin/env python3
"""Times export requests on one keep-alive connection: the first (made), then N revalidations
with If-None-Match (304 from memory). Usage: revalidate.py URL TOKEN FORMAT N"""
import http.client
import sys
import time
import urllib.parse


def main():
    url, token, fmt, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
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
    print(f"   {n} revalidations (304): median {lat[n // 2] * 1e3:.3f} ms, p99 {lat[n * 99 // 100] * 1e3:.3f} ms"
          f" (client and server on this machine, Python's http.client)")


if __name__ == "__main__":
    main()
