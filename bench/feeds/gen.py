#!/usr/bin/env python3
"""Writes a deterministic MISP feed (manifest.json and one <uuid>.json per event, as the MISP core
format publishes them) of EVENTS events with ATTRS attributes each into FOLDER: the benchmark's
data. Attribute types mixed like a real feed (ip-dst, domain, url, sha256, md5, filename|sha1,
email-src); every twentieth value repeats one of an earlier event (merged into one indicator).
Usage: gen.py FOLDER [EVENTS] [ATTRS]"""
import hashlib
import json
import os
import sys
import uuid

NS = uuid.UUID("0c4f7a3e-6b1d-5e2a-9f8c-1d2e3f4a5b6c")


def value(i):
    k = i % 7
    h = hashlib.sha256(b"bench%d" % i).hexdigest()
    if k == 0:  # public-looking addresses, outside the special-use ranges
        return "ip-dst", "%d.%d.%d.%d" % (45 + (i >> 24) % 50, (i >> 16) & 255, (i >> 8) & 255, i & 255 or 1)
    if k == 1:
        return "domain", "host%d.bad-%s.com" % (i, h[:6])
    if k == 2:
        return "url", "http://c2-%d.bad-%s.net/gate.php?id=%d" % (i % 9973, h[:4], i)
    if k == 3:
        return "sha256", h
    if k == 4:
        return "md5", h[:32]
    if k == 5:
        return "filename|sha1", "payload%d.exe|%s" % (i, h[:40])
    return "email-src", "phish%d@bad-%s.org" % (i, h[:6])


def main():
    folder = sys.argv[1]
    events = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    attrs = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    os.makedirs(folder, exist_ok=True)
    manifest = {}
    ts = 1795478400
    n = 0
    for e in range(events):
        eu = str(uuid.uuid5(NS, "event%d" % e))
        out = []
        for a in range(attrs):
            # every twentieth: the value of an attribute 1.5 events back (itself not a repeat)
            i = n if n % 20 or n < 2 * attrs else n - attrs * 3 // 2 - 1
            t, v = value(i)
            out.append({"id": str(n + 1), "type": t, "category": "Network activity", "to_ids": True,
                        "uuid": str(uuid.uuid5(NS, "attr%d" % n)), "event_id": str(e + 1),
                        "distribution": "5", "timestamp": str(ts + e), "comment": "",
                        "sharing_group_id": "0", "deleted": False, "disable_correlation": False,
                        "object_id": "0", "object_relation": None, "first_seen": None,
                        "last_seen": None, "value": v})
            n += 1
        ev = {"Event": {"id": str(e + 1), "orgc_id": "1", "org_id": "1", "date": "2026-11-24",
                        "threat_level_id": "2", "info": "Benchmark event %d" % e, "published": True,
                        "uuid": eu, "attribute_count": str(attrs), "analysis": "2",
                        "timestamp": str(ts + e), "distribution": "3",
                        "publish_timestamp": str(ts + e), "sharing_group_id": "0",
                        "Orgc": {"id": "1", "name": "bench", "uuid": str(uuid.uuid5(NS, "org"))},
                        "Tag": [{"name": "tlp:green"}], "Attribute": out}}
        with open(os.path.join(folder, eu + ".json"), "w") as f:
            json.dump(ev, f, separators=(",", ":"))
        manifest[eu] = {"info": "Benchmark event %d" % e, "Orgc": {"name": "bench"},
                        "analysis": "2", "timestamp": str(ts + e), "date": "2026-11-24",
                        "threat_level_id": "2"}
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    print(f"{events} events, {n} attributes")


if __name__ == "__main__":
    main()
