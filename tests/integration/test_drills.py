"""Recovery evidence end to end: a real `finshield vault drill --report-to` uploads signed
evidence to a real hub, which checks the signature, the registered key and the deposit
attestation, and judges the measured restore time against the service's RTO and MTPD. A tampered
record, an unregistered or revoked key, a mismatched attestation and a replay are refused and
write nothing; a failed restore is judged fail; a service without a drill within its period is
overdue; another member sees none of it."""
import datetime
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vault_data  # noqa: E402
from hubtest import BIN, ENV, Hub, org_body  # noqa: E402


def vault(*args, env=None):
    return subprocess.run([BIN, "vault", *args], capture_output=True, text=True, timeout=300,
                          env=dict(ENV, **(env or {})))


class Drills(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="fs-drill-it-")
        cls.hub = h = Hub(config="[http]\nrate_per_second = 0\n").start()
        for code in ("bank-a", "bank-b"):
            assert h.admin("POST", "/api/v1/orgs", org_body(code)).status == 201
        cls.tok = {}
        for user, org, role in (("a1", "bank-a", "member-admin"), ("b1", "bank-b", "member-admin"),
                                ("s1", "hub", "hub-analyst")):
            assert h.admin("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user,
                                                      "role": role}).status == 201
            cls.tok[user] = h.admin("POST", "/api/v1/tokens", {"user": user, "name": "t"}).json()["token"]
        cls.token_file = os.path.join(cls.tmp, "token")
        with open(cls.token_file, "w") as f:
            f.write(cls.tok["a1"] + "\n")
        # The institution's vault with two deposits.
        cls.pw = os.path.join(cls.tmp, "pw")
        with open(cls.pw, "w") as f:
            f.write("a long institution password\n")
        cls.repo = os.path.join(cls.tmp, "repo")
        cls.common = ["--repo", cls.repo, "--password-file", cls.pw]
        assert vault("init", *cls.common, "--kdf", "min").returncode == 0
        bank = vault_data.Bank(accounts=800, start=datetime.date.today() - datetime.timedelta(days=5))
        for d in range(2):
            files = bank.write(os.path.join(cls.tmp, "day%d" % d))
            p = vault("deposit", *cls.common, "--business-date", bank.date(), "--json", *files)
            assert p.returncode == 0, p.stderr
            cls.attestation = os.path.join(cls.tmp, "attestation-%d.json" % d)
            with open(cls.attestation, "w") as f:
                f.write(p.stdout)
            bank.advance()
        # Its services: deposits (drilled), loans (never drilled).
        for code, rto in (("deposits", 2), ("loans", 4)):
            r = cls.req("a1", "POST", "/api/v1/registers/bcm-services",
                        {"fields": {"code": code, "name": code, "mtpd_hours": 4, "rto_hours": rto,
                                    "drill_period_days": 90}})
            assert r.status == 201, r

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        cls.hub.close()

    @classmethod
    def req(cls, user, method, path, body=None):
        return cls.hub.request(method, path, token=cls.tok[user], body=body)

    def drill(self, *extra, service="deposits"):
        return vault("drill", *self.common, "--scratch", self.tmp, "--report-to", self.hub.url,
                     "--service", service, "--token-file", self.token_file, *extra)

    def latest_record(self):
        files = sorted(glob.glob(os.path.join(self.repo, "drills", "*.json")))
        with open(files[-1]) as f:
            return json.load(f)

    def evidence_count(self):
        return len(self.req("a1", "GET", "/api/v1/registers/drill-evidence").json()["items"])

    def test_1_unregistered_key_is_refused(self):
        p = self.drill()
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("has not registered", p.stderr)
        self.assertEqual(self.evidence_count(), 0)

    def test_2_accepted_and_judged(self):
        pk = self.latest_record()["public_key"]
        r = self.req("a1", "POST", "/api/v1/registers/vault-keys", {"fields": {"name": "vault-1", "public_key": pk}})
        self.assertEqual(r.status, 201, r)
        p = self.drill("--attestation", self.attestation)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("hub verdict for deposits: pass", p.stderr)
        items = self.req("a1", "GET", "/api/v1/registers/drill-evidence").json()["items"]
        self.assertEqual(len(items), 1)
        f = items[0]["fields"]
        self.assertRegex(f["reason_zh"], r"^還原費時 [0-9.]+ 秒，在 .* 小時的 RTO 與 .* 小時的 MTPD 之內$")
        rec = self.latest_record()
        self.assertEqual((f["verdict"], f["service"], f["attested"], f["key"]), ("pass", "deposits", True, "vault-1"))
        self.assertEqual(f["restore_seconds"], rec["restore_seconds"])
        self.assertEqual(f["snapshot"], rec["snapshot"])
        self.assertEqual(json.loads(f["evidence"])["signature"], rec["signature"])
        st = self.req("a1", "GET", "/api/v1/resilience/drills").json()
        by = {s["service"]: s for s in st["services"]}
        self.assertEqual(by["deposits"]["status"], "pass")
        self.assertEqual(by["deposits"]["latest_drill"]["id"], items[0]["id"])
        self.assertEqual(by["loans"]["status"], "overdue")  # never drilled
        self.assertEqual((st["pass"], st["fail"], st["overdue"]), (1, 0, 1))
        # 90 days on, the drill no longer counts.
        later = (datetime.date.today() + datetime.timedelta(days=100)).isoformat()
        st = self.req("a1", "GET", "/api/v1/resilience/drills?as_of=" + later).json()
        self.assertEqual({s["service"]: s["status"] for s in st["services"]}, {"deposits": "overdue", "loans": "overdue"})
        # Replaying the same record is refused.
        r = self.req("a1", "POST", "/api/v1/resilience/drills", {"service": "deposits", "evidence": rec})
        self.assertEqual(r.status, 409, r)
        # Another member sees nothing of it; the hub's analysts and the supervisor do.
        self.assertEqual(self.req("b1", "GET", "/api/v1/resilience/drills?org=bank-a").status, 404)
        self.assertEqual(self.req("b1", "GET", "/api/v1/registers/drill-evidence/" + items[0]["id"]).status, 404)
        self.assertEqual(self.req("s1", "GET", "/api/v1/resilience/drills?org=bank-a").status, 200)

    def test_3_tampered_records_are_refused(self):
        p = vault("drill", *self.common, "--scratch", self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        rec = json.loads(p.stdout)
        before = self.evidence_count()
        faster = dict(rec, restore_seconds=0.001)
        r = self.req("a1", "POST", "/api/v1/resilience/drills", {"service": "deposits", "evidence": faster})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json()["error"]["where"], "evidence: signature")
        self.assertIn("does not verify", r.json()["error"]["detail"])
        other_key = dict(rec, public_key="11" * 32)
        r = self.req("a1", "POST", "/api/v1/resilience/drills", {"service": "deposits", "evidence": other_key})
        self.assertEqual(r.status, 400)
        # An attestation of another deposit does not vouch for this drill.
        with open(os.path.join(self.tmp, "attestation-0.json")) as f:
            old = json.load(f)
        r = self.req("a1", "POST", "/api/v1/resilience/drills",
                     {"service": "deposits", "evidence": rec, "attestation": old})
        self.assertEqual(r.status, 400, r)
        self.assertIn("attestation.", r.json()["error"]["where"])
        # A tampered attestation neither.
        with open(self.attestation) as f:
            att = json.load(f)
        att["business_date"] = "2020-01-01"
        r = self.req("a1", "POST", "/api/v1/resilience/drills",
                     {"service": "deposits", "evidence": rec, "attestation": att})
        self.assertEqual(r.status, 400)
        # Another member cannot file it as its own (its key is bank-a's).
        r = self.req("b1", "POST", "/api/v1/resilience/drills", {"service": "deposits", "evidence": rec})
        self.assertEqual(r.status, 400)
        # An unknown service.
        r = self.req("a1", "POST", "/api/v1/resilience/drills", {"service": "cards", "evidence": rec})
        self.assertEqual(r.status, 404)
        self.assertEqual(self.evidence_count(), before)
        # The genuine record is accepted.
        r = self.req("a1", "POST", "/api/v1/resilience/drills", {"service": "loans", "evidence": rec})
        self.assertEqual(r.status, 201, r)

    def test_4_failed_restore_is_judged_fail(self):
        # Damage every pack: the restore fails, the vault still signs what happened.
        for pack in glob.glob(os.path.join(self.repo, "data", "*", "*")):
            os.chmod(pack, 0o600)
            with open(pack, "r+b") as f:
                f.seek(40)
                b = f.read(1)
                f.seek(40)
                f.write(bytes([b[0] ^ 0xFF]))
        p = self.drill()
        self.assertEqual(p.returncode, 1)
        self.assertIn("hub verdict for deposits: FAIL", p.stderr)
        items = self.req("a1", "GET", "/api/v1/registers/drill-evidence?verdict=fail").json()["items"]
        self.assertEqual(len(items), 1)
        self.assertIn("the restore failed", items[0]["fields"]["reason"])
        self.assertTrue(items[0]["fields"]["reason_zh"].startswith("還原失敗："))  # (#18 item 12)

    def test_5_revoked_key_is_refused(self):
        k = self.req("a1", "GET", "/api/v1/registers/vault-keys").json()["items"][0]
        r = self.req("a1", "PATCH", "/api/v1/registers/vault-keys/" + k["id"], {"fields": {"revoked": True}})
        self.assertEqual(r.status, 200)
        p = vault("drill", *self.common, "--scratch", self.tmp)
        rec = json.loads(p.stdout)
        r = self.req("a1", "POST", "/api/v1/resilience/drills", {"service": "deposits", "evidence": rec})
        self.assertEqual(r.status, 400)
        self.assertIn("revoked", r.json()["error"]["detail"])


if __name__ == "__main__":
    unittest.main()
