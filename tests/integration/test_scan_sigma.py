"""finshield sigma check on a rule set (every rule loaded or refused with its reason), and
finshield scan --rules on regression events (pretty-printed JSON, several to a file): every file
is matched by the rule whose id is its name, and events no rule describes match nothing. On the
project's rules and events (tests/data/sigma); the corpus run does the same on SigmaHQ's rule set
(at least 95 % loaded) and its regression events."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from hubtest import CorpusTest, fixture, main

BIN = os.environ.get("FINSHIELD_BIN", "build/finshield")


def run(args, check=True):
    p = subprocess.run([BIN] + args, capture_output=True, env=dict(os.environ, FINSHIELD_LANG="en"))
    if check and p.returncode not in (0, 1):
        raise AssertionError("finshield %s exited %d: %s" % (" ".join(args), p.returncode,
                                                              p.stderr.decode()))
    return p


class Checks:
    """What both runs check, on rule folders and a folder of regression events."""

    def check_rules(self, rules_dir):
        p = run(["sigma", "check", "--json", rules_dir])
        rows = [json.loads(l) for l in p.stdout.decode().splitlines()]
        summary = rows[-1]["summary"]
        for key in ("hyperscan_patterns", "exact_values", "regex_deferred", "always_rules"):
            self.assertIn(key, summary)
        self.assertEqual(p.returncode, 0 if summary["problems"] == 0 else 1)
        for r in rows[:-1]:
            self.assertTrue(r["reason"] and r["file"])
        return summary

    def scan(self, files, rules):
        args = ["scan", "--no-dedup", "--summary", "--event-bytes", "0", "--rules", rules]
        p = run(args + files)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        hits, summary = {}, None
        for line in p.stdout.decode().splitlines():
            r = json.loads(line)
            if r["type"] == "summary":
                summary = r
                continue
            self.assertEqual(r["type"], "sigma")
            name = os.path.basename(r["source"].rsplit(":", 1)[0])[:-5]
            hits.setdefault(name, set()).add(r["rule"]["id"])
            self.assertTrue(r["fields"])
        self.assertEqual(summary["parse_errors"], 0)
        self.assertEqual(summary["files"], len(files))
        return hits, summary

    def check_regression(self, events_dir, rule_dirs):
        files = sorted(os.path.join(events_dir, f) for f in os.listdir(events_dir)
                       if f.endswith(".json"))
        # the rule file of each event (the whole set is compiled by check_rules)
        ids = {os.path.basename(f)[:-5] for f in files}
        rules = tempfile.mkdtemp(prefix="rules-")
        self.addCleanup(shutil.rmtree, rules)
        for d in rule_dirs:
            for root, _, names in os.walk(d):
                for n in names:
                    if n.endswith(".yml"):
                        path = os.path.join(root, n)
                        with open(path, encoding="utf-8") as f:
                            text = f.read()
                        if any("id: " + i in text for i in ids):
                            os.symlink(os.path.abspath(path), os.path.join(rules, n))
        hits, _ = self.scan(files, rules)
        missed = [os.path.basename(f)[:-5] for f in files
                  if os.path.basename(f)[:-5] not in hits.get(os.path.basename(f)[:-5], set())]
        self.assertEqual(missed, [])
        return files


class Sigma(Checks, unittest.TestCase):
    def test_check_project_rules(self):
        summary = self.check_rules(fixture("sigma", "rules"))
        self.assertEqual(summary["problems"], 0)
        self.assertEqual(summary["rules"], 7)
        self.assertEqual(summary["loaded"], 7)

    def test_check_reports_reasons(self):
        d = tempfile.mkdtemp(prefix="sigma-")
        try:
            with open(os.path.join(d, "good.yml"), "w") as f:
                f.write("title: good\nid: g\nlogsource: {product: windows}\ndetection:\n"
                        "  s:\n    Image|endswith: '\\\\x.exe'\n  condition: s\n")
            with open(os.path.join(d, "bad.yml"), "w") as f:
                f.write("title: bad\nid: b\nlogsource: {product: windows}\ndetection:\n"
                        "  s:\n    Image|sideways: 'x'\n  condition: s\n---\n"
                        "title: worse\nid: w\nlogsource: {product: windows}\ndetection:\n"
                        "  s:\n    Image: 'x'\n  condition: s or nothing\n")
            with open(os.path.join(d, "broken.yaml"), "w") as f:
                f.write("title: [unclosed\n")
            p = run(["sigma", "check", d])
            self.assertEqual(p.returncode, 1)
            out = p.stdout.decode()
            self.assertIn("bad.yml:1: b: selection s: unknown modifier \"sideways\"", out)
            self.assertIn("bad.yml:9: w: condition: unknown selection", out)
            self.assertIn("broken.yaml", out)
            self.assertIn("1 of 4 rules loaded", out)
        finally:
            shutil.rmtree(d)

    def test_scan_regression_events(self):
        files = self.check_regression(fixture("sigma", "events"), [fixture("sigma", "rules")])
        self.assertGreaterEqual(len(files), 7)

    def test_scan_quiet_events(self):
        quiet = fixture("sigma", "quiet")
        files = sorted(os.path.join(quiet, f) for f in os.listdir(quiet) if f.endswith(".json"))
        hits, summary = self.scan(files, fixture("sigma", "rules"))
        self.assertEqual(hits, {})
        self.assertGreater(summary["events"], len(files) - 1)


class SigmaHQ(Checks, CorpusTest):
    corpus = "sigma"

    def test_check_sigmahq(self):
        summary = self.check_rules(self.corpus_path("rules"))
        self.assertGreaterEqual(summary["percent"], 95.0)
        self.assertGreater(summary["rules"], 3000)

    def test_scan_regression_events(self):
        files = self.check_regression(self.corpus_path("regression"),
                                      [self.corpus_path(d) for d in ("rules", "rules-emerging-threats",
                                                                     "rules-threat-hunting")])
        self.assertGreaterEqual(len(files), 144)


if __name__ == "__main__":
    main()
