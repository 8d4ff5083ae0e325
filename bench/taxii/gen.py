#!/usr/bin/env python3
"""Writes a deterministic TAXII envelope of N STIX 2.1 indicators (IPv4, domain, URL, SHA-256 mixed)
to standard output: the benchmark's data. Usage: gen.py N [SEED] [bundle]; with `bundle`, a STIX
bundle (type and id) holding the same objects instead of an envelope (bench/bundle)."""
import hashlib
import json
import sys
import uuid


def main():
    n = int(sys.argv[1])
    seed = sys.argv[2] if len(sys.argv) > 2 else "finshield"
    ns = uuid.UUID("6f3c0b0e-4d6a-5b8e-9a63-2f1d7c1e5a10")
    out = sys.stdout
    if len(sys.argv) > 3 and sys.argv[3] == "bundle":
        out.write('{"type":"bundle","id":"bundle--%s","objects":[' % uuid.uuid5(ns, f"{seed}/bundle"))
    else:
        out.write('{"objects":[')
    for i in range(n):
        k = i % 4
        if k == 0:
            pattern = "[ipv4-addr:value = '10.%d.%d.%d']" % (i >> 16 & 255, i >> 8 & 255, i & 255)
        elif k == 1:
            pattern = "[domain-name:value = 'host%d.bad-%s.example']" % (i, seed)
        elif k == 2:
            pattern = "[url:value = 'http://c2-%d.example/gate.php?id=%d']" % (i % 9973, i)
        else:
            pattern = "[file:hashes.'SHA-256' = '%s']" % hashlib.sha256(f"{seed}{i}".encode()).hexdigest()
        obj = {
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--" + str(uuid.uuid5(ns, f"{seed}/{i}")),
            "created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z",
            "name": "Benchmark indicator %d" % i,
            "indicator_types": ["malicious-activity"],
            "pattern": pattern, "pattern_type": "stix",
            "valid_from": "2026-11-01T00:00:00Z",
            "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
        }
        if i:
            out.write(",")
        out.write(json.dumps(obj, separators=(",", ":")))
    out.write("]}")


if __name__ == "__main__":
    main()
