"""finshield scan on files: plain, .gz, .zst and standard input, in every log format, with planted
indicator hits and decoys; the alerts name the indicator, the field and file:line."""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("FINSHIELD_BIN", "build/finshield")

IOCS = """# planted indicators
203.0.113.7
198.51.100.0/24
2001:db8:bad::/48
higan.org
evil.example.net
hxxp://phish[.]example/login
eb20e119aaf500e2752dc5a588b54c12
c6a168c81654f5901e864c8fd61fa54f084cd8b2e0a8ac1b83eacf9eb4484f75
ceo@fraud.example
"""

# (line, expected (indicator value, field) pairs); decoys expect nothing
LINES = [
    ('<34>1 2026-01-02T03:04:05Z web01 nginx 12 - - GET / from 203.0.113.7 ok',
     [("203.0.113.7", "msg")]),
    ('<34>1 2026-01-02T03:04:05Z web01 app - - [origin ip="198.51.100.77"] login failed',
     [("198.51.100.0/24", "origin.ip")]),
    ('<13>Jan  2 03:04:05 mail postfix/smtpd[99]: from=<ceo@fraud.example> relay=mx.higan.org',
     [("ceo@fraud.example", "from"), ("higan.org", "relay")]),
    ('<13>Jan  2 03:04:05 dns named: query michigan.org A from 10.0.0.1', []),
    ('CEF:0|Vendor|FW|1.0|100|blocked|5|src=10.1.1.1 dst=2001:db8:bad::9 dhost=cdn.evil.example.net',
     [("2001:db8:bad::/48", "dst"), ("evil.example.net", "dhost")]),
    ('{"@timestamp":"2026-01-02T03:04:05Z","url":{"full":"HTTP://PHISH.example:80/login"},'
     '"file":{"hash":{"md5":"EB20E119AAF500E2752DC5A588B54C12"}}}',
     [("http://phish.example/login", "url.full"),
      ("eb20e119aaf500e2752dc5a588b54c12", "file.hash.md5")]),
    ('date=2026-01-02 time=03:04:05 devname="fw 1" srcip=10.2.2.2 dstip=198.51.100.200 action=deny',
     [("198.51.100.0/24", "dstip")]),
    ('plain text mentioning notevil.example.net and 203.0.113.70 and higan.org.example.com', []),
    ('Hashes: SHA256=C6A168C81654F5901E864C8FD61FA54F084CD8B2E0A8AC1B83EACF9EB4484F75',
     [("c6a168c81654f5901e864c8fd61fa54f084cd8b2e0a8ac1b83eacf9eb4484f75", "msg")]),
]


def run(args, stdin=None, check=True):
    p = subprocess.run([BIN] + args, input=stdin, capture_output=True,
                       env=dict(os.environ, FINSHIELD_LANG="en"))
    if check and p.returncode != 0:
        raise AssertionError("finshield %s exited %d: %s" % (" ".join(args), p.returncode,
                                                              p.stderr.decode()))
    return p


def alerts(out):
    rows = [json.loads(l) for l in out.decode().splitlines() if l.strip()]
    return [r for r in rows if r["type"] != "summary"], [r for r in rows if r["type"] == "summary"]


class ScanTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="scan-")
        cls.iocs = os.path.join(cls.dir, "iocs.txt")
        with open(cls.iocs, "w") as f:
            f.write(IOCS)
        cls.log = os.path.join(cls.dir, "mixed.log")
        with open(cls.log, "w") as f:
            f.write("\n".join(l for l, _ in LINES) + "\n")
        cls.want = set()
        for n, (_, hits) in enumerate(LINES, 1):
            for value, field in hits:
                cls.want.add((n, value, field))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def check_alerts(self, rows, name):
        got = set()
        for r in rows:
            self.assertEqual(r["type"], "indicator")
            src, line = r["source"].rsplit(":", 1)
            self.assertEqual(os.path.basename(src), name)
            got.add((int(line), r["indicator"]["value"], r["field"]))
            self.assertEqual(r["event"], LINES[int(line) - 1][0])
            self.assertEqual(r["indicator"]["id"], self.iocs)
        self.assertEqual(got, self.want)

    def test_plain(self):
        rows, summary = alerts(run(["scan", "--iocs", self.iocs, "--summary", self.log]).stdout)
        self.check_alerts(rows, "mixed.log")
        s = summary[0]
        self.assertEqual(s["events"], len(LINES))
        self.assertEqual(s["alerts"], len(self.want))
        self.assertEqual(s["parse_errors"], 0)
        self.assertEqual(s["indicators"], 9)
        self.assertGreater(s["bytes"], 0)

    def test_gzip_zstd_stdin(self):
        gz = self.log + ".gz"
        with open(self.log, "rb") as f, gzip.open(gz, "wb") as g:
            g.write(f.read())
        rows, _ = alerts(run(["scan", "--iocs", self.iocs, gz]).stdout)
        self.check_alerts(rows, "mixed.log.gz")
        if shutil.which("zstd"):
            zst = self.log + ".zst"
            subprocess.run(["zstd", "-q", "-f", self.log, "-o", zst], check=True)
            rows, _ = alerts(run(["scan", "--iocs", self.iocs, zst]).stdout)
            self.check_alerts(rows, "mixed.log.zst")
        with open(gz, "rb") as f:
            rows, _ = alerts(run(["scan", "--iocs", self.iocs, "-"], stdin=f.read()).stdout)
        self.check_alerts(rows, "-")

    def test_threads_same_output(self):
        big = os.path.join(self.dir, "big.log")
        with open(big, "w") as f:
            for i in range(30000):
                f.write(LINES[i % len(LINES)][0].replace("03:04:05", "03:04:%02d" % (i % 60)) + "\n")
        one = run(["scan", "--iocs", self.iocs, "--no-dedup", big]).stdout
        four = run(["scan", "--iocs", self.iocs, "--no-dedup", "--threads", "4", big]).stdout
        self.assertEqual(one, four)
        rows, _ = alerts(one)
        self.assertEqual(len(rows), 30000 // len(LINES) * len(self.want) +
                         sum(len(h) for _, h in LINES[:30000 % len(LINES)]))
        # dedup: once per indicator and matched text (and field values) in the run
        rows, summary = alerts(run(["scan", "--iocs", self.iocs, "--summary", big]).stdout)
        self.assertEqual(len(rows), len({(r["indicator"]["value"], r["match"].lower())
                                         for r in rows}))
        self.assertEqual(summary[0]["alerts"] + summary[0]["duplicates"], 30000 // len(LINES) *
                         len(self.want) + sum(len(h) for _, h in LINES[:30000 % len(LINES)]))

    def test_stix_bundle(self):
        bundle = {"type": "bundle", "id": "bundle--1", "objects": [
            {"type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
             "pattern_type": "stix", "valid_from": "2020-01-01T00:00:00Z",
             "pattern": "[ipv4-addr:value = '203.0.113.7'] OR [domain-name:value IN "
                        "('higan.org', 'evil.example.net')]"},
            {"type": "indicator", "id": "indicator--11111111-1111-4111-8111-111111111111",
             "revoked": True, "pattern": "[ipv4-addr:value = '198.51.100.0/24']"},
            {"type": "indicator", "id": "indicator--22222222-2222-4222-8222-222222222222",
             "valid_until": "2020-01-01T00:00:00Z",
             "pattern": "[email-addr:value = 'ceo@fraud.example']"},
        ]}
        path = os.path.join(self.dir, "bundle.json")
        with open(path, "w") as f:
            json.dump(bundle, f)
        rows, _ = alerts(run(["scan", "--iocs", path, self.log]).stdout)
        got = {(r["indicator"]["value"], r["indicator"]["id"]) for r in rows}
        self.assertEqual(got, {("203.0.113.7", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
                               ("higan.org", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
                               ("evil.example.net",
                                "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")})

    def test_compound_bundle(self):
        """Compound patterns of one observation are evaluated on the events their anchor hits;
        the others are reported with their reason and skipped."""
        sha = "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"
        port = "[ipv4-addr:value = '198.51.100.7' AND network-traffic:dst_port = 443]"
        dll = "[file:name = 'evil.dll' AND file:hashes.'SHA-256' = '%s']" % sha.upper()
        bundle = {"type": "bundle", "id": "bundle--2", "objects": [
            {"type": "indicator", "id": "indicator--33333333-3333-4333-8333-333333333333",
             "pattern_type": "stix", "valid_from": "2020-01-01T00:00:00Z", "pattern": port},
            {"type": "indicator", "id": "indicator--44444444-4444-4444-8444-444444444444",
             "pattern_type": "stix", "valid_from": "2020-01-01T00:00:00Z", "pattern": dll},
            {"type": "indicator", "id": "indicator--55555555-5555-4555-8555-555555555555",
             "pattern_type": "stix", "valid_from": "2020-01-01T00:00:00Z",
             "pattern": "[ipv4-addr:value = '198.51.100.7'] FOLLOWEDBY "
                        "[domain-name:value = 'evil.example'] WITHIN 60 SECONDS"},
        ]}
        path = os.path.join(self.dir, "compound.json")
        with open(path, "w") as f:
            json.dump(bundle, f)
        log = os.path.join(self.dir, "compound.log")
        lines = [
            "<34>1 2026-01-02T03:04:05Z fw01 fw - - - deny src=10.0.0.5 dst=198.51.100.7 dport=443",
            "<34>1 2026-01-02T03:04:06Z fw01 fw - - - deny src=10.0.0.5 dst=198.51.100.7 dport=80",
            json.dumps({"Event": {"System": {"EventID": 29, "Channel":
                                             "Microsoft-Windows-Sysmon/Operational"},
                                  "EventData": {"TargetFilename": "C:\\Users\\x\\evil.dll",
                                                "Hashes": "SHA256=" + sha.upper()}}}),
            "CEF:0|Vendor|AV|1.0|1|file|5|fname=good.dll fileHash=" + sha,
        ]
        with open(log, "w") as f:
            f.write("\n".join(lines) + "\n")
        p = run(["scan", "--iocs", path, "--summary", log])
        rows, summary = alerts(p.stdout)
        got = {(int(r["source"].rsplit(":", 1)[1]), r["indicator"]["id"], r["field"], r["match"],
                r["indicator"]["value"], r["indicator"].get("pattern")) for r in rows}
        self.assertEqual(got, {
            (1, "indicator--33333333-3333-4333-8333-333333333333", "dst", "198.51.100.7",
             "198.51.100.7", port),
            (3, "indicator--44444444-4444-4444-8444-444444444444", "Event.EventData.Hashes",
             sha.upper(), sha, dll)})
        err = p.stderr.decode()
        self.assertIn("indicator--55555555-5555-4555-8555-555555555555", err)
        self.assertIn("several observations", err)
        self.assertEqual(summary[0]["indicators"], 2)  # one anchor each
        self.assertEqual(summary[0]["indicator_errors"], 1)

    def test_multiline_json_and_formats(self):
        path = os.path.join(self.dir, "pretty.json")
        with open(path, "w") as f:
            f.write('{\n  "a": {\n    "ip": "203.0.113.7"\n  }\n}\n{"b": "higan.org"}\n')
        rows, _ = alerts(run(["scan", "--iocs", self.iocs, "--format", "json", path]).stdout)
        self.assertEqual(sorted((r["source"].rsplit(":", 1)[1], r["field"]) for r in rows),
                         [("1", "a.ip"), ("6", "b")])
        # an explicit format that does not fit: parse errors, reported with file:line
        p = run(["scan", "--iocs", self.iocs, "--format", "cef", "--summary", self.log])
        _, summary = alerts(p.stdout)
        self.assertEqual(summary[0]["parse_errors"], len(LINES) - 1)
        self.assertIn("mixed.log:1", p.stderr.decode())

    def test_debian_syslog_file(self):
        """Lines of /var/log/syslog as rsyslog writes them (traditional format and RFC 3339), no
        PRI: recognised in auto mode, with time (the year from the file's modification time, the
        local time zone), host, app and pid (#18 item 14)."""
        log = os.path.join(self.dir, "syslog")
        lines = [
            "Dec  6 01:00:01 bastion01 sshd[4242]: Accepted publickey for root from 203.0.113.7 "
            "port 50022 ssh2",
            "Dec  6 01:00:05 bastion01 CRON[777]: (root) CMD (command -v debian-sa1 > /dev/null)",
            "2026-12-06T01:00:09.123456+08:00 bastion01 sudo[99]:    alice : TTY=pts/0 ; "
            "COMMAND=/usr/bin/curl http://higan.org/x",
        ]
        with open(log, "w") as f:
            f.write("\n".join(lines) + "\n")
        written = 1799539200  # 2027-01-10T00:00:00Z: the December lines are 2026's
        os.utime(log, (written, written))
        rules = os.path.join(self.dir, "debian-rules")
        os.makedirs(rules, exist_ok=True)
        with open(os.path.join(rules, "sshd.yml"), "w") as f:
            f.write("title: root logs in on the bastion\nid: 5b0a5e2c-0000-4000-8000-000000000001\n"
                    "logsource: {product: linux, service: sshd}\ndetection:\n  selection:\n"
                    "    hostname: bastion01\n    appname: sshd\n    procid: '4242'\n"
                    "    msg|startswith: 'Accepted publickey for root'\n  condition: selection\n")
        env = dict(os.environ, FINSHIELD_LANG="en", TZ="Asia/Taipei")
        p = subprocess.run([BIN, "scan", "--iocs", self.iocs, "--rules", rules, "--summary", log],
                           capture_output=True, env=env)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        rows, summary = alerts(p.stdout)
        got = {(r["type"], int(r["source"].rsplit(":", 1)[1]), r["format"], r["time"],
                r.get("field") or ",".join(r.get("fields", [])),
                r["indicator"]["value"] if r["type"] == "indicator" else r["rule"]["id"])
               for r in rows}
        self.assertEqual(got, {
            ("indicator", 1, "rfc3164", "2026-12-05T17:00:01.000Z", "msg", "203.0.113.7"),
            ("sigma", 1, "rfc3164", "2026-12-05T17:00:01.000Z", "hostname,appname,procid,msg",
             "5b0a5e2c-0000-4000-8000-000000000001"),
            ("indicator", 3, "rfc3164", "2026-12-05T17:00:09.123Z", "msg", "higan.org"),
        })
        self.assertEqual(summary[0]["parse_errors"], 0)
        # in another zone the same file gives other instants
        p = subprocess.run([BIN, "scan", "--iocs", self.iocs, log], capture_output=True,
                           env=dict(env, TZ="UTC"))
        self.assertIn("2026-12-06T01:00:01.000Z", [r["time"] for r in alerts(p.stdout)[0]])

    def test_bad_iocs_and_usage(self):
        bad = os.path.join(self.dir, "bad.txt")
        with open(bad, "w") as f:
            f.write("203.0.113.7\nnot an indicator\n")
        p = run(["scan", "--iocs", bad, self.log])
        self.assertIn("bad.txt:2", p.stderr.decode())
        self.assertEqual(run(["scan", self.log], check=False).returncode, 2)
        self.assertEqual(run(["scan", "--iocs", self.iocs, "--format", "xml", self.log],
                             check=False).returncode, 2)
        p = run(["scan", "--iocs", self.iocs, os.path.join(self.dir, "missing.log")], check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("missing.log", p.stderr.decode())


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
