"""Edits the database behind the hub's back and checks that `finshield audit verify` names the
record that was altered, removed or reordered (and that GET /api/v1/audit/verify agrees)."""
import sqlite3
import unittest

from hubtest import Hub, org_body


class Tamper(unittest.TestCase):
    def setUp(self):
        self.hub = Hub().start()
        for i in range(8):
            r = self.hub.admin("POST", "/api/v1/orgs", org_body(f"bank-{i}"))
            self.assertEqual(r.status, 201)
        self.assertEqual(self.hub.stop(), 0)
        self.db = sqlite3.connect(self.hub.path("hub.db"))
        self.last = self.db.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0]

    def tearDown(self):
        self.db.close()
        self.hub.cleanup()

    def verify(self):
        self.db.commit()
        return self.hub.cli("audit", "verify")

    def test_intact(self):
        p = self.verify()
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_altered_record_is_named(self):
        seq = self.last - 3
        self.db.execute("UPDATE audit_log SET actor_name = 'somebody else' WHERE seq = ?", (seq,))
        p = self.verify()
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"record {seq} was altered", p.stdout)

    def test_altered_detail_is_named(self):
        seq = self.last - 2
        self.db.execute("UPDATE audit_log SET detail = replace(detail, 'bank', 'hack') WHERE seq = ?", (seq,))
        p = self.verify()
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"record {seq} was altered", p.stdout)

    def test_removed_record_is_named(self):
        seq = self.last - 4
        self.db.execute("DELETE FROM audit_log WHERE seq = ?", (seq,))
        p = self.verify()
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"record {seq} was removed", p.stdout)

    def test_reordered_records_are_named(self):
        a, b = self.last - 5, self.last - 4
        self.db.execute("UPDATE audit_log SET seq = -1 WHERE seq = ?", (a,))
        self.db.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", (a, b))
        self.db.execute("UPDATE audit_log SET seq = ? WHERE seq = -1", (b,))
        p = self.verify()
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"record {a} is out of order", p.stdout)

    def test_truncated_end_found_with_kept_head(self):
        head = self.hub.cli("audit", "head").stdout.strip()
        self.db.execute("DELETE FROM audit_log WHERE seq >= ?", (self.last - 1,))
        self.db.commit()
        p = self.hub.cli("audit", "verify", "--expect-head", head)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"records {self.last - 1} to {self.last} were removed", p.stdout)

    def test_api_agrees(self):
        seq = self.last - 1
        self.db.execute("UPDATE audit_log SET at = at + 1 WHERE seq = ?", (seq,))
        self.db.commit()
        self.hub.start()
        r = self.hub.admin("GET", "/api/v1/audit/verify")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["result"], "altered")
        self.assertEqual(r.json()["first_bad_seq"], seq)
        self.assertEqual(self.hub.stop(), 0)


if __name__ == "__main__":
    unittest.main()
