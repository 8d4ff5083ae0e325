"""The hub's products (#15): the statistics table of the action plan reproduced exactly from data
built here, publications through draft, review, published and revised (STIX report, HTML, PDF,
subscribers notified), the weekly sector report in both languages, and MITRE ATT&CK (catalogue,
Sigma alerts keeping their rules' tags, tags, counts per technique and tactic)."""
import http.server
import json
import os
import shutil
import tempfile
import threading
import unittest
import uuid

from hubtest import TLP_IDS, CorpusTest, Hub, fixture, main, org_body, taxii, wait_for

SIGMA_RULE = "730cc8e1-57bc-456d-a16a-2c6d2cbde1eb"  # certutil download: attack.t1105
SIGMA_RULE_FILE = fixture("sigma", "rules", "windows", "proc_creation_certutil_download.yml")
SIGMA_EVENTS = fixture("sigma", "events", SIGMA_RULE + ".json")
MINI_ATTACK = fixture("attack", "mini-attack.json")

# The action plan's table (區間, 弱點公告, 威脅情資, 定期週/月報, 分析報告, 合計).
PLAN = [("2017-12..2018", "106.12~107", 105, 106, 69, 60, 340),
        ("2019", "108", 36, 156, 63, 50, 305),
        ("2020-01..06", "109.1~109.6", 20, 121, 32, 6, 179)]
TYPES = ("advisory", "intel", "periodic", "analysis")


def spread(first_month, months, n):
    """n dates spread over `months` months from first_month (year, month)."""
    out = []
    for i in range(n):
        k = i * months // n
        y, m = first_month[0] + (first_month[1] - 1 + k) // 12, (first_month[1] - 1 + k) % 12 + 1
        out.append(f"{y:04d}-{m:02d}-{1 + i % 28:02d}")
    return out


def plan_products():
    items = []
    for (label, _, *counts) in PLAN:
        for t, n in zip(TYPES, counts[:4]):
            if label.startswith("2017"):
                # a few in the ISAC's first month (December 2017), the rest in 2018
                first = n // 10
                dates = spread((2017, 12), 1, first) + spread((2018, 1), 12, n - first)
            elif label == "2019":
                dates = spread((2019, 1), 12, n)
            else:
                dates = spread((2020, 1), 6, n)
            items += [{"type": t, "title_zh": f"{t} {d} {i}", "published": d} for i, d in enumerate(dates)]
    # after the table's end: counted by later periods only
    items += [{"type": "intel", "title_zh": "after", "published": "2020-07-15"} for _ in range(7)]
    return items


class Sink(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Sink.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class Products(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="finshield-products-")
        rules = os.path.join(cls.tmp, "rules")
        os.mkdir(rules)
        shutil.copy(SIGMA_RULE_FILE, rules)
        cls.web = http.server.HTTPServer(("127.0.0.1", 0), Sink)
        threading.Thread(target=cls.web.serve_forever, daemon=True).start()
        cls.hub = h = Hub()
        cls.clock = h.path("clock")
        h.write_config(open(h.path("finshield.ini")).read() +
                       f"[hub]\nclock_file = {cls.clock}\n[soc]\nrules_dir = {rules}\n"
                       "[incident]\nworker_interval_ms = 100\n[notify]\nwebhook_secret = s3cret\n")
        # 376 members registered by June 2020, four more (and the supervisor) in September.
        cls.set_clock("2020-06-01T00:00:00Z")
        industries = ["bank", "securities", "futures", "insurance", "electronic_payment", "peripheral"]
        with open(h.path("orgs.jsonl"), "w") as f:
            for i in range(376):
                f.write(json.dumps(org_body(f"m{i:04d}", industries[i % len(industries)])) + "\n")
        assert h.cli("org", "import", h.path("orgs.jsonl")).returncode == 0
        cls.set_clock("2020-09-10T00:00:00Z")
        with open(h.path("late.jsonl"), "w") as f:
            for i in range(4):
                f.write(json.dumps(org_body(f"late{i}")) + "\n")
            f.write(json.dumps({"code": "fsc", "name_zh": "主管", "name_en": "FSC",
                                "industry": "regulator", "size_tier": "large"}) + "\n")
        assert h.cli("org", "import", h.path("late.jsonl")).returncode == 0
        with open(h.path("past.json"), "w") as f:
            json.dump(plan_products(), f)
        p = h.cli("publication", "import", "--file", h.path("past.json"))
        assert p.returncode == 0, p.stderr
        cls.set_clock("2026-06-10T02:00:00Z")
        h.start()
        cls.tokens = {}
        for user, org, role in [("h1", "hub", "hub-analyst"), ("ma", "m0001", "member-admin"),
                                ("m1", "m0001", "member-analyst"), ("m2", "m0002", "member-analyst"),
                                ("sup", "fsc", "supervisor")]:
            r = h.admin("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user, "role": role})
            assert r.status == 201, r
            cls.tokens[user] = h.admin("POST", "/api/v1/tokens", {"user": user, "name": "t"}).json()["token"]

    @classmethod
    def set_clock(cls, t):
        with open(cls.clock, "w") as f:
            f.write(t + "\n")

    @classmethod
    def tearDownClass(cls):
        rc = cls.hub.stop()
        cls.hub.cleanup()
        cls.web.shutdown()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert rc == 0

    def req(self, user, method, path, body=None, **kw):
        return self.hub.request(method, path, token=self.tokens[user] if user != "admin" else self.hub.admin_token,
                                body=body, **kw)

    def raw(self, user, path):
        """The bytes of a GET (a PDF), checking its media type."""
        import urllib.request
        req = urllib.request.Request(self.hub.url + path,
                                     headers={"Authorization": "Bearer " + self.tokens[user]})
        with urllib.request.urlopen(req, timeout=60) as r:
            self.assertEqual(r.headers["Content-Type"], "application/pdf")
            return r.read()

    # ---- statistics --------------------------------------------------------------------------

    def test_action_plan_table_reproduced(self):
        args = ("report", "stats", "--by", "year", "--from", "2017-12-01", "--to", "2020-06-30",
                "--members-at", "2020-08-31")
        p = self.hub.cli(*args, "--format", "csv", "--lang", "zh-TW")
        self.assertEqual(p.returncode, 0, p.stderr)
        want = ["區間,資安漏洞,威脅情資,週報/月報,分析報告,合計"] + [
            ",".join(str(x) for x in (label, *n)) for label, _, *n in PLAN]
        self.assertEqual(p.stdout.splitlines(), want)
        p = self.hub.cli(*args, "--format", "csv", "--roc", "--lang", "zh-TW")
        self.assertEqual([l.split(",")[0] for l in p.stdout.splitlines()[1:]], [r[1] for r in PLAN])
        table = self.hub.cli(*args, "--roc", "--lang", "zh-TW").stdout
        self.assertIn("截至民國109年8月31日會員：376 家", table)
        doc = json.loads(self.hub.cli(*args, "--format", "json").stdout)
        self.assertEqual(doc["members"], {"at": "2020-08-31", "count": 376})
        self.assertEqual([(x["label"], x["advisory"], x["intel"], x["periodic"], x["analysis"], x["total"])
                          for x in doc["periods"]], [(r[0], *r[2:]) for r in PLAN])
        self.assertEqual(doc["totals"]["total"], 340 + 305 + 179)
        # REST gives the same; by quarter the same totals.
        r = self.req("sup", "GET", "/api/v1/reports/stats?by=year&from=2017-12-01&to=2020-06-30"
                     "&members_at=2020-08-31")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["periods"], doc["periods"])
        q = self.req("h1", "GET", "/api/v1/reports/stats?by=quarter&from=2018-01-01&to=2018-12-31").json()
        self.assertEqual([x["label"] for x in q["periods"]], ["2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4"])
        self.assertEqual(q["totals"]["total"], 340 - sum(n // 10 for n in PLAN[0][2:6]))
        self.assertEqual(self.req("h1", "GET", "/api/v1/reports/stats?by=week").status, 400)
        # A member counts the members at a date too (the directory is everyone's).
        m = self.req("m1", "GET", "/api/v1/reports/stats?by=month&from=2020-09-01&to=2020-09-30").json()
        self.assertEqual(m["members"]["count"], 380)

    # ---- publications ------------------------------------------------------------------------

    def test_subscription_rights(self):
        """The one policy decides (POLICY_PRODUCT_SUBSCRIBE, _SUBS_READ): a member's administrator
        manages its organisation's subscriptions; the hub's analyst sees them but changes nothing
        (403); another member does not learn that one exists (404, as for a made-up id)."""
        r = self.req("ma", "POST", "/api/v1/publications/subscriptions",
                     {"channel": "email", "target": "rights@m0001.example"})
        self.assertEqual(r.status, 201, r)
        sid = r.json()["id"]
        self.assertIn(sid, [x["id"] for x in self.req("h1", "GET", "/api/v1/publications/subscriptions").json()["items"]])
        self.assertIn(sid, [x["id"] for x in self.req("m1", "GET", "/api/v1/publications/subscriptions").json()["items"]])
        self.assertNotIn(sid, [x["id"] for x in self.req("m2", "GET", "/api/v1/publications/subscriptions").json()["items"]])
        self.assertEqual(self.req("sup", "GET", "/api/v1/publications/subscriptions").json()["items"], [])
        gone = self.req("m2", "DELETE", "/api/v1/publications/subscriptions/" + sid)
        made_up_id = "00000000-0000-4000-8000-000000000000"
        made_up = self.req("m2", "DELETE", "/api/v1/publications/subscriptions/" + made_up_id)
        e1, e2 = gone.json()["error"], made_up.json()["error"]
        self.assertEqual((gone.status, e1["code"], e1["where"]), (made_up.status, e2["code"], e2["where"]))
        self.assertEqual(gone.status, 404)
        self.assertEqual(e1["detail"].replace(sid, "ID"), e2["detail"].replace(made_up_id, "ID"))
        self.assertEqual(self.req("h1", "DELETE", "/api/v1/publications/subscriptions/" + sid).status, 403)
        self.assertEqual(self.req("m1", "DELETE", "/api/v1/publications/subscriptions/" + sid).status, 403)
        self.assertEqual(self.req("ma", "DELETE", "/api/v1/publications/subscriptions/" + sid).status, 200)

    def test_publication_workflow(self):
        Sink.received.clear()
        r = self.req("ma", "POST", "/api/v1/publications/subscriptions",
                     {"channel": "webhook", "target": f"http://127.0.0.1:{self.web.server_port}/pubs",
                      "types": "advisory"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.req("m1", "POST", "/api/v1/publications/subscriptions",
                                  {"channel": "email", "target": "soc@m0001.example"}).status, 403)
        body = {"type": "advisory", "tlp": "green", "title_zh": "某廠商 VPN 設備遠端程式碼執行漏洞",
                "title_en": "Remote code execution in a VPN appliance",
                "summary_zh": "攻擊者可遠端執行程式碼。", "summary_en": "Attackers run code remotely.",
                "cves": ["CVE-2026-0001"], "cvss": {"score": 9.8, "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
                "cpes": ["cpe:2.3:o:example:vpn_os:7.0:*:*:*:*:*:*:*"],
                "remediation_zh": "請更新至 7.0.1。", "remediation_en": "Update to 7.0.1."}
        self.assertEqual(self.req("m1", "POST", "/api/v1/publications", body).status, 403)
        bad = dict(body, cves=["CVE-26-1"])
        self.assertEqual(self.req("h1", "POST", "/api/v1/publications", bad).status, 400)
        r = self.req("h1", "POST", "/api/v1/publications", body)
        self.assertEqual(r.status, 201, r)
        pub = r.json()
        pid = pub["id"]
        self.assertEqual((pub["status"], pub["version"]), ("draft", 1))
        self.assertTrue(pub["ref"].startswith("FS-ADV-2026-"))
        self.assertEqual(self.req("m1", "GET", f"/api/v1/publications/{pid}").status, 404)
        self.assertEqual(self.req("h1", "POST", f"/api/v1/publications/{pid}/publish").status, 409)
        self.assertEqual(self.req("h1", "POST", f"/api/v1/publications/{pid}/review").json()["status"], "review")
        r = self.req("h1", "POST", f"/api/v1/publications/{pid}/publish")
        self.assertEqual(r.status, 200, r)
        pub = r.json()
        self.assertEqual(pub["status"], "published")
        # Members see it, and its STIX report in the sector collection.
        self.assertEqual(self.req("m2", "GET", f"/api/v1/publications/{pid}").status, 200)
        o = self.req("m2", "GET", f"/api/v1/intel/objects/{pub['stix_id']}").json()["versions"][-1]["object"]
        self.assertEqual(o["type"], "report")
        self.assertEqual(o["x_finshield_reference"], pub["ref"])
        self.assertEqual(o["external_references"][0]["external_id"], "CVE-2026-0001")
        html_en = self.req("m2", "GET", f"/api/v1/publications/{pid}?format=html&lang=en").body
        self.assertIn("Remote code execution in a VPN appliance", html_en)
        self.assertIn("cpe:2.3:o:example:vpn_os:7.0", html_en)
        self.assertIn("Update to 7.0.1.", html_en)
        html_zh = self.req("m2", "GET", f"/api/v1/publications/{pid}?format=html").body
        self.assertIn("建議措施", html_zh)
        self.assertTrue(self.raw("m2", f"/api/v1/publications/{pid}?format=pdf").startswith(b"%PDF-"))
        # A revision: version 2, published again, its report versioned.
        r = self.req("h1", "POST", f"/api/v1/publications/{pid}/revise", {"remediation_en": "Update to 7.0.2."})
        self.assertEqual((r.json()["status"], r.json()["version"]), ("revised", 2))
        versions = self.req("m2", "GET", f"/api/v1/intel/objects/{pub['stix_id']}").json()["versions"]
        self.assertEqual(versions[-1]["object"]["x_finshield_version"], 2, [(v["version"], v["object"]["x_finshield_version"]) for v in versions])
        self.assertEqual(len(versions), 2)
        # The subscriber's webhook was told of both (the outbox's worker delivers them).
        wait_for(lambda: "publication.revised" in [h.get("X-Finshield-Event") for h, _ in Sink.received],
                 "the webhook told of the revision")
        events = [h.get("X-Finshield-Event") for h, _ in Sink.received]
        self.assertIn("publication.published", events)
        self.assertIn("publication.revised", events)
        sent = json.loads(Sink.received[0][1])
        self.assertEqual(sent["ref"], pub["ref"])
        # A draft of another type is not sent to an advisory-only subscriber, nor shown to members.
        lst = self.req("m1", "GET", "/api/v1/publications?type=advisory").json()["items"]
        self.assertIn(pub["ref"], [x["ref"] for x in lst])
        self.assertTrue(all(x["status"] in ("published", "revised") for x in lst))

    # ---- periodic sector reports -------------------------------------------------------------

    def test_weekly_report_in_both_languages(self):
        r = self.req("h1", "POST", "/api/v1/reports/periodic", {"period": "2026-W24"})
        self.assertEqual(r.status, 201, r)
        rid = r.json()["id"]
        self.assertEqual(self.req("m1", "POST", "/api/v1/reports/periodic", {"period": "2026-W24"}).status, 403)
        self.assertEqual(self.req("h1", "POST", "/api/v1/reports/periodic", {"period": "2026-24"}).status, 400)
        items = self.req("sup", "GET", "/api/v1/reports/periodic").json()["items"]
        self.assertIn(rid, [x["id"] for x in items])
        zh = self.req("sup", "GET", f"/api/v1/reports/periodic/{rid}").body
        self.assertIn("金融資安週報 2026-W24", zh)
        self.assertIn("2026年6月8日", zh)  # ISO week 24 of 2026 starts on Monday 8 June
        self.assertIn("<svg", zh)
        self.assertIn("資安事件（依等級）", zh)
        en = self.req("sup", "GET", f"/api/v1/reports/periodic/{rid}?lang=en").body
        self.assertIn("Sector weekly report 2026-W24", en)
        self.assertIn("Alerts by Sigma rule", en)
        for lang in ("zh-TW", "en"):
            pdf = self.raw("sup", f"/api/v1/reports/periodic/{rid}?format=pdf&lang={lang}")
            self.assertTrue(pdf.startswith(b"%PDF-"))
        self.assertEqual(self.req("m1", "GET", "/api/v1/reports/periodic").status, 403)
        p = self.hub.cli("report", "sector", "--show", "2026-W24", "--lang", "en")
        self.assertIn("Sector weekly report", p.stdout)

    # ---- ATT&CK ------------------------------------------------------------------------------

    def test_attack_tags_and_counts(self):
        with open(MINI_ATTACK, "rb") as f:
            raw = f.read()
        self.assertEqual(self.req("h1", "POST", "/api/v1/attack/import", raw=raw,
                                  headers={"Content-Type": "application/json"}).status, 403)
        r = self.req("admin", "POST", "/api/v1/attack/import", raw=raw,
                     headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["techniques"], r.json()["tactics"]), (4, 2))
        # A Sigma alert keeps its rule's tags.
        with open(SIGMA_EVENTS, encoding="utf-8") as f:
            text = f.read()
        dec, i, lines = json.JSONDecoder(), 0, []
        while i < len(text):
            while i < len(text) and text[i].isspace():
                i += 1
            if i == len(text):
                break
            obj, i = dec.raw_decode(text, i)
            lines.append(json.dumps(obj))
        # the engine loads its rules when serve starts
        wait_for(lambda: self.hub.request("POST", "/api/v1/events?format=json", token=self.tokens["m1"],
                                          raw="\n".join(lines).encode(),
                                          headers={"Content-Type": "text/plain"}).json()["alerts"],
                 "an alert of the Sigma rule")
        alerts = [a for a in self.req("m1", "GET", "/api/v1/alerts?kind=sigma").json()["items"] if a["ref"] == SIGMA_RULE]
        self.assertTrue(alerts)
        self.assertIn("attack.t1105", alerts[0]["tags"])
        self.assertIn("attack.command-and-control", alerts[0]["tags"])
        # An object tagged by an analyst.
        ind = {"type": "indicator", "spec_version": "2.1", "id": "indicator--" + str(uuid.uuid4()),
               "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
               "name": "Phishing sender", "pattern": "[email-addr:value = 'ceo@phish.example']",
               "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
               "object_marking_refs": [TLP_IDS["green"]]}
        self.assertEqual(taxii(self.hub, "POST", "collections/sector/objects/", self.hub.admin_token,
                               body={"objects": [ind]}).json()["success_count"], 1)
        tag = {"kind": "object", "ref": ind["id"], "technique": "t1566.001"}
        self.assertEqual(self.req("m1", "POST", "/api/v1/attack/tags", tag).status, 403)
        self.assertEqual(self.req("h1", "POST", "/api/v1/attack/tags", tag).status, 201)
        self.assertEqual(self.req("h1", "POST", "/api/v1/attack/tags", dict(tag, technique="T4242")).status, 404)
        self.assertEqual(self.req("h1", "POST", "/api/v1/attack/tags", dict(tag, technique="X1")).status, 400)
        self.assertEqual(self.req("h1", "POST", "/api/v1/attack/tags",
                                  dict(tag, ref="indicator--" + str(uuid.uuid4()))).status, 404)

        # An incident a member reported, tagged by the hub: its members and the hub count it.
        r = self.req("m1", "POST", "/api/v1/incidents", {
            "title": "Spearphishing with a macro document", "description": "Mail with an attachment.",
            "discovered_at": "2026-06-10T01:00:00Z", "category": "phishing", "services": ["e-mail"],
            "impact": {"system_class": "non_core", "data_class": None, "confidentiality": "none",
                       "integrity": "none", "availability": "none"}, "tlp": "amber"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.req("h1", "POST", "/api/v1/attack/tags",
                                  {"kind": "incident", "ref": r.json()["id"], "technique": "T1566"}).status, 201)

        def counts(user):
            c = self.req(user, "GET", "/api/v1/attack/counts").json()
            return ({t["technique"]: (t["objects"], t["alerts"], t["incidents"]) for t in c["techniques"]},
                    {t["tactic"]: t["total"] for t in c["tactics"]})
        tech, tac = counts("m1")  # its own alert, the GREEN object
        self.assertEqual(tech["T1566.001"], (1, 0, 0))
        self.assertGreaterEqual(tech["T1105"][1], 1)
        self.assertGreaterEqual(tac["command-and-control"], 1)
        self.assertEqual(tac["initial-access"], 2)  # the object (T1566.001) and the incident (T1566)
        self.assertEqual(tech["T1566"], (0, 0, 1))
        tech2, _ = counts("m2")  # another member: not m1's alert, not m1's incident
        self.assertNotIn("T1105", tech2)
        self.assertNotIn("T1566", tech2)
        self.assertEqual(tech2["T1566.001"], (1, 0, 0))
        hub, _ = counts("h1")
        self.assertEqual(hub["T1105"][1], tech["T1105"][1])
        p = self.hub.cli("attack", "counts", "--as", "m1")
        self.assertIn("T1566.001", p.stdout)
        self.assertIn("Spearphishing Attachment", p.stdout)


class AttackCorpus(CorpusTest):
    """ATT&CK's own bundles (ICS 18.1 and Mobile 17.1, STIX 2.1) imported into the catalogue."""
    corpus = "attack"

    def test_import_ics_and_mobile(self):
        hub = Hub()
        try:
            for name, techniques, tactics in (("ics-attack.json", 95, 12), ("mobile-attack-17.1.json", 188, 14)):
                p = hub.cli("attack", "import", self.corpus_path(name), "--json")
                self.assertEqual(p.returncode, 0, p.stderr)
                s = json.loads(p.stdout)
                self.assertEqual((s["techniques"], s["tactics"]), (techniques, tactics))
            lst = json.loads(hub.cli("attack", "list", "--json").stdout)
            names = {t["technique"]: t for t in lst}
            self.assertEqual(names["T0803"]["name"], "Block Command Message")
            self.assertIn("inhibit-response-function", names["T0803"]["tactics"])
            self.assertEqual(names["T1603"]["domain"], "mobile-attack")
        finally:
            hub.cleanup()


if __name__ == "__main__":
    main()
