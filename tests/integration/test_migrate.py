"""finshield migrate (#17 item 4): a hub's SQLite database copied into PostgreSQL, checked (rows
counted, rows compared, the audit trail verified up to the source's head) and resumable: a run
that stopped (here: on a value PostgreSQL refuses) goes on from where it stopped, a difference
between the two is found and named, and the hub then serves from PostgreSQL with everything there.
(Runs in the pg.* run.)"""
import os
import shutil
import sqlite3
import unittest

from hubtest import PG, Hub, indicator, new_store_config, org_body, run, taxii
from pgcluster import psql_url


@unittest.skipUnless(PG, "the copy goes into the PostgreSQL test cluster (the pg.* run)")
class Migrate(unittest.TestCase):
    def setUp(self):
        self.hub = Hub(sqlite=True).start()
        h = self.hub
        for i in range(20):
            self.assertEqual(h.admin("POST", "/api/v1/orgs", org_body(f"mig-{i}")).status, 201)
        r = h.admin("POST", "/api/v1/users", {"org": "mig-1", "username": "ana", "display_name": "Ana",
                                              "role": "member-analyst"})
        self.assertEqual(r.status, 201, r)
        objs = [indicator(f"198.51.100.{i % 250}", tlp="green", n=i) for i in range(300)]
        r = taxii(h, "POST", "collections/sector/objects/", h.admin_token, body={"objects": objs})
        self.assertEqual(r.json()["success_count"], 300, r)
        self.assertEqual(h.stop(), 0)
        self.head = h.cli("audit", "head").stdout.strip()
        self.store_ini, self.url = new_store_config()
        self.src = h.path("hub.db")

    def tearDown(self):
        self.hub.cleanup()
        from hubtest import drop_database
        drop_database(self.url)

    def migrate(self, *extra):
        return self.hub.cli("migrate", "--from", "sqlite:" + self.src, "--to", self.url, *extra)

    def sql(self, db, statement, params=()):
        c = sqlite3.connect(self.src)
        try:
            rows = c.execute(statement, params).fetchall()
            c.commit()
            return rows
        finally:
            c.close()

    def test_copy_check_resume_serve(self):
        # A value PostgreSQL refuses (not UTF-8) stops the first run in table org...
        good = self.sql(self.src, "SELECT name_en FROM org WHERE code = 'mig-9'")[0][0]
        self.sql(self.src, "UPDATE org SET name_en = CAST(X'C328' AS TEXT) WHERE code = 'mig-9'")
        p = self.migrate()
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("org", p.stderr)
        # ...after the tables before it were copied (the audit trail among them).
        copied = int(psql_url(self.url, "SELECT COUNT(*) FROM audit_log").strip())
        self.assertGreater(copied, 20)
        # Someone changes a record already copied: the check finds and names it.
        actor = psql_url(self.url, "SELECT actor_name FROM audit_log WHERE seq = 2").strip()
        psql_url(self.url, "UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 2")
        self.sql(self.src, "UPDATE org SET name_en = ? WHERE code = 'mig-9'", (good,))
        p = self.migrate("--sample", "1000000")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("table audit_log: the row with key 2 differs", p.stderr)
        # Put right, the run goes on from where the first stopped, and the copy is done.
        psql_url(self.url, f"UPDATE audit_log SET actor_name = '{actor}' WHERE seq = 2")
        p = self.migrate()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("going on from an earlier run", p.stdout)
        self.assertIn("audit trail verified", p.stdout)
        self.assertIn(self.head.split(":")[0] + ":" + self.head.split(":")[1], p.stdout)
        # The foreign keys are back and the copy's state is gone; a second copy is refused.
        fks = int(psql_url(self.url, "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f'").strip())
        self.assertGreater(fks, 10)
        self.assertEqual(psql_url(self.url, "SELECT to_regclass('store_copy_state')").strip(), "")
        p = self.migrate()
        self.assertEqual(p.returncode, 1)
        self.assertIn("already holds a hub", p.stderr)
        # The hub serves from PostgreSQL: everything is there and the trail verifies to the head.
        self.hub.store_config = self.store_ini
        self.hub.write_config("[auth]\nargon2 = interactive\n")
        self.hub.start()
        try:
            codes = [o["code"] for o in self.hub.admin("GET", "/api/v1/orgs?limit=1000").json()["items"]]
            self.assertEqual(len([c for c in codes if c.startswith("mig-")]), 20)
            r = taxii(self.hub, "GET", "collections/sector/objects/?limit=1000&match[type]=indicator",
                      self.hub.admin_token)
            self.assertEqual(len(r.json()["objects"]), 300)
            self.assertEqual(self.hub.request("GET", "/healthz").json()["store"], "postgresql")
        finally:
            self.assertEqual(self.hub.stop(), 0)
        p = self.hub.cli("audit", "verify", "--expect-head", self.head)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_init_refuses_a_database_that_holds_a_hub(self):
        # A second hub folder pointed at a database that has one: refused, nothing changed.
        other = Hub.__new__(Hub)
        other.dir = self.hub.path("other")
        os.mkdir(other.dir)
        other.store_config = self.store_ini
        other.write_config("")
        self.assertEqual(other.cli("init").returncode, 0)
        third = self.hub.path("third")
        os.mkdir(third)
        shutil.copy(os.path.join(other.dir, "finshield.ini"), third)
        p = run("init", "--data", third)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("already holds a hub", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(third, "secrets", "hub.key")))

    def test_usage(self):
        p = self.hub.cli("migrate", "--from", self.src, "--to", self.url)
        self.assertEqual(p.returncode, 2)
        self.assertIn("sqlite:PATH", p.stderr)
        p = self.hub.cli("migrate", "--from", "sqlite:" + self.src, "--to", "mysql://x")
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main()
