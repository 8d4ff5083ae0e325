"""Edits the database behind the hub's back and checks that `finshield audit verify` names the
record that was altered, removed or reordered (and that GET /api/v1/audit/verify agrees); that
whoever can write hub.db but not read the hub's secret cannot recompute the keyed chain; that
signed heads are checked by verify and offline with the public key alone; and that a trail of
unkeyed records (before keyed records) stays verifiable, keyed from a marked record on."""
import json
import os
import tempfile
import unittest

from hubtest import Hub, audit_make_unkeyed, org_body, run
from hubtest import audit_rewrite_unkeyed as rewrite_unkeyed


class Tamper(unittest.TestCase):
    def setUp(self):
        self.hub = Hub().start()
        for i in range(8):
            r = self.hub.admin("POST", "/api/v1/orgs", org_body(f"bank-{i}"))
            self.assertEqual(r.status, 201)
        self.assertEqual(self.hub.stop(), 0)
        self.db = self.hub.db()
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

    def test_rewritten_chain_is_found(self):
        # #12 item 11: an edited record with every later hash recomputed (unkeyed) is still found.
        seq = self.last - 3
        self.db.execute("UPDATE audit_log SET actor_name = 'somebody else' WHERE seq = ?", (seq,))
        rewrite_unkeyed(self.db, seq)
        p = self.verify()
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn(f"record {seq} was altered", p.stdout)

    def test_whole_trail_rewritten_unkeyed_is_found(self):
        # Removing the mark where keyed records begin and rewriting the whole trail as if it had
        # never been keyed: the mark kept beside the hub's secret still says where keying began.
        self.db.execute("DELETE FROM audit_meta")
        self.db.execute("UPDATE audit_log SET actor_name = 'somebody else' WHERE seq = 2")
        rewrite_unkeyed(self.db, 1)
        p = self.verify()
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("keyed", p.stdout)
        # Opening the hub again does not make a new mark over the rewritten trail.
        p = self.verify()
        self.assertEqual(p.returncode, 1, p.stdout)

    def test_moved_mark_is_found(self):
        value = self.db.execute("SELECT value FROM audit_meta WHERE name = 'keyed_from'").fetchone()[0]
        self.db.execute("UPDATE audit_meta SET value = ? WHERE name = 'keyed_from'",
                        ("5" + value[value.index(":"):],))
        p = self.verify()
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("keyed", p.stdout)

    def test_signed_head(self):
        head = self.hub.cli("audit", "head").stdout.strip()
        seq, hsh, keyed, at, sig = head.split(":")
        self.assertEqual(int(seq), self.last)
        self.assertEqual(int(keyed), 1)  # a hub made keyed: every record is keyed
        key = self.hub.cli("audit", "key").stdout.strip()
        self.assertRegex(key, r"^[0-9a-f]{64}$")
        # Checked offline with the public key alone: no hub, another folder.
        away = tempfile.mkdtemp(prefix="finshield-away-")
        try:
            p = run("audit", "check-head", "--key", key, head, env=dict(os.environ, HOME=away, FINSHIELD_LANG="en"))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(f"record {self.last}", p.stdout)
            forged = ":".join([str(int(seq) + 1), hsh, keyed, at, sig])
            p = run("audit", "check-head", "--key", key, forged)
            self.assertEqual(p.returncode, 1)
            self.assertIn("signature", p.stderr)
            other = ("0" if key[0] != "0" else "1") + key[1:]
            self.assertEqual(run("audit", "check-head", "--key", other, head).returncode, 1)
        finally:
            os.rmdir(away)
        # verify takes the signed head; a forged one is refused, not taken for a broken chain.
        self.assertEqual(self.hub.cli("audit", "verify", "--expect-head", head).returncode, 0)
        p = self.hub.cli("audit", "verify", "--expect-head", forged)
        self.assertEqual(p.returncode, 1)
        self.assertIn("signature", p.stderr)
        # The end cut off after the head was signed: named.
        self.db.execute("DELETE FROM audit_log WHERE seq >= ?", (self.last - 1,))
        self.db.commit()
        p = self.hub.cli("audit", "verify", "--expect-head", head)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"records {self.last - 1} to {self.last} were removed", p.stdout)

    def test_member_gets_signed_head(self):
        self.hub.start()
        h = self.hub
        h.admin("POST", "/api/v1/users", {"org": "bank-1", "username": "m1", "display_name": "M", "role": "member-analyst"})
        tok = h.admin("POST", "/api/v1/tokens", {"user": "m1", "name": "t"}).json()["token"]
        r = h.request("GET", "/api/v1/audit/head", token=tok)
        self.assertEqual(r.status, 200, r)
        j = r.json()
        self.assertEqual(j["signed"].split(":")[:2], [str(j["seq"]), j["hash"]])
        self.assertEqual(j["head"], f"{j['seq']}:{j['hash']}")
        self.assertEqual(h.stop(), 0)
        self.assertEqual(j["public_key"], h.cli("audit", "key").stdout.strip())
        p = run("audit", "check-head", "--key", j["public_key"], j["signed"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(h.cli("audit", "verify", "--expect-head", j["signed"]).returncode, 0)

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


class Upgrade(unittest.TestCase):
    """A trail written before records were keyed: its records keep their SHA-256 links up to a
    marked record, later ones are keyed, and verify checks both parts."""

    def setUp(self):
        self.hub = Hub()
        for i in range(4):
            self.hub.cli("org", "add", "--code", f"old-{i}", "--name-zh", "舊", "--name-en", "Old",
                         "--industry", "bank", "--tier", "small", check=True)
        # Turn the hub back into one of before keyed records.
        self.old_last = audit_make_unkeyed(self.hub)

    def tearDown(self):
        self.hub.cleanup()

    def test_old_records_stay_readable(self):
        h = self.hub
        p = h.cli("audit", "verify")  # the first open marks the trail
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        h.cli("org", "add", "--code", "new-0", "--name-zh", "新", "--name-en", "New",
              "--industry", "bank", "--tier", "small", check=True)
        records = [json.loads(l) for l in h.cli("audit", "export").stdout.splitlines()]
        mark = next(r for r in records if r["action"] == "audit.keyed")
        self.assertEqual(mark["seq"], self.old_last + 1)
        self.assertEqual(mark["detail"]["keyed_from"], self.old_last + 1)
        self.assertEqual(mark["prev_hash"], records[self.old_last - 1]["hash"])
        self.assertEqual(records[-1]["action"], "org.create")
        head = h.cli("audit", "head").stdout.strip()
        self.assertEqual(int(head.split(":")[2]), self.old_last + 1)
        p = h.cli("audit", "verify", "--expect-head", head)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(f"{len(records)} records", p.stdout)
        db = h.db()
        try:
            # Old records are still checked by their SHA-256 links...
            db.execute("UPDATE audit_log SET actor_name = 'x' WHERE seq = 2")
            db.commit()
            p = h.cli("audit", "verify")
            self.assertEqual(p.returncode, 1)
            self.assertIn("record 2 was altered", p.stdout)
            db.execute("UPDATE audit_log SET actor_name = 'x' WHERE seq = 2")
            rewrite_unkeyed(db, 2)  # the old part can be recomputed by anyone...
            db.commit()
            p = h.cli("audit", "verify")
            self.assertEqual(p.returncode, 1)  # ...but then the keyed mark record no longer links
            self.assertIn(f"record {self.old_last + 1}", p.stdout)
        finally:
            db.close()


if __name__ == "__main__":
    unittest.main()
