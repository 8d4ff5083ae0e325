"""`finshield incident` on the command line: the clock policy file (per-industry shortening,
errors with file:line), reporting with the proposed level explained in both languages, the
workflow with validated times, teams, escalation with a simulated clock, statistics."""
import json
import os
import unittest

from hubtest import ENV, Hub, run


class IncidentCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub()
        cls.clock = cls.hub.path("clock.txt")
        cls.set_clock("2026-05-04T02:00:00Z")
        cls.hub.write_config("[hub]\nclock_file = %s\n" % cls.clock)
        for args in (("--code", "fhc-c", "--industry", "financial_holding", "--name-zh", "丙金控", "--name-en", "C FHC"),
                     ("--code", "bank-c", "--industry", "bank", "--group", "fhc-c", "--name-zh", "丙銀行",
                      "--name-en", "C Bank"),
                     ("--code", "sec-d", "--industry", "securities", "--name-zh", "丁證券", "--name-en", "D Sec")):
            p = cls.hub.cli("org", "add", *args, "--tier", "large")
            assert p.returncode == 0, p.stderr

    @classmethod
    def tearDownClass(cls):
        cls.hub.cleanup()

    @classmethod
    def set_clock(cls, t):
        with open(cls.clock, "w") as f:
            f.write(t + "\n")

    def cli(self, *args, lang="en"):
        return run(args[0], *args[1:], "--data", self.hub.dir, env=dict(ENV, FINSHIELD_LANG=lang))

    def test_policy_report_workflow(self):
        policy = self.hub.path("incident-policy.ini")
        with open(policy, "w") as f:
            f.write("[clocks]\nreport = 1h\n\n[industry.bank]\nreport = 30m\nrecovery_l3 = 24h\n")
        p = self.cli("incident", "rules")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("rule 3.d", p.stdout)
        self.assertIn("Clocks (from %s):" % policy, p.stdout)
        self.assertRegex(p.stdout, r"bank\s+report 30m; review 8h/8h/2h/2h; recovery 72h/72h/24h/36h")
        # A bank's report clock is 30 minutes; a securities firm keeps the default hour.
        p = self.cli("incident", "report", "--org", "bank-c", "--title", "ATM cash-out", "--category", "fraud",
                     "--discovered", "2026-05-04T01:20:00Z", "--system-class", "core_ci",
                     "--confidentiality", "none", "--integrity", "minor", "--availability", "within_mtpd",
                     "--indicator", "ipv4-addr:198.51.100.7", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        inc = json.loads(p.stdout)
        self.assertEqual(inc["level"], 3)
        clocks = {c["clock"]: c for c in inc["clocks"]}
        self.assertEqual(clocks["report"]["duration"], "30m")
        self.assertEqual(clocks["report"]["state"], "late")  # aware 01:20, reported 02:00
        self.assertEqual(clocks["recovery"]["duration"], "24h")
        self.assertRegex(inc["ref"], r"^INC-bank-c-2026-\d{4}$")
        self.assertRegex(inc["sector_ref"], r"^INC-2026-\d{4}$")  # the local operator sees it
        p = self.cli("incident", "show", inc["sector_ref"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("sector number: " + inc["sector_ref"], p.stdout)
        p = self.cli("incident", "show", inc["ref"], lang="zh-TW")
        self.assertIn("第 3 級", p.stdout)
        self.assertIn("規則", p.stdout)
        self.assertIn("2026-05-04 12:00:00 +08:00", p.stdout)  # review due, Asia/Taipei
        # Bad input: clear errors, nothing written.
        p = self.cli("incident", "report", "--org", "sec-d", "--title", "x", "--category", "meteor",
                     "--discovered", "2026-05-04T01:00:00Z", "--system-class", "core")
        self.assertEqual(p.returncode, 1)
        self.assertIn("$.category", p.stderr)
        p = self.cli("incident", "report", "--org", "sec-d", "--title", "x", "--category", "ddos",
                     "--discovered", "2026-05-05T01:00:00Z", "--system-class", "core")
        self.assertEqual(p.returncode, 1)
        self.assertIn("future", p.stderr)
        p = self.cli("incident", "status", inc["ref"], "--status", "recovered", "--at", "2026-05-03T00:00:00Z")
        self.assertEqual(p.returncode, 1)
        self.assertIn("before the discovery", p.stderr)
        p = self.cli("incident", "list", "--json")
        self.assertEqual(len(json.loads(p.stdout)), 1)
        # Three hours later the review (2 h for level 3) is overdue; one escalation pass finds it.
        self.set_clock("2026-05-04T05:00:00Z")
        p = self.cli("incident", "list", "--overdue")
        self.assertIn(inc["ref"], p.stdout)
        p = self.cli("incident", "escalate")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 overdue clocks escalated", p.stdout)
        self.assertIn("0 overdue", self.cli("incident", "escalate").stdout)
        p = self.cli("incident", "level", inc["ref"], "--level", "4")
        self.assertEqual(p.returncode, 1)
        self.assertIn("reason", p.stderr)
        p = self.cli("incident", "level", inc["ref"], "--level", "4", "--reason", "CI payment switch")
        self.assertEqual(p.returncode, 0, p.stderr)
        # The reviewed level, and the proposal labelled as such (#18 item 16).
        p = self.cli("incident", "show", inc["ref"])
        self.assertIn("level: 4 (reviewed)", p.stdout)
        self.assertRegex(p.stdout, r"\n  proposed: Level 3: .*\(rule 3\.[a-e]\)\n")
        p = self.cli("incident", "show", inc["ref"], lang="zh-TW")
        self.assertRegex(p.stdout, r"\n  建議等級：第 3 級：")
        p = self.cli("incident", "status", inc["ref"], "--status", "contained", "--note", "cards blocked")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("met", p.stdout)
        p = self.cli("incident", "note", inc["ref"], "--text", "mule accounts frozen")
        self.assertEqual(p.returncode, 0, p.stderr)
        st = json.loads(self.cli("incident", "stats").stdout)
        self.assertEqual(st["by_category"], {"fraud": 1})
        self.assertEqual(st["by_level"], {"4": 1})
        # Teams from the command line.
        p = self.cli("incident", "team", "add", "--org", "fhc-c", "--code", "fhc-c-irt", "--name-zh", "丙金控小組",
                     "--name-en", "C IRT", "--kind", "group", "--skill", "forensics", "--skill", "payment_systems")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.cli("incident", "team", "add", "--org", "bank-c", "--code", "bad", "--name-zh", "x",
                     "--name-en", "x", "--kind", "group")
        self.assertEqual(p.returncode, 1)
        self.assertIn("financial holding", p.stderr)
        self.assertIn("fhc-c-irt", self.cli("incident", "team", "list").stdout)
        # An invalid policy file stops everything with its file and line.
        with open(policy, "w") as f:
            f.write("[clocks]\nreport = 1h\n[industry.bank]\nreview_l3 = 3h\n")
        p = self.cli("incident", "rules")
        self.assertEqual(p.returncode, 1)
        self.assertIn("incident-policy.ini:4", p.stderr)
        self.assertIn("only shorten", p.stderr)
        # serve refuses to start with it, in the very same words (#18 item 6).
        s = run("serve", "--data", self.hub.dir, "--listen", "127.0.0.1:0")
        self.assertEqual(s.returncode, 1, s.stdout)
        self.assertEqual(s.stderr, p.stderr)
        os.unlink(policy)
        p = self.cli("incident", "rules")
        self.assertEqual(p.returncode, 0, p.stderr)
        # No file: it names none (#18 item 16).
        self.assertNotIn("incident-policy.ini", p.stdout)
        self.assertIn("Clocks (the legal defaults; no policy file, see incident.policy_file):", p.stdout)
        p = self.cli("incident", "rules", lang="zh-TW")
        self.assertIn("法定預設", p.stdout)


if __name__ == "__main__":
    unittest.main()
