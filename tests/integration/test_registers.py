"""Registers over real HTTP: every register's schema, validation (errors name the field) and
visibility. A member never reads another member's records on any route (get, list, versions,
export in JSON and CSV, update): it gets 404 or nothing, never 403. The supervisor reads all and
writes nothing; hub analysts read what the definition allows; sector registers are read by all.
Versions and "as of" reads, server-side paging, sorting and filtering, CSV and JSON import (all
rows or none) and the CLI."""
import csv
import io
import json
import unittest
import urllib.parse

from hubtest import Hub, org_body

USERS = {
    "a1": ("bank-a", "member-analyst"),
    "a2": ("bank-a", "member-admin"),
    "b1": ("bank-b", "member-analyst"),
    "c1": ("bank-c", "member-analyst"),
    "h1": ("hub", "hub-analyst"),
    "s1": ("fsc", "supervisor"),
}

# A valid record of every register, one invalid change (field, bad value), and who writes it.
SAMPLES = {
    "bcm-services": ({"code": "deposits", "name": "Deposits", "mtpd_hours": 4, "rto_hours": 2,
                      "rpo_hours": 0.25, "systems": ["core", "atm"], "drill_period_days": 180},
                     ("rto_hours", 5)),
    "bcm-backups": ({"code": "site-b", "environment": "offsite", "copies": 3, "media": 2,
                     "last_verified": "2026-10-01", "verification_result": "pass"},
                    ("environment", "moon")),
    "vault-keys": ({"name": "vault-1", "public_key": "ab" * 32}, ("public_key", "xyz")),
    "exercises-ddos": ({"code": "ddos-2026", "date": "2026-08-01", "detect_minutes": 3,
                        "mitigate_minutes": 12, "peak_gbps": 40}, ("detect_minutes", "fast")),
    "exercises-phishing": ({"code": "sej-2026", "date": "2026-05-01", "delivered": 1000,
                            "opened": 80, "clicked": 40, "credentials": 5, "reported": 200},
                           ("clicked", 2000)),
    "exercises-pentest": ({"code": "pt-2026", "kind": "external", "date": "2026-04-01",
                           "findings_high": 2}, ("kind", "sideways")),
    "findings": ({"code": "f-1", "source": "pentest", "severity": "high", "title": "Old TLS",
                  "found": "2026-04-02", "due": "2026-05-02", "status": "open"},
                 ("due", "2026-01-01")),
    "governance": ({"year": 2026, "total_assets_twd_billion": 1500, "ciso_rank": "vice-president",
                    "security_unit": "independent", "board_report": True,
                    "security_statement": True, "isms_certified": True}, ("year", 1999)),
    "self-assessments": ({"catalogue": "2026.1", "control": "gov-01", "status": "implemented",
                          "assessed": "2026-06-30"}, ("status", "done")),
    "talent": ({"year": 2026, "role": "security-engineer", "headcount": 10, "required_hours": 12,
                "hours_completed": 150, "certified": 4}, ("certified", 11)),
    "third-parties": ({"code": "cloud-1", "name": "Sample Cloud", "kind": "cloud",
                       "criticality": "high", "risk_rating": "medium", "next_review": "2027-01-31"},
                      ("kind", "magic")),
    "sanctions": ({"code": "s-1", "date": "2026-02-01", "kind": "fine", "points": 10,
                   "reason": "late report"}, ("points", 99)),
    "controls": ({"catalogue": "2026.1", "control": "gov-01", "domain": "govern",
                  "title_en": "Security governance", "title_zh": "資安治理"}, ("domain", "x")),
    "requirement-sets": ({"code": "base", "title_en": "Base", "title_zh": "基本",
                          "effective_from": "2026-01-01",
                          "requirements": ["ciso: governance.ciso_level >= 2"]},
                         ("requirements", ["no colon here"])),
    "training-map": ({"role": "soc-analyst", "competency": "triage", "course": "SOC 101",
                      "hours": 12}, ("hours", -1)),
}
SECTOR = {"controls", "requirement-sets", "training-map"}
HUB_WRITTEN = {"sanctions"}  # members read theirs, only the hub writes


class Registers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = h = Hub(config="[http]\nrate_per_second = 0\n").start()
        for code in ("bank-a", "bank-b", "bank-c"):
            assert h.admin("POST", "/api/v1/orgs", org_body(code)).status == 201
        assert h.admin("POST", "/api/v1/orgs", {"code": "fsc", "name_zh": "主管", "name_en": "FSC",
                                                 "industry": "regulator", "size_tier": "large"}).status == 201
        cls.tok = {}
        for user, (org, role) in USERS.items():
            r = h.admin("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user,
                                                   "role": role})
            assert r.status == 201, r
            cls.tok[user] = h.admin("POST", "/api/v1/tokens", {"user": user, "name": "t"}).json()["token"]
        cls.ids = {}
        for reg, (fields, _) in SAMPLES.items():
            if reg in SECTOR:
                r = cls.req("h1", "POST", f"/api/v1/registers/{reg}", {"fields": fields})
            elif reg in HUB_WRITTEN:
                r = cls.req("h1", "POST", f"/api/v1/registers/{reg}", {"org": "bank-a", "fields": fields})
            else:
                r = cls.req("a1", "POST", f"/api/v1/registers/{reg}", {"fields": fields})
            assert r.status == 201, (reg, r)
            cls.ids[reg] = r.json()["id"]

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    @classmethod
    def req(cls, user, method, path, body=None, **kw):
        return cls.hub.request(method, path, token=cls.tok[user], body=body, **kw)

    def test_index_and_schema(self):
        names = [x["name"] for x in self.req("b1", "GET", "/api/v1/registers").json()["items"]]
        for reg in list(SAMPLES) + ["drill-evidence"]:
            self.assertIn(reg, names)
            s = self.req("b1", "GET", f"/api/v1/registers/{reg}/schema").json()
            self.assertEqual(s["name"], reg)
            self.assertTrue(s["label"]["zh-TW"] and s["label"]["en"])
            for f in s["fields"]:
                self.assertTrue(f["label"]["zh-TW"] and f["label"]["en"], f)
        svc = self.req("b1", "GET", "/api/v1/registers/bcm-services/schema").json()
        mtpd = [f for f in svc["fields"] if f["name"] == "mtpd_hours"][0]
        self.assertEqual((mtpd["type"], mtpd["required"], mtpd["indexed"]), ("number", True, True))
        self.assertEqual(self.req("b1", "GET", "/api/v1/registers/nope/schema").status, 404)

    def test_validation_names_the_field(self):
        for reg, (fields, (name, value)) in SAMPLES.items():
            who = "h1" if reg in SECTOR or reg in HUB_WRITTEN else "a1"
            body = {"fields": dict(fields, **{name: value})}
            if reg in HUB_WRITTEN:
                body["org"] = "bank-a"
            r = self.req(who, "POST", f"/api/v1/registers/{reg}", body)
            self.assertEqual(r.status, 400, (reg, r))
            self.assertIn("fields." + name, r.json()["error"]["where"], (reg, r))
            # The same bad value in a change of the stored record.
            r = self.req(who, "PATCH", f"/api/v1/registers/{reg}/{self.ids[reg]}", {"fields": {name: value}})
            self.assertEqual(r.status, 400, (reg, r))
            self.assertIn("fields." + name, r.json()["error"]["where"], (reg, r))
            # A missing required field, and an unknown one.
            required = [k for k in fields if k in ("code", "name", "year", "role", "control", "catalogue")]
            if required:
                body = {"fields": {k: v for k, v in fields.items() if k != required[0]}}
                if reg in HUB_WRITTEN:
                    body["org"] = "bank-a"
                r = self.req(who, "POST", f"/api/v1/registers/{reg}", body)
                self.assertEqual(r.status, 400, (reg, r))
                self.assertIn("fields." + required[0], r.json()["error"]["where"])
            r = self.req(who, "POST", f"/api/v1/registers/{reg}", {"fields": dict(fields, colour="red")})
            self.assertEqual(r.status, 400)
            self.assertEqual(r.json()["error"]["where"], "fields.colour")
        # Derived fields are the hub's.
        r = self.req("a1", "POST", "/api/v1/registers/exercises-phishing",
                     {"fields": dict(SAMPLES["exercises-phishing"][0], code="x", click_rate=1)})
        self.assertEqual(r.json()["error"]["where"], "fields.click_rate")
        # A duplicate key is a conflict.
        r = self.req("a1", "POST", "/api/v1/registers/bcm-services", {"fields": SAMPLES["bcm-services"][0]})
        self.assertEqual(r.status, 409)
        # Drill evidence only comes from uploads.
        r = self.req("a1", "POST", "/api/v1/registers/drill-evidence", {"fields": {"evidence_id": "x"}})
        self.assertEqual(r.status, 400)

    def test_derived_fields(self):
        p = self.req("a1", "GET", f"/api/v1/registers/exercises-phishing/{self.ids['exercises-phishing']}").json()
        self.assertEqual((p["fields"]["open_rate"], p["fields"]["click_rate"], p["fields"]["meets_targets"]),
                         (8.0, 4.0, True))
        g = self.req("a1", "GET", f"/api/v1/registers/governance/{self.ids['governance']}").json()["fields"]
        self.assertTrue(g["large_institution"])
        self.assertEqual((g["internal_control_met"], g["internal_control_gaps"], g["ciso_level"]), (True, [], 3))
        r = self.req("a1", "POST", "/api/v1/registers/governance",
                     {"fields": dict(SAMPLES["governance"][0], year=2025, board_report=False,
                                     security_unit="dedicated", ciso_rank="manager")})
        g = r.json()["fields"]
        self.assertEqual(g["internal_control_gaps"], ["independent-security-unit", "unit-head-avp-or-above",
                                                      "yearly-board-report"])
        f = self.req("a1", "GET", f"/api/v1/registers/findings/{self.ids['findings']}").json()["fields"]
        self.assertTrue(f["overdue"])
        self.assertEqual(f["escalation"], "escalated")

    def visible(self, user, reg):
        """What `user` sees of bank-a's sample record of reg, through every read route."""
        rid, seen = self.ids[reg], {}
        r = self.req(user, "GET", f"/api/v1/registers/{reg}/{rid}")
        seen["get"] = r.status
        r = self.req(user, "GET", f"/api/v1/registers/{reg}/{rid}/versions")
        seen["versions"] = r.status
        r = self.req(user, "GET", f"/api/v1/registers/{reg}?as_of=2099-01-01")
        seen["list"] = rid in [x["id"] for x in r.json()["items"]]
        r = self.req(user, "GET", f"/api/v1/registers/{reg}?org=bank-a")
        seen["list-org"] = rid in [x["id"] for x in r.json()["items"]]
        r = self.req(user, "GET", f"/api/v1/registers/{reg}/export")
        seen["export-json"] = rid in [x["id"] for x in json.loads(r.body)]
        r = self.req(user, "GET", f"/api/v1/registers/{reg}/export?format=csv")
        seen["export-csv"] = rid in r.body
        return seen

    def test_visibility_every_route(self):
        for reg in SAMPLES:
            if reg in SECTOR:
                for user in USERS:
                    s = self.visible(user, reg)
                    self.assertEqual((s["get"], s["list"], s["export-json"]), (200, True, True), (reg, user))
                continue
            own = self.visible("a1", reg)
            self.assertEqual(own, {"get": 200, "versions": 200, "list": True, "list-org": True,
                                   "export-json": True, "export-csv": True}, reg)
            other = self.visible("b1", reg)
            self.assertEqual(other, {"get": 404, "versions": 404, "list": False, "list-org": False,
                                     "export-json": False, "export-csv": False}, reg)
            sup = self.visible("s1", reg)
            self.assertEqual((sup["get"], sup["list"], sup["export-csv"]), (200, True, True), reg)
            hub = self.visible("h1", reg)
            self.assertEqual(hub["get"], 200, reg)  # every shipped register lets hub analysts read
            # Changing another member's record: 404 like a missing one, never 403.
            r = self.req("b1", "PATCH", f"/api/v1/registers/{reg}/{self.ids[reg]}", {"fields": {}})
            self.assertEqual(r.status, 404, reg)
            r = self.req("b1", "PATCH", f"/api/v1/registers/{reg}/00000000-0000-4000-8000-000000000000",
                         {"fields": {}})
            self.assertEqual(r.status, 404)
            # The supervisor reads and never writes.
            r = self.req("s1", "PATCH", f"/api/v1/registers/{reg}/{self.ids[reg]}", {"fields": {}})
            self.assertEqual(r.status, 403, reg)
        # Writing for another organisation is refused; the sector's registers are the hub's.
        r = self.req("b1", "POST", "/api/v1/registers/bcm-services",
                     {"org": "bank-a", "fields": dict(SAMPLES["bcm-services"][0], code="x")})
        self.assertEqual(r.status, 403)
        r = self.req("a2", "POST", "/api/v1/registers/controls", {"fields": dict(SAMPLES["controls"][0], control="x")})
        self.assertEqual(r.status, 403)
        r = self.req("a2", "PATCH", f"/api/v1/registers/sanctions/{self.ids['sanctions']}", {"fields": {"points": 5}})
        self.assertEqual(r.status, 403)
        r = self.req("s1", "POST", "/api/v1/registers/bcm-services", {"org": "bank-a", "fields": SAMPLES["bcm-services"][0]})
        self.assertEqual(r.status, 403)

    def test_versions_and_as_of(self):
        r = self.req("a1", "POST", "/api/v1/registers/third-parties",
                     {"fields": dict(SAMPLES["third-parties"][0], code="api-1", kind="open-api")})
        rid = r.json()["id"]
        before = r.json()["updated_at"]
        r = self.req("a1", "PATCH", f"/api/v1/registers/third-parties/{rid}",
                     {"fields": {"risk_rating": "high"}, "version": 1})
        self.assertEqual((r.status, r.json()["version"]), (200, 2))
        r = self.req("a1", "PATCH", f"/api/v1/registers/third-parties/{rid}",
                     {"fields": {"risk_rating": "low"}, "version": 1})
        self.assertEqual(r.status, 409)
        v = self.req("a1", "GET", f"/api/v1/registers/third-parties/{rid}/versions").json()["versions"]
        self.assertEqual([x["fields"]["risk_rating"] for x in v], ["medium", "high"])
        old = self.req("a1", "GET", f"/api/v1/registers/third-parties/{rid}?as_of=" + urllib.parse.quote(before)).json()
        self.assertEqual((old["version"], old["fields"]["risk_rating"]), (1, "medium"))
        self.assertEqual(self.req("a1", "GET", f"/api/v1/registers/third-parties/{rid}?as_of=2000-01-01").status, 404)
        # The audit trail has both changes.
        a = self.hub.admin("GET", "/api/v1/audit?limit=1000").json()["items"]
        acts = [x["action"] for x in a if x.get("object_id") == rid]
        self.assertEqual(sorted(acts), ["register.create", "register.update"])

    def test_paging_sorting_filtering(self):
        for i in range(7):
            r = self.req("b1", "POST", "/api/v1/registers/exercises-phishing",
                         {"fields": {"code": f"p{i}", "date": f"2026-0{i + 1}-15", "delivered": 100,
                                     "opened": 5 + i, "clicked": i}})
            self.assertEqual(r.status, 201, r)
        seen, after = [], None
        while True:
            q = "sort=-date&limit=3" + ("&after=" + after if after else "")
            page = self.req("b1", "GET", "/api/v1/registers/exercises-phishing?" + q).json()
            seen += [x["fields"]["date"] for x in page["items"]]
            after = page["next"]
            if not after:
                break
        self.assertEqual(seen, sorted(seen, reverse=True))
        self.assertEqual(len(seen), 7)
        r = self.req("b1", "GET", "/api/v1/registers/exercises-phishing?date=2026-03-15").json()
        self.assertEqual([x["fields"]["code"] for x in r["items"]], ["p2"])
        r = self.req("b1", "GET", "/api/v1/registers/exercises-phishing?sort=click_rate")
        self.assertEqual(r.status, 400)
        r = self.req("b1", "GET", "/api/v1/registers/exercises-phishing?opened=5")
        self.assertEqual(r.status, 400)  # not an indexed field
        r = self.req("b1", "GET", "/api/v1/registers/exercises-phishing?after=zz")
        self.assertEqual(r.status, 400)

    def test_import_export_round_trip(self):
        rows = [["code", "name", "kind", "criticality", "risk_rating", "next_review", "services"],
                ["mob-1", "Mobile banking app", "mobile-app", "high", "medium", "2027-03-01", "app;login"],
                ["sw-1", "Core vendor, \"quoted\"", "outsourcing", "high", "low", "2027-06-30", ""]]
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        r = self.req("b1", "POST", "/api/v1/registers/third-parties/import?format=csv", raw=buf.getvalue().encode(),
                     headers={"Content-Type": "text/csv"})
        self.assertEqual((r.status, r.json()["created"]), (200, 2), r)
        # Again, changed: the same keys update.
        rows[1][4] = "high"
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        r = self.req("b1", "POST", "/api/v1/registers/third-parties/import", raw=buf.getvalue().encode(),
                     headers={"Content-Type": "text/csv"})
        self.assertEqual((r.json()["created"], r.json()["updated"]), (0, 2))
        exp = self.req("b1", "GET", "/api/v1/registers/third-parties/export?format=csv").body
        got = list(csv.DictReader(io.StringIO(exp)))
        self.assertEqual({g["code"]: g["risk_rating"] for g in got}, {"mob-1": "high", "sw-1": "low"})
        self.assertEqual([g["name"] for g in got if g["code"] == "sw-1"], ['Core vendor, "quoted"'])
        # A bad row: nothing is imported and the error names the row and the field.
        bad = "code,name,kind,criticality,risk_rating,next_review\nn-1,X,cloud,high,low,2027-01-01\nn-2,Y,cloud,high,low,soon\n"
        r = self.req("b1", "POST", "/api/v1/registers/third-parties/import?format=csv", raw=bad.encode())
        self.assertEqual(r.status, 400)
        self.assertIn("row 2", r.json()["error"]["where"])
        self.assertIn("fields.next_review", r.json()["error"]["where"])
        codes = [x["fields"]["code"] for x in self.req("b1", "GET", "/api/v1/registers/third-parties").json()["items"]]
        self.assertNotIn("n-1", codes)
        # JSON: the export imports back into another organisation's register unchanged.
        exp = json.loads(self.req("b1", "GET", "/api/v1/registers/third-parties/export").body)
        for x in exp:
            x.pop("org")
        r = self.req("a1", "POST", "/api/v1/registers/third-parties/import", raw=json.dumps(exp).encode(),
                     headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)
        # A member cannot import into another organisation.
        r = self.req("a1", "POST", "/api/v1/registers/third-parties/import?org=bank-b",
                     raw=json.dumps(exp).encode(), headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 403)

    def test_sector_summary_of_member_visible_fields(self):
        base = {"criticality": "high", "risk_rating": "low", "next_review": "2027-05-01"}
        for user in ("a1", "b1", "c1"):
            r = self.req(user, "POST", "/api/v1/registers/third-parties",
                         {"fields": dict(base, code="shared", name="Shared Cloud", kind="cloud")})
            self.assertEqual(r.status, 201, r)
        r = self.req("c1", "POST", "/api/v1/registers/third-parties",
                     {"fields": dict(base, code="own", name="Only Mine Fintech", kind="fintech")})
        self.assertEqual(r.status, 201)
        r = self.req("b1", "GET", "/api/v1/registers/third-parties/summary?field=kind")
        self.assertEqual(r.status, 200, r)
        s = r.json()
        counts = {x["value"]: x["institutions"] for x in s["items"]}
        self.assertGreaterEqual(counts["cloud"], 3)
        self.assertNotIn("fintech", counts)  # one institution only: not shown
        self.assertGreaterEqual(s["values_with_fewer"], 1)
        names = {x["value"] for x in self.req("b1", "GET", "/api/v1/registers/third-parties/summary?field=name").json()["items"]}
        self.assertIn("Shared Cloud", names)
        self.assertNotIn("Only Mine Fintech", names)
        for code in ("bank-a", "bank-c"):
            self.assertNotIn(code, r.body)
        self.assertNotIn(self.ids["third-parties"], r.body)
        # Only member-visible fields.
        self.assertEqual(self.req("b1", "GET", "/api/v1/registers/third-parties/summary?field=risk_rating").status, 400)
        self.assertEqual(self.req("b1", "GET", "/api/v1/registers/governance/summary?field=ciso_rank").status, 400)

    def test_cli(self):
        h = self.hub
        p = h.cli("register", "talent", "add", "--org", "bank-b", "-f", "year=2025", "-f", "role=ciso",
                  "-f", "headcount=1", "-f", "required_hours=30", "-f", "hours_completed=12", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        rid = json.loads(p.stdout)["id"]
        self.assertFalse(json.loads(p.stdout)["fields"]["meets_hours"])
        p = h.cli("register", "talent", "update", rid, "-f", "hours_completed=31", "--version", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = h.cli("register", "talent", "show", rid, "--versions")
        self.assertEqual(len(json.loads(p.stdout)["versions"]), 2)
        p = h.cli("register", "talent", "list", "--org", "bank-b", "--as", "a1", "--json")
        self.assertEqual(json.loads(p.stdout), [])  # a1 is bank-a's
        p = h.cli("register", "talent", "show", rid, "--as", "a1")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not found", p.stderr)
        p = h.cli("register", "talent", "export", "--format", "csv", "--org", "bank-b")
        self.assertIn("ciso", p.stdout)
        p = h.cli("register", "talent", "add", "-f", "year=2025", "-f", "role=ciso", "--org", "bank-b",
                  "-f", "headcount=x")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("fields.headcount", p.stderr)
        p = h.cli("register")
        self.assertIn("bcm-services", p.stdout)


if __name__ == "__main__":
    unittest.main()
