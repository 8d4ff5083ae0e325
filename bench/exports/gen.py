#!/usr/bin/env python3
"""Writes a deterministic TAXII envelope of N STIX 2.1 IPv4 indicators (distinct addresses from
10.0.0.0/8 upwards, offset by FIRST), TLP:GREEN: the exports benchmark's data.
Usage: gen.py N FIRST"""
import sys
import uuid


def main():
    n, first = int(sys.argv[1]), int(sys.argv[2])
    ns = uuid.UUID("0e1b9d4c-5a7f-5c3e-8f21-6b0d4c2a9e10")
    out = sys.stdout
    out.write('{"objects":[')
    for i in range(first, first + n):
        a = 0x0A000000 + i
        ip = "%d.%d.%d.%d" % (a >> 24 & 255, a >> 16 & 255, a >> 8 & 255, a & 255)
        out.write(('' if i == first else ',') +
                  '{"type":"indicator","spec_version":"2.1","id":"indicator--%s",'
                  '"created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z",'
                  '"name":"Bench %d","pattern":"[ipv4-addr:value = \'%s\']","pattern_type":"stix",'
                  '"valid_from":"2026-11-01T00:00:00Z","object_marking_refs":'
                  '["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}'
                  % (uuid.uuid5(ns, str(i)), i, ip))
    out.write(']}\n')


if __name__ == "__main__":
    main()
