"""The hub's own database into the safe-haven vault (#17, backups; docs/scale-out.md "Backups"):
a hub on PostgreSQL dumped with pg_dump (plain text), the dump and the hub's secrets stored in a
vault repository with `finshield vault backup`, restored from it with `vault restore`, loaded with
psql into a new database (C collation), and a hub folder made of the restored secrets serves it:
its audit trail verifies up to the head taken before the dump, and its organisations and
intelligence are there. (Runs in the pg.* run.)"""
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse

from hubtest import PG, Hub, indicator, new_store_config, org_body, run, taxii
from pgcluster import bindir, psql_url, with_dbname


@unittest.skipUnless(PG, "a hub on PostgreSQL (the pg.* run)")
class PgBackup(unittest.TestCase):
    def setUp(self):
        self.hub = Hub().start()
        self.tmp = tempfile.mkdtemp(prefix="finshield-pgbackup-")
        self.restored_url = None

    def tearDown(self):
        self.hub.cleanup()
        if self.restored_url:
            from hubtest import drop_database
            drop_database(self.restored_url)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def vault(self, *args):
        p = run("vault", *args, "--repo", os.path.join(self.tmp, "repo"),
                "--password-file", os.path.join(self.tmp, "pw"))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p

    def test_dump_into_the_vault_and_back(self):
        h = self.hub
        for i in range(5):
            self.assertEqual(h.admin("POST", "/api/v1/orgs", org_body(f"bk-{i}")).status, 201)
        objs = [indicator(f"198.51.100.{i}", tlp="green", n=i) for i in range(50)]
        r = taxii(h, "POST", "collections/sector/objects/", h.admin_token, body={"objects": objs})
        self.assertEqual(r.json()["success_count"], 50, r)
        self.assertEqual(h.stop(), 0)
        head = h.cli("audit", "head").stdout.strip()
        self.assertTrue(head)

        # pg_dump, as docs/scale-out.md says: plain text (deduplicates best from day to day).
        dump = os.path.join(self.tmp, "dump", "finshield.sql")
        os.makedirs(os.path.dirname(dump))
        b = bindir()
        p = subprocess.run([os.path.join(b, "pg_dump") if b else "pg_dump", "--format=plain",
                            "--no-owner", "--file", dump, "--dbname", h.db_url],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)

        # Into the vault with the hub's secrets, and back out.
        with open(os.path.join(self.tmp, "pw"), "w") as f:
            f.write("the hub's own vault password\n")
        self.vault("init", "--kdf", "min")
        self.vault("backup", dump, h.path("secrets"))
        out = os.path.join(self.tmp, "out")
        self.vault("restore", "latest", "--target", out)

        # A new database (C collation, as finshield init makes it) loaded with psql.
        _, self.restored_url = new_store_config()
        name = urllib.parse.urlsplit(self.restored_url).path.lstrip("/")
        psql_url(with_dbname(self.restored_url, "postgres"),
                 f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                 "LC_COLLATE 'C' LC_CTYPE 'C'")
        p = subprocess.run([os.path.join(b, "psql") if b else "psql", "-X", "-q",
                            "-v", "ON_ERROR_STOP=1", "-d", self.restored_url, "-f", out + dump],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)

        # A hub folder of the restored secrets on the restored database.
        d = os.path.join(self.tmp, "hub")
        os.mkdir(d)
        shutil.copytree(out + h.path("secrets"), os.path.join(d, "secrets"))
        with open(os.path.join(d, "finshield.ini"), "w") as f:
            f.write("[store]\nbackend = postgresql\nurl = %s\n" % self.restored_url)
        p = run("audit", "verify", "--expect-head", head, "--data", d)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = run("org", "list", "--data", d)
        self.assertEqual(p.returncode, 0, p.stderr)
        for i in range(5):
            self.assertIn(f"bk-{i}", p.stdout)
        n = psql_url(self.restored_url, "SELECT COUNT(*) FROM intel_object").strip()
        self.assertEqual(int(n), 50)


if __name__ == "__main__":
    unittest.main()
