"""The sample sector's register data: `finshield demo --no-serve` gives every one of the 376 member
institutions register records (varied, some failing), signed drills that passed the hub's checks,
and a supervision report and scores over all of them."""
import datetime
import json
import shutil
import tempfile
import unittest

from hubtest import run


class SampleRegisters(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fs-sample-regs-")
        p = run("demo", "--data", cls.dir, "--no-serve")
        assert p.returncode == 0, p.stderr
        cls.demo_err = p.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def export(self, reg):
        p = run("register", reg, "export", "--data", self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_every_institution_has_records(self):
        self.assertIn("for 376 institutions", self.demo_err)
        gov = self.export("governance")
        self.assertEqual(len({r["org"] for r in gov}), 376)
        self.assertEqual(len({r["org"] for r in self.export("talent")}), 376)
        drills = self.export("drill-evidence")
        verdicts = {r["fields"]["verdict"] for r in drills}
        self.assertEqual(verdicts, {"pass", "fail"})
        self.assertTrue(all(json.loads(r["fields"]["evidence"])["signature"] for r in drills[:20]))
        findings = self.export("findings")
        self.assertTrue(any(f["fields"]["escalation"] == "escalated" for f in findings))
        self.assertTrue(any(not f["fields"]["meets_targets"] for f in self.export("exercises-phishing")))
        self.assertTrue(self.export("requirement-sets"))

    def test_report_and_scores(self):
        # This year (in Taipei): the sample's dates are relative to today.
        year = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).year
        p = run("report", "supervision", "--data", self.dir, "--period", str(year), "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)
        t = r["totals"]
        self.assertEqual(t["orgs"], 376)
        self.assertGreater(t["services"], 376)
        self.assertGreater(t["drills_overdue"], 0)
        self.assertGreater(t["findings_escalated"], 0)
        self.assertLess(t["compliance_pct"], 100)
        tiers = {x["tier"]: x["count"] for x in t["score_tiers"]}
        self.assertGreater(len([c for c in tiers.values() if c]), 2)  # varied
        self.assertGreater(r["attention_total"], 10)
        p = run("report", "score", "--data", self.dir, "--org", "bank-001", "--json")
        s = json.loads(p.stdout)
        self.assertEqual(s["org"], "bank-001")
        self.assertTrue(s["parts"])


if __name__ == "__main__":
    unittest.main()
