"""Supervision over real HTTP and the CLI, with a simulated clock: the incentive score of a known
institution computed by hand from its registers, sanctions and incidents under the shipped
example model (the insurance stabilisation fund's 2018 formula, reconstructed), every part with
the records behind it; the same score reproduced for a past date after the records changed; the
tiered requirement sets that apply by industry, size and date; the supervisor's report in JSON,
HTML (both languages, ROC dates) and PDF (checked with pdftotext); and who may see what."""
import datetime
import json
import os
import shutil
import subprocess
import unittest
import urllib.request

from hubtest import Hub, org_body, write_clock

T0 = datetime.datetime(2026, 11, 16, 2, 0, 0, tzinfo=datetime.timezone.utc)  # 10:00 in Taipei


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Supervision(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = h = Hub()
        cls.clock = h.path("clock.txt")
        cls.set_clock(T0)
        h.write_config("[auth]\nargon2 = interactive\n[http]\naccess_log = off\nrate_per_second = 0\n"
                       "[hub]\nclock_file = %s\n" % cls.clock)
        h.start()
        for body in (org_body("bank-k", size_tier="large"), org_body("bank-m"),
                     org_body("sec-s", "securities", size_tier="small"),
                     {"code": "fsc", "name_zh": "主管機關", "name_en": "Supervisor", "industry": "regulator",
                      "size_tier": "large"}):
            assert h.admin("POST", "/api/v1/orgs", body).status == 201
        cls.tok = {}
        for user, org, role in (("k1", "bank-k", "member-analyst"), ("m1", "bank-m", "member-analyst"),
                                ("h1", "hub", "hub-analyst"), ("s1", "fsc", "supervisor")):
            assert h.admin("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user,
                                                      "role": role}).status == 201
            cls.tok[user] = h.admin("POST", "/api/v1/tokens", {"user": user, "name": "t"}).json()["token"]
        # bank-k's records, as they stood at T0.
        cls.add("k1", "governance", {"year": 2026, "total_assets_twd_billion": 1200, "ciso_rank": "vice-president",
                                     "security_unit": "independent", "board_report": True, "security_statement": True,
                                     "isms_certified": True, "pims": "partial", "isms_pre_assessment": True,
                                     "security_assessment_done": True, "app_security_test_done": False})
        cls.gov_id = cls.last
        cls.add("h1", "sanctions", {"code": "s-2026-1", "date": "2026-06-01", "kind": "fine", "points": 5,
                                    "reason": "late report"}, org="bank-k")
        cls.add("h1", "sanctions", {"code": "s-2024-1", "date": "2024-06-01", "kind": "fine", "points": 30,
                                    "reason": "outside the period"}, org="bank-k")
        cls.add("k1", "bcm-services", {"code": "deposits", "name": "Deposits", "mtpd_hours": 4, "rto_hours": 2})
        cls.add("k1", "exercises-phishing", {"code": "sej-2026", "date": "2026-09-01", "delivered": 1000,
                                             "opened": 80, "clicked": 40})
        cls.add("k1", "findings", {"code": "f-1", "source": "inspection", "severity": "high", "title": "Old TLS",
                                   "found": "2026-07-01", "due": "2026-08-01", "status": "open"})
        # The hub's tiered requirement sets.
        cls.add("h1", "requirement-sets", {"code": "banks-large", "title_en": "Large banks", "title_zh": "大型銀行",
                                           "industries": ["bank"], "tiers": ["large"], "effective_from": "2026-01-01",
                                           "requirements": ["ciso-vp: governance.ciso_level >= 3",
                                                            "drills: drills.overdue == 0",
                                                            "phishing: phishing.meets_targets"]})
        cls.add("h1", "requirement-sets", {"code": "all-2027", "title_en": "Everyone from 2027",
                                           "title_zh": "2027 年起全體", "effective_from": "2027-01-01",
                                           "requirements": ["isms: governance.isms_certified"]})
        cls.add("h1", "requirement-sets", {"code": "internet-only", "title_en": "Internet-only banks",
                                           "title_zh": "純網路銀行", "industries": ["bank"], "business": "internet-only",
                                           "effective_from": "2026-01-01",
                                           "requirements": ["ddos: ddos.pass"]})
        cls.add("h1", "training-map", {"role": "security-engineer", "competency": "hardening", "course": "A",
                                       "hours": 20})
        cls.add("h1", "training-map", {"role": "security-engineer", "competency": "forensics", "course": "B",
                                       "hours": 10})
        cls.add("k1", "talent", {"year": 2026, "role": "security-engineer", "headcount": 4, "required_hours": 20,
                                 "hours_completed": 96})
        # Two major incidents: one reported within the hour, one three hours late.
        for minutes, title in ((30, "on time"), (180, "late")):
            body = {"title": "勒索軟體 " + title, "description": "x",
                    "discovered_at": iso(T0 - datetime.timedelta(minutes=minutes)), "category": "ransomware",
                    "services": ["core banking"],
                    "impact": {"system_class": "core", "data_class": "core", "confidentiality": "none",
                               "integrity": "minor", "availability": "beyond_mtpd"}}
            r = cls.req("k1", "POST", "/api/v1/incidents", body)
            assert r.status == 201 and r.json()["level"] == 3, r

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    @classmethod
    def set_clock(cls, t):
        write_clock(cls.clock, t)

    @classmethod
    def req(cls, user, method, path, body=None):
        return cls.hub.request(method, path, token=cls.tok[user], body=body)

    @classmethod
    def add(cls, user, reg, fields, org=None):
        body = {"fields": fields}
        if org:
            body["org"] = org
        r = cls.req(user, "POST", "/api/v1/registers/" + reg, body)
        assert r.status == 201, (reg, r)
        cls.last = r.json()["id"]

    def test_1_score_by_hand(self):
        s = self.req("k1", "GET", "/api/v1/supervision/scores/bank-k").json()
        # 90 base + 5 ISMS + 5 partial PIMS - 10 app test skipped - 1 major reported on time
        # - 2 major reported late - 5 sanction (the 2024 one is outside the 365 days) = 82.
        self.assertEqual(s["model"], "isf-2018-example")
        self.assertEqual(s["score"], 82)
        self.assertEqual((s["tier"], s["rate_percent"], s["discount_percent"]), ("D", 0.33, 13.2))
        parts = {p["rule"]: p for p in s["parts"]}
        self.assertEqual({k: p["points"] for k, p in parts.items() if p["points"]},
                         {"isms": 5, "pims-partial": 5, "skipped-app-test": -10, "major-reported": -1,
                          "major-late": -2, "sanctions": -5})
        self.assertFalse(parts["pims-company-wide"]["applied"])
        # Each part names the facts it read and the records behind them.
        self.assertEqual(parts["isms"]["facts"], {"governance.isms_certified": True})
        self.assertEqual(parts["isms"]["records"], [f"governance/{self.gov_id}@1"])
        self.assertEqual(len(parts["major-late"]["records"]), 1)
        self.assertTrue(parts["major-late"]["records"][0].startswith("incident/INC-"))
        self.assertEqual(len(parts["sanctions"]["records"]), 1)
        self.assertEqual(s["facts"]["incidents.major"]["value"], 2)
        # Talent against the record's 20 h (96 of 80 h) and the training map's 30 h (96 of 120 h).
        self.assertEqual(s["facts"]["talent.hours_ratio"]["value"], 120.0)
        self.assertEqual(s["facts"]["talent.map_hours_ratio"]["value"], 80.0)
        self.assertEqual(len(s["facts"]["talent.map_hours_ratio"]["records"]), 3)
        # Tiered requirements: the large-bank set applies (the 2027 one not yet, internet-only not).
        c = s["compliance"]
        self.assertEqual([x["code"] for x in c["sets"]], ["banks-large"])
        met = {r["name"]: r["met"] for r in c["sets"][0]["requirements"]}
        self.assertEqual(met, {"ciso-vp": True, "drills": False, "phishing": True})
        self.assertEqual((c["requirements"], c["met"], c["ratio"]), (3, 2, 66.7))
        # bank-m is medium: no set applies.
        m = self.req("s1", "GET", "/api/v1/supervision/scores/bank-m").json()
        self.assertEqual(m["compliance"]["requirements"], 0)
        # No governance record: every "skipped" rule applies.
        self.assertEqual(m["score"], 60)

    def test_2_as_of_reproduces_a_past_score(self):
        before = T0 + datetime.timedelta(minutes=5)
        self.set_clock(T0 + datetime.timedelta(hours=1))
        try:
            r = self.req("k1", "PATCH", f"/api/v1/registers/governance/{self.gov_id}",
                         {"fields": {"app_security_test_done": True}})
            self.assertEqual(r.status, 200)
            now = self.req("k1", "GET", "/api/v1/supervision/scores/bank-k").json()
            self.assertEqual(now["score"], 92)
            self.assertEqual(now["tier"], "B")
            past = self.req("k1", "GET", "/api/v1/supervision/scores/bank-k?as_of=" + iso(before)).json()
            self.assertEqual(past["score"], 82)
            self.assertEqual([p for p in past["parts"] if p["rule"] == "isms"][0]["records"],
                             [f"governance/{self.gov_id}@1"])
        finally:
            r = self.req("k1", "PATCH", f"/api/v1/registers/governance/{self.gov_id}",
                         {"fields": {"app_security_test_done": False}})
            self.set_clock(T0)

    def test_2b_bad_as_of_is_named(self):
        # Every reader of as_of (scores, one score, a register's list, a record, a summary)
        # refuses the same bad value with 400 naming the parameter.
        for path in ("/api/v1/supervision/scores?as_of=yesterday",
                     "/api/v1/supervision/scores/bank-k?as_of=yesterday",
                     "/api/v1/registers/governance?as_of=yesterday",
                     f"/api/v1/registers/governance/{self.gov_id}?as_of=yesterday",
                     "/api/v1/registers/governance/summary?as_of=yesterday"):
            r = self.req("s1", "GET", path)
            self.assertEqual(r.status, 400, path)
            self.assertEqual(r.json()["error"]["where"], "as_of", path)

    def test_3_visibility(self):
        self.assertEqual(self.req("k1", "GET", "/api/v1/supervision/scores/bank-m").status, 404)
        self.assertEqual(self.req("k1", "GET", "/api/v1/supervision/scores/no-such").status, 404)
        self.assertEqual(self.req("k1", "GET", "/api/v1/supervision/scores").status, 403)
        self.assertEqual(self.req("k1", "GET", "/api/v1/supervision/report?period=2026-Q4").status, 403)
        all_ = self.req("s1", "GET", "/api/v1/supervision/scores").json()["items"]
        self.assertEqual(sorted(x["org"] for x in all_), ["bank-k", "bank-m", "sec-s"])
        self.assertEqual(self.req("h1", "GET", "/api/v1/supervision/scores/bank-k").status, 200)

    def test_4_report_json_html_pdf(self):
        r = self.req("s1", "GET", "/api/v1/supervision/report?period=2026-Q4").json()
        self.assertEqual((r["from"], r["to"]), ("2026-10-01", "2026-12-31"))
        t = r["totals"]
        self.assertEqual(t["orgs"], 3)
        self.assertEqual((t["services"], t["services_passed"], t["drills_overdue"]), (1, 0, 1))
        self.assertEqual((t["findings_overdue"], t["incidents_major"]), (1, 2))
        self.assertEqual((t["compliance_total"], t["compliance_met"]), (3, 2))
        # Exercises are the quarter's: bank-k's phishing drill of September is outside it.
        self.assertEqual(t["phishing_exercises"], 0)
        banks = [g for g in r["by_industry"] if g["key"] == "bank"][0]
        self.assertEqual(banks["orgs"], 2)
        self.assertEqual({x["tier"]: x["count"] for x in t["score_tiers"]}["D"], 1)
        self.assertEqual([a["org"] for a in r["attention"]], ["bank-k"])
        # HTML in both languages with the numbers; ROC dates.
        zh = self.req("s1", "GET", "/api/v1/supervision/report?period=2026-Q4&format=html&roc=1")
        self.assertEqual(zh.headers["Content-Type"].split(";")[0], "text/html")
        self.assertIn("資安監理報告 2026-Q4", zh.body)
        self.assertIn("民國115年10月1日", zh.body)
        self.assertIn('<div class="card" data-metric="orgs"><b>3</b>', zh.body)
        self.assertIn('data-metric="findings_overdue" data-group="bank">1<', zh.body)
        self.assertIn("<svg", zh.body)
        self.assertIn('<td data-tier="D">1</td>', zh.body)  # the tiers table counts bank-k in D
        self.assertIn("D：待加強", zh.body)
        en = self.req("s1", "GET", "/api/v1/supervision/report?period=2026-Q4&format=html&lang=en").body
        self.assertIn("Supervision report 2026-Q4", en)
        self.assertIn("2026-10-01", en)
        self.assertIn('data-metric="compliance_pct"><b>66.7 %</b>', en)
        self.assertIn("restore drills overdue 1", en)
        # PDF from the CLI, read back with pdftotext.
        if not shutil.which("pdftotext"):
            subprocess.run(["scripts/install-deps.sh"], check=True)
        for lang, title in (("zh-TW", "資安監理報告"), ("en", "Supervision report")):
            out = self.hub.path(f"report-{lang}.pdf")
            p = self.hub.cli("report", "supervision", "--period", "2026-Q4", "--format", "pdf", "--lang", lang,
                             "--roc", "-o", out)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(out, "rb") as f:
                self.assertEqual(f.read(5), b"%PDF-")
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", out, "-"], capture_output=True,
                                  text=True).stdout
            self.assertIn(title, text)
            self.assertIn("bank-k", text)
            self.assertIn("D：待加強" if lang == "zh-TW" else "D: weak", text)
            self.assertIn("民國115年" if lang == "zh-TW" else "ROC 115-10-01", text)
        rq = urllib.request.Request(self.hub.url + "/api/v1/supervision/report?period=2026-Q4&format=pdf&lang=en",
                                    headers={"Authorization": "Bearer " + self.tok["s1"]})
        with urllib.request.urlopen(rq, timeout=60) as resp:
            self.assertEqual((resp.status, resp.headers["Content-Type"]), (200, "application/pdf"))
            self.assertEqual(resp.read(5), b"%PDF-")
        self.assertEqual(self.req("s1", "GET", "/api/v1/supervision/report?period=2026-Q9").status, 400)

    def test_5_cli_and_model_file(self):
        p = self.hub.cli("report", "score", "--org", "bank-k")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("score 82.0  tier D", p.stdout)
        # A model file replaces the example; a broken one is named with its line.
        with open("docs/examples/score-action-plan.ini") as f:
            text = f.read()
        with open(self.hub.path("score-policy.ini"), "w") as f:
            f.write(text)
        s = self.req("s1", "GET", "/api/v1/supervision/scores/bank-k").json()
        self.assertEqual(s["model"], "action-plan-example")
        self.assertEqual(s["tier"], [t for t in ("1", "2", "3", "4", "5")
                                     if s["score"] >= {"1": 90, "2": 80, "3": 70, "4": 60, "5": 0}[t]][0])
        with open(self.hub.path("score-policy.ini"), "w") as f:
            f.write(text.replace("points = -2 * drills.overdue", "points = -2 * (drills.overdue"))
        r = self.req("s1", "GET", "/api/v1/supervision/scores/bank-k")
        self.assertEqual(r.status, 500)  # the operator's file: the log names it and its line
        with open(self.hub.stderr_path) as f:
            self.assertIn("score-policy.ini:43", f.read())
        os.remove(self.hub.path("score-policy.ini"))


if __name__ == "__main__":
    unittest.main()
