"""Runs finshield scan and the peers (grep -F, rg -F, grepcidr) on the generated data, on one core
and on two, and prints lines/s, MB/s, peak memory, indicator load time and precision/recall
against the planted ground truth; then the Sigma run on process-creation events.
PEERS=no in the environment leaves the peers out (a quick run of finshield alone).

measure.py BIN WORK RULES"""
import json
import os
import re
import resource
import subprocess
import sys
import time

BIN, WORK, RULES = sys.argv[1], sys.argv[2], sys.argv[3]
LOG = os.path.join(WORK, "logs.txt")
SEQ = re.compile(rb'seq="?(\d+)|cs1=(\d+)|"seq":(\d+)')


def timed(cmds, outs):
    """Runs commands in parallel under /usr/bin/time -v; returns wall seconds and the summed
    peak resident memory in KiB."""
    procs, logs = [], []
    t0 = time.monotonic()
    for cmd, out in zip(cmds, outs):
        log = out + ".time"
        logs.append(log)
        with open(out, "wb") as o:
            procs.append(subprocess.Popen(["/usr/bin/time", "-v", "-o", log] + cmd, stdout=o,
                                          stderr=subprocess.DEVNULL,
                                          env=dict(os.environ, LC_ALL="C")))
    codes = [p.wait() for p in procs]
    wall = time.monotonic() - t0
    rss = 0
    for log in logs:
        with open(log) as f:
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
            rss += int(m.group(1)) if m else 0
    return wall, rss, codes


def truth():
    hits, ip_hits = set(), set()
    with open(os.path.join(WORK, "truth.tsv")) as f:
        for line in f:
            n, kind, _, what = line.rstrip("\n").split("\t")
            if what == "hit":
                hits.add(int(n))
                if kind in ("ipv4", "cidr", "ipv6"):
                    ip_hits.add(int(n))
    return hits, ip_hits


def pr(flagged, want):
    tp = len(flagged & want)
    return (100.0 * tp / len(want) if want else 100.0,
            100.0 * tp / len(flagged) if flagged else 100.0)


def flagged_numbered(path, offsets=None):
    """Line numbers from grep -n / rg -n output ("N:..." or "FILE:N:...")."""
    out = set()
    with open(path, "rb") as f:
        for line in f:
            if offsets:
                name, rest = line.split(b":", 1)
                n = int(rest.split(b":", 1)[0]) + offsets[os.path.basename(name.decode())]
            else:
                n = int(line.split(b":", 1)[0])
            out.add(n)
    return out


def flagged_by_seq(path):
    """Line numbers of printed lines (grepcidr prints none): every line carries its number."""
    out = set()
    with open(path, "rb") as f:
        for line in f:
            m = SEQ.search(line)
            if m:
                out.add(int(next(g for g in m.groups() if g)))
    return out


def flagged_finshield(path):
    out, summary = set(), None
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r["type"] == "summary":
                summary = r
            elif r["type"] == "indicator":
                out.add(int(r["source"].rsplit(":", 1)[1]))
    return out, summary


def halves():
    """The log cut in two at a line boundary, for peers that use one core per file."""
    a, b = os.path.join(WORK, "half1.txt"), os.path.join(WORK, "half2.txt")
    if not (os.path.exists(a) and os.path.getmtime(a) >= os.path.getmtime(LOG)):
        size = os.path.getsize(LOG)
        with open(LOG, "rb") as f:
            f.seek(size // 2)
            f.readline()
            cut = f.tell()
        with open(LOG, "rb") as f, open(a, "wb") as o:
            left = cut
            while left:
                chunk = f.read(min(left, 1 << 24))
                o.write(chunk)
                left -= len(chunk)
        with open(LOG, "rb") as f, open(b, "wb") as o:
            f.seek(cut)
            while True:
                chunk = f.read(1 << 24)
                if not chunk:
                    break
                o.write(chunk)
    with open(a, "rb") as f:
        lines_a = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))
    return a, b, lines_a


def main():
    hits, ip_hits = truth()
    lines = sum(1 for _ in open(LOG, "rb"))
    mb = os.path.getsize(LOG) / 1e6
    nioc = sum(1 for l in open(os.path.join(WORK, "iocs.txt")) if not l.startswith("#"))
    rows = []

    def row(tool, cores, secs, rss, flagged, note="", cpu=None, want=hits):
        rec, prec = pr(flagged, want)
        rows.append({"tool": tool, "cores": cores, "secs": secs, "lines_s": lines / secs,
                     "mb_s": mb / secs, "rss_mb": rss / 1024, "recall": rec, "precision": prec,
                     "note": note, "cpu_lines_s": lines / cpu if cpu else None})

    # finshield, one and two cores
    for cores in (1, 2):
        out = os.path.join(WORK, "finshield-%d.out" % cores)
        wall, rss, codes = timed([[BIN, "scan", "--iocs", os.path.join(WORK, "iocs.txt"),
                                   "--no-dedup", "--event-bytes", "0", "--summary", "--threads",
                                   str(cores), LOG]], [out])
        flagged, s = flagged_finshield(out)
        row("finshield scan", cores, s["seconds"], rss, flagged,
            "load %.2f s, index %.0f B/indicator" % (s["indicator_load_seconds"],
                                                     s["indicator_memory_bytes"] / max(1, nioc)),
            cpu=s["cpu_seconds"])

    # memory per indicator: the whole process with the list and no log, less without the list
    empty = os.path.join(WORK, "empty.txt")
    open(empty, "w").close()
    one = os.path.join(WORK, "one-ioc.txt")
    with open(one, "w") as f:
        f.write("192.0.2.1\n")
    _, rss_full, _ = timed([[BIN, "scan", "--iocs", os.path.join(WORK, "iocs.txt"), empty]],
                           [os.path.join(WORK, "mem-full.out")])
    _, rss_base, _ = timed([[BIN, "scan", "--iocs", one, empty]],
                           [os.path.join(WORK, "mem-base.out")])
    per_ioc = (rss_full - rss_base) * 1024 / nioc
    exact = os.path.join(WORK, "iocs-exact.txt")
    cidr = os.path.join(WORK, "iocs-cidr.txt")
    peers = os.environ.get("PEERS", "yes") != "no"
    h1, h2, lines1 = halves() if peers else (None, None, 0)
    offsets = {"half1.txt": 0, "half2.txt": lines1}
    if not peers:
        return report(rows, lines, mb, nioc, hits, ip_hits, per_ioc, rss_full, rss_base)
    # grep -F
    out = os.path.join(WORK, "grep-1.out")
    wall, rss, codes = timed([["grep", "-n", "-F", "-f", exact, LOG]], [out])
    row("LC_ALL=C grep -F -f", 1, wall, rss, flagged_numbered(out), "exact strings only")
    outs = [os.path.join(WORK, "grep-2a.out"), os.path.join(WORK, "grep-2b.out")]
    wall, rss, codes = timed([["grep", "-H", "-n", "-F", "-f", exact, h1],
                              ["grep", "-H", "-n", "-F", "-f", exact, h2]], outs)
    row("LC_ALL=C grep -F -f", 2, wall, rss,
        flagged_numbered(outs[0], offsets) | flagged_numbered(outs[1], offsets),
        "two processes, one per half")
    # rg -F
    rg_limits = ["--regex-size-limit", "4G", "--dfa-size-limit", "4G"]
    out = os.path.join(WORK, "rg-1.out")
    wall, rss, codes = timed([["rg", "-n", "--no-heading", "-j1", "-F"] + rg_limits +
                              ["-f", exact, LOG]], [out])
    if codes[0] in (0, 1):
        row("rg -F -f", 1, wall, rss, flagged_numbered(out), "exact strings only")
    else:
        rows.append({"tool": "rg -F -f", "cores": 1, "failed": open(out + ".time").read()[:200]})
    out = os.path.join(WORK, "rg-2.out")
    wall, rss, codes = timed([["rg", "-n", "--no-heading", "-j2", "-F"] + rg_limits +
                              ["-f", exact, h1, h2]], [out])
    if codes[0] in (0, 1):
        row("rg -F -f", 2, wall, rss, flagged_numbered(out, offsets), "two files, -j2")
    # grepcidr
    out = os.path.join(WORK, "grepcidr-1.out")
    wall, rss, codes = timed([["grepcidr", "-f", cidr, LOG]], [out])
    f = flagged_by_seq(out)
    row("grepcidr -f", 1, wall, rss, f, "addresses only; vs address hits: recall %.1f %%, "
        "precision %.1f %%" % pr(f, ip_hits))
    outs = [os.path.join(WORK, "grepcidr-2a.out"), os.path.join(WORK, "grepcidr-2b.out")]
    wall, rss, codes = timed([["grepcidr", "-f", cidr, h1], ["grepcidr", "-f", cidr, h2]], outs)
    f = flagged_by_seq(outs[0]) | flagged_by_seq(outs[1])
    row("grepcidr -f", 2, wall, rss, f, "two processes; vs address hits: recall %.1f %%, "
        "precision %.1f %%" % pr(f, ip_hits))

    report(rows, lines, mb, nioc, hits, ip_hits, per_ioc, rss_full, rss_base)


def report(rows, lines, mb, nioc, hits, ip_hits, per_ioc, rss_full, rss_base):
    print("## indicators: %d lines (%.0f MB), %d indicators, %d planted hits, %d address hits"
          % (lines, mb, nioc, len(hits), len(ip_hits)))
    print()
    print("| tool | cores | seconds | lines/s | MB/s | peak RSS MB | recall % | precision % "
          "| notes |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "failed" in r:
            print("| %s | %d | failed | | | | | | %s |" % (r["tool"], r["cores"], r["failed"]))
            continue
        note = r["note"]
        if r["cpu_lines_s"]:
            note += "; %.0f lines per CPU-second" % r["cpu_lines_s"]
        print("| %s | %d | %.2f | %.0f | %.0f | %.0f | %.2f | %.2f | %s |" % (
            r["tool"], r["cores"], r["secs"], r["lines_s"], r["mb_s"], r["rss_mb"], r["recall"],
            r["precision"], note))
    print()
    for cores in (1, 2):
        mine = next(r for r in rows if r["tool"] == "finshield scan" and r["cores"] == cores)
        for peer in ("LC_ALL=C grep -F -f", "rg -F -f", "grepcidr -f"):
            p = next((r for r in rows if r["tool"] == peer and r["cores"] == cores and
                      "failed" not in r), None)
            if p:
                print("ratio, %d core%s: finshield is %.2fx the speed of %s" % (
                    cores, "s" if cores > 1 else "", mine["lines_s"] / p["lines_s"], peer))
    print("memory: %.0f bytes per indicator (peak RSS with the list and an empty log, less with "
          "one indicator: %.0f MB - %.0f MB)" % (per_ioc, rss_full / 1024, rss_base / 1024))
    sigma()


def sigma():
    """Sigma on process-creation events, with SigmaHQ's rules when they are there."""
    if not os.path.isdir(RULES):
        print()
        print("## Sigma: skipped: the SigmaHQ rules are not at %s (a third-party corpus, not in the "
              "project: set FINSHIELD_TEST_DATA to the folder that holds sigma/rules)" % RULES)
        return
    pc = os.path.join(WORK, "process.json")
    events = sum(1 for _ in open(pc, "rb"))
    print()
    print("## Sigma: %d Windows process-creation events (Sysmon, evtx as JSON), rules: %s"
          % (events, RULES))
    print()
    print("| cores | rules | load s | scan s | events/s | events per CPU-second | alerts | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for cores in (1, 2):
        out = os.path.join(WORK, "sigma-%d.out" % cores)
        wall, rss, codes = timed([[BIN, "scan", "--rules", RULES, "--no-dedup", "--event-bytes",
                                   "0", "--summary", "--threads", str(cores), pc]], [out])
        s = json.loads(open(out).readlines()[-1])
        print("| %d | %d | %.2f | %.2f | %.0f | %.0f | %d | %.0f |" % (
            cores, s["rules"], s["rule_load_seconds"], s["seconds"], s["events_per_second"],
            s["events_per_cpu_second"], s["alerts"], rss / 1024))
    print()
    print("(no Sigma engine is installable from Debian to run side by side; see "
          "docs/benchmarks.md for published figures)")


if __name__ == "__main__":
    main()
