"""Sources of intelligence end to end, against the real `finshield serve` (docs/intel.md):

- a MISP feed (tests/data/misp/feed, written from the published format) served over HTTPS by a
  local web server, run over REST: one indicator per observable, flagged values withheld from
  members (TAXII, REST, search) with the list named for the hub, the health view, and the
  policy (members see no sources; analysts run but do not add);
- a CSV list and a blocking warninglist from the command line;
- the decay on a simulated clock (hub.clock_file): serve's worker runs a scheduled source and the
  score pass; forty days on, an address is withheld from members and no longer matched;
- two hubs: a TAXII source pulling from a second `finshield serve` receives exactly what its
  organisation may see there, a blocking list at the receiving hub refuses one, a flagging one
  withholds another, and the next run resumes after the last object;
- members' submissions as a source;
- (corpus run) MISP's warninglists imported whole, and a value on one of them suppressed.
"""
import http.server
import json
import os
import shutil
import ssl
import tempfile
import threading
import unittest
import urllib.parse

from hubtest import CorpusTest, Hub, fixture, indicator, main, org_body, run, taxii, wait_for

T0 = "2026-11-27T00:00:00Z"
MISP_EVENT = "5f1d2b8e-0c3a-4b6e-9d2f-7a1c3e5b9d01"


class Quiet(http.server.SimpleHTTPRequestHandler):
    served = []

    def log_message(self, *args):
        Quiet.served.append(self.path)


def web_server(folder, tls_dir=None):
    """A web server for folder on a free loopback port, over HTTPS when tls_dir holds cert.pem and
    key.pem; returns (server, base URL)."""
    handler = lambda *a, **kw: Quiet(*a, directory=folder, **kw)  # noqa: E731
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    scheme = "http"
    if tls_dir:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(tls_dir, "cert.pem"), os.path.join(tls_dir, "key.pem"))
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        scheme = "https"
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"{scheme}://localhost:{srv.server_address[1]}/"


def member(hub, code, role="member-analyst"):
    """An organisation of the hub with one user; its token."""
    if hub.admin("GET", f"/api/v1/orgs/{code}").status != 200:
        assert hub.admin("POST", "/api/v1/orgs", org_body(code)).status == 201
    name = f"{code}-{role}"
    r = hub.admin("POST", "/api/v1/users", {"org": code, "username": name, "display_name": name,
                                            "role": role})
    assert r.status == 201, r
    return hub.admin("POST", "/api/v1/tokens", {"user": name, "name": "t"}).json()["token"]


class MispOverHttps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # A certificate for localhost, and the hub told to trust it for sources.
        cls.tls = tempfile.mkdtemp(prefix="finshield-it-tls-")
        p = run("init", "--data", os.path.join(cls.tls, "h"), "--self-signed")
        assert p.returncode == 0, p.stderr
        cls.tls_dir = os.path.join(cls.tls, "h", "tls")
        cls.web, cls.feed_url = web_server(fixture("misp", "feed"), cls.tls_dir)
        cls.hub = Hub("[feeds]\nworker_interval = 0\ncacert = %s\n[hub]\nclock_file = %s\n"
                      % (os.path.join(cls.tls_dir, "cert.pem"), os.path.join(cls.tls, "now")))
        with open(os.path.join(cls.tls, "now"), "w") as f:
            f.write(T0)
        cls.hub.start()
        cls.bank = member(cls.hub, "bank-a")
        cls.analyst = member(cls.hub, "hub", "hub-analyst")

    @classmethod
    def tearDownClass(cls):
        cls.web.shutdown()
        rc = cls.hub.stop()
        cls.hub.cleanup()
        shutil.rmtree(cls.tls, ignore_errors=True)
        assert rc == 0, "serve did not stop cleanly"

    def search(self, value, token):
        r = self.hub.request("GET", f"/api/v1/intel/search?value={value}", token=token)
        self.assertEqual(r.status, 200, r)
        return [i for i in r.json()["items"] if i["object"]["type"] == "indicator"]

    def test_1_misp_feed(self):
        h = self.hub
        body = {"name": "tw-fin-cert", "kind": "misp", "url": self.feed_url, "reliability": "B",
                "default_tlp": "green"}
        self.assertEqual(h.request("POST", "/api/v1/intel/feeds", token=self.bank, body=body).status, 403)
        self.assertEqual(h.request("POST", "/api/v1/intel/feeds", token=self.analyst, body=body).status, 403)
        r = h.admin("POST", "/api/v1/intel/feeds", body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["health"]["runs"], 0)
        self.assertEqual(h.request("GET", "/api/v1/intel/feeds", token=self.bank).status, 403)
        self.assertEqual(h.request("POST", "/api/v1/intel/feeds/tw-fin-cert/run", token=self.bank).status, 403)

        # An analyst runs it: three spellings of one address are one indicator.
        Quiet.served.clear()
        r = h.request("POST", "/api/v1/intel/feeds/tw-fin-cert/run", token=self.analyst)
        self.assertEqual(r.status, 200, r)
        st = r.json()
        self.assertEqual((st["events"], st["read"], st["created"], st["merged"], st["flagged"],
                          st["invalid"], st["skipped"], st["stored"]), (2, 19, 13, 2, 2, 3, 4, 15), st)
        self.assertIn("/manifest.json", Quiet.served)
        self.assertIn(f"/{MISP_EVENT}.json", Quiet.served)
        found = self.search("45.77.12.9", self.bank)
        self.assertEqual(len(found), 1, found)
        oid = found[0]["object"]["id"]
        r = h.request("GET", f"/api/v1/intel/objects/{oid}", token=self.bank)
        self.assertEqual(r.status, 200)
        a = r.json()["analysis"]
        self.assertEqual((a["kind"], a["value"], a["sources"], a["withheld"]), ("ipv4", "45.77.12.9", 1, False))
        self.assertEqual([p["source"] for p in a["provenance"]], ["tw-fin-cert"])

        # The documentation address is flagged: the hub sees it withheld with the list named;
        # a member finds it nowhere (search, object, TAXII, export).
        self.assertEqual(self.search("203.0.113.9", self.bank), [])
        mine = self.search("203.0.113.9", h.admin_token)
        self.assertEqual(len(mine), 1)
        flagged = mine[0]["object"]["id"]
        r = h.admin("GET", f"/api/v1/intel/objects/{flagged}")
        a = r.json()["analysis"]
        self.assertTrue(a["withheld"])
        self.assertEqual(a["warninglist"], "special-use-addresses")
        self.assertEqual(a["reason"], "on warninglist special-use-addresses")
        self.assertEqual(a["reason_zh"], "列於警示清單 special-use-addresses")
        # ... answered as an id nobody used.
        r = h.request("GET", f"/api/v1/intel/objects/{flagged}", token=self.bank)
        self.assertEqual(r.status, 404)
        unused = "indicator--00000000-0000-4000-8000-000000000000"
        nobody = h.request("GET", f"/api/v1/intel/objects/{unused}", token=self.bank)
        same = lambda resp, oid: {k: v for k, v in resp.json()["error"].items() if k != "request_id"}  # noqa: E731
        self.assertEqual(json.dumps(same(r, flagged)).replace(flagged, "ID"),
                         json.dumps(same(nobody, unused)).replace(unused, "ID"))
        r = taxii(h, "GET", "collections/sector/objects/?match[type]=indicator&limit=1000", self.bank)
        ids = {o["id"] for o in r.json()["objects"]}
        self.assertIn(oid, ids)
        self.assertNotIn(flagged, ids)
        r = taxii(h, "GET", "collections/sector/objects/?match[type]=indicator&limit=1000", h.admin_token)
        self.assertIn(flagged, {o["id"] for o in r.json()["objects"]})
        export = h.request("GET", "/api/v1/intel/export?collection=sector", token=self.bank).body
        self.assertNotIn(flagged, export)
        self.assertIn("report--" + MISP_EVENT, export)
        # The defences' exports (firewall list, STIX) too; the hub's still hold it.
        ips = h.request("GET", "/api/v1/intel/exports/ips", token=self.bank).body.split()
        self.assertIn("45.77.12.9", ips)
        self.assertNotIn("203.0.113.9", ips)
        self.assertIn("203.0.113.9", h.admin("GET", "/api/v1/intel/exports/ips").body.split())
        stix = h.request("GET", "/api/v1/intel/exports/stix", token=self.bank).body
        self.assertIn(oid, stix)
        self.assertNotIn(flagged, stix)

        # The health view, and a second run that reads nothing new.
        r = h.admin("GET", "/api/v1/intel/feeds/tw-fin-cert?runs=5")
        f = r.json()
        self.assertEqual((f["health"]["runs"], f["health"]["objects"]), (1, 15))
        self.assertIn("999.1.2.3", f["runs"][0]["stats"]["first_problem"])
        st = h.admin("POST", "/api/v1/intel/feeds/tw-fin-cert/run").json()
        self.assertEqual((st["read"], st["created"]), (0, 0))
        # Disabled, then removed: what it brought stays.
        self.assertFalse(h.admin("PATCH", "/api/v1/intel/feeds/tw-fin-cert", {"enabled": False}).json()["enabled"])
        self.assertEqual(h.admin("DELETE", "/api/v1/intel/feeds/tw-fin-cert").status, 200)
        self.assertEqual(h.admin("GET", "/api/v1/intel/feeds/tw-fin-cert").status, 404)
        self.assertEqual(len(self.search("45.77.12.9", self.bank)), 1)

    def test_2_csv_and_blocking_list_from_the_command_line(self):
        h = self.hub
        p = h.cli("warninglist", "import", fixture("warninglists", "public-dns-v4.json"), "--action", "block")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("List of known IPv4 public DNS resolvers: 4 entries, block", p.stdout)
        p = h.cli("warninglist", "check", "8.8.8.8")
        self.assertIn("is on List of known IPv4 public DNS resolvers (block)", p.stdout)
        p = h.cli("feed", "add", "daily-csv", "--kind", "csv", "--url", fixture("feeds", "indicators.csv"),
                  "--map", "value=2,type_column=3,first_seen=1,comment=4,tlp=5,header", "--reliability", "C")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = h.cli("feed", "run", "daily-csv", "--now", T0)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 blocked", p.stdout)
        self.assertIn("first problem: line 6: 8.8.8.8 is on the blocking warninglist List of known "
                      "IPv4 public DNS resolvers", p.stdout)
        self.assertEqual(self.search("8.8.8.8", h.admin_token), [])
        p = h.cli("feed", "list")
        self.assertIn("daily-csv", p.stdout)
        # A bad mapping is refused before anything is stored.
        p = h.cli("feed", "add", "bad", "--kind", "csv", "--url", "/x.csv", "--map", "type=ip")
        self.assertEqual(p.returncode, 1)
        self.assertIn("value=N", p.stderr)
        h.cli("warninglist", "remove", "List of known IPv4 public DNS resolvers")
        # A list over REST, turned off and back on.
        with open(fixture("warninglists", "cloud-hosts.json")) as f:
            r = h.admin("POST", "/api/v1/intel/warninglists?action=flag", json.load(f))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["entries"], 3)
        name = urllib.parse.quote(r.json()["name"])
        self.assertEqual(h.admin("PATCH", f"/api/v1/intel/warninglists/{name}", {"action": "off"}).status, 200)
        lists = {l["name"]: l for l in h.admin("GET", "/api/v1/intel/warninglists").json()["items"]}
        self.assertEqual(lists[urllib.parse.unquote(name)]["action"], "off")
        self.assertTrue(lists["special-use-addresses"]["builtin"])
        self.assertEqual(h.admin("DELETE", "/api/v1/intel/warninglists/special-use-addresses").status, 409)
        self.assertEqual(h.request("GET", "/api/v1/intel/warninglists", token=self.bank).status, 403)
        self.assertEqual(h.admin("DELETE", f"/api/v1/intel/warninglists/{name}").status, 200)


class DecayInServe(unittest.TestCase):
    """serve's worker runs a scheduled source and the score pass; the clock moves (hub.clock_file)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="finshield-it-clock-")
        self.clock = os.path.join(self.tmp, "now")
        self.set_clock(T0)
        self.hub = Hub("[feeds]\nworker_interval = 1\n[hub]\nclock_file = %s\n" % self.clock).start()
        self.bank = member(self.hub, "bank-a")

    def tearDown(self):
        rc = self.hub.stop()
        self.hub.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.assertEqual(rc, 0)

    def set_clock(self, t):
        with open(self.clock + ".tmp", "w") as f:
            f.write(t)
        os.replace(self.clock + ".tmp", self.clock)

    def visible(self, value):
        r = self.hub.request("GET", f"/api/v1/intel/search?value={value}", token=self.bank)
        return [i for i in r.json()["items"] if i["object"]["type"] == "indicator"]

    def test_decay_withholds_and_stops_matching(self):
        h = self.hub
        r = h.admin("POST", "/api/v1/intel/feeds", {"name": "misp", "kind": "misp", "url": fixture("misp", "feed"),
                                                    "reliability": "B", "default_tlp": "green",
                                                    "every_seconds": 3600})
        self.assertEqual(r.status, 201, r)
        # The worker runs it (due at once), then keeps to its schedule.
        wait_for(lambda: h.admin("GET", "/api/v1/intel/feeds/misp").json()["health"]["runs"] >= 1, "a scheduled run")
        self.assertEqual(len(self.visible("45.77.12.9")), 1)
        wait_for(lambda: h.admin("GET", "/api/v1/soc/status").json()["indicators"]["objects"] >= 11, "the index to hold the source's indicators")
        line = "<134>1 2026-11-27T00:00:00Z fw01 fw - - - allow src=10.2.3.4 dst=45.77.12.9 dport=443"
        r = h.request("POST", "/api/v1/events", token=self.bank, raw=line.encode(),
                      headers={"Content-Type": "text/plain"})
        self.assertEqual(r.json()["alerts"], 1, r)
        before = h.admin("GET", "/api/v1/soc/status").json()["indicators"]["objects"]
        # The member's firewall list holds the address (its exports' rows are made now).
        fw = h.request("GET", "/api/v1/intel/exports/ips", token=self.bank)
        self.assertIn("45.77.12.9", fw.body.split())

        # Forty days on: addresses (a 30-day lifetime) are withheld, domains (90 days) are not.
        self.set_clock("2027-01-06T00:00:00Z")
        wait_for(lambda: not self.visible("45.77.12.9"), "the address to be withheld")
        self.assertEqual(len(self.visible("evil-bank-login.com")), 1)
        mine = h.admin("GET", "/api/v1/intel/search?value=45.77.12.9").json()["items"]
        oid = [i["object"]["id"] for i in mine if i["object"]["type"] == "indicator"][0]
        a = h.admin("GET", f"/api/v1/intel/objects/{oid}").json()["analysis"]
        self.assertTrue(a["withheld"])
        self.assertEqual(a["score"], 0)
        self.assertIn("is below the threshold 20", a["reason"])
        self.assertEqual(h.request("GET", f"/api/v1/intel/objects/{oid}", token=self.bank).status, 404)
        # ... its firewall list no longer holds it (not a 304 for the list it had), the hub's does,
        r = h.request("GET", "/api/v1/intel/exports/ips", token=self.bank,
                      headers={"If-None-Match": fw.headers["ETag"]})
        self.assertEqual(r.status, 200)
        self.assertNotIn("45.77.12.9", r.body.split())
        self.assertIn("45.77.12.9", h.admin("GET", "/api/v1/intel/exports/ips").body.split())
        # ... and the monitoring engine no longer matches it.
        wait_for(lambda: h.admin("GET", "/api/v1/soc/status").json()["indicators"]["objects"] < before, "the index to drop the withheld")
        line = "<134>1 2027-01-06T00:00:00Z fw01 fw - - - allow src=10.2.3.4 dst=45.77.12.9 dport=443"
        r = h.request("POST", "/api/v1/events", token=self.bank, raw=line.encode(),
                      headers={"Content-Type": "text/plain"})
        self.assertEqual(r.json()["alerts"], 0, r)
        # The audit trail has the pass.
        p = h.cli("audit", "export")
        self.assertIn("intel.score", p.stdout)
        self.assertIn("intel.feed.run", p.stdout)


class TaxiiSource(unittest.TestCase):
    """A source pulling from a second hub over TAXII 2.1, TLP respected at both ends."""

    def setUp(self):
        self.a = Hub().start()
        self.b = Hub("[feeds]\nworker_interval = 0\n").start()

    def tearDown(self):
        for h in (self.a, self.b):
            rc = h.stop()
            h.cleanup()
            self.assertEqual(rc, 0)

    def test_pull_from_another_hub(self):
        a, b = self.a, self.b
        # At A, the organisation B pulls as, and objects of every level.
        partner = member(a, "isac-b")
        objs = {
            "green": indicator("185.220.101.1", "green", n=1),
            "amber-to-b": indicator("185.220.101.2", "amber", n=2, x_finshield_recipients={"orgs": ["isac-b"]}),
            "amber-other": indicator("185.220.101.3", "amber", n=3),
            "red": indicator("185.220.101.4", "red", n=4),
            "resolver": indicator("8.8.4.4", "green", n=5),
            "blocked": indicator("9.9.9.9", "clear", n=6),
            "clear": indicator("185.220.101.6", "clear", n=7),
        }
        r = taxii(a, "POST", "collections/sector/objects/", a.admin_token, body={"objects": list(objs.values())})
        self.assertEqual(r.json()["success_count"], len(objs))
        # At B: one list flags a resolver, one blocks another; the token in a file.
        with open(fixture("warninglists", "public-dns-v4.json")) as f:
            dns = json.load(f)
        dns["list"] = ["8.8.4.4"]
        self.assertEqual(b.admin("POST", "/api/v1/intel/warninglists", dns).status, 201)
        block = dict(dns, name="quad9 (test)", list=["9.9.9.9"])
        self.assertEqual(b.admin("POST", "/api/v1/intel/warninglists?action=block", block).status, 201)
        with open(b.path("secrets", "a.token"), "w") as f:
            f.write(partner + "\n")
        p = b.cli("feed", "add", "hub-a", "--kind", "taxii", "--url", a.url + "/taxii2/hub/",
                  "--collection", "sector", "--token-file", "secrets/a.token", "--reliability", "A")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = b.cli("feed", "run", "hub-a")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 blocked", p.stdout)
        # B stored what isac-b may see at A, less the blocked one.
        got = {o["id"] for o in json.loads(b.cli("intel", "export").stdout)["objects"]}
        self.assertEqual(got, {objs[k]["id"] for k in ("green", "amber-to-b", "resolver", "clear")})
        bank = member(b, "bank-b")
        r = b.request("GET", f"/api/v1/intel/objects/{objs['resolver']['id']}", token=bank)
        self.assertEqual(r.status, 404)
        r = b.admin("GET", f"/api/v1/intel/objects/{objs['resolver']['id']}")
        self.assertEqual(r.json()["analysis"]["warninglist"], "List of known IPv4 public DNS resolvers")
        r = b.request("GET", f"/api/v1/intel/objects/{objs['green']['id']}", token=bank)
        self.assertEqual(r.status, 200)
        a_ = r.json()["analysis"]
        self.assertEqual((a_["sources"], a_["provenance"][0]["source"], a_["provenance"][0]["reliability"]),
                         (1, "hub-a", "A"))
        # The next run brings only what is new at A.
        new = indicator("185.220.101.9", "green", n=9)
        taxii(a, "POST", "collections/sector/objects/", a.admin_token, body={"objects": [new]})
        st = b.admin("POST", "/api/v1/intel/feeds/hub-a/run").json()
        self.assertEqual((st["read"], st["stored"]), (1, 1), st)
        f = b.admin("GET", "/api/v1/intel/feeds/hub-a").json()
        self.assertEqual(f["health"]["runs"], 2)
        self.assertTrue(f["health"]["position"])
        # A wrong token: the run fails, and the health view says why.
        with open(b.path("secrets", "a.token"), "w") as f:
            f.write("fsk_" + "Z" * 43)
        r = b.admin("POST", "/api/v1/intel/feeds/hub-a/run")
        self.assertNotEqual(r.status, 200)
        f = b.admin("GET", "/api/v1/intel/feeds/hub-a").json()
        self.assertIn("401", f["health"]["last_error"])


class Submissions(unittest.TestCase):
    def setUp(self):
        self.hub = Hub("[feeds]\nworker_interval = 0\n").start()

    def tearDown(self):
        rc = self.hub.stop()
        self.hub.cleanup()
        self.assertEqual(rc, 0)

    def test_members_submissions_as_a_source(self):
        h = self.hub
        a, b = member(h, "bank-a"), member(h, "bank-b")
        mine = indicator("185.220.101.20", "green", n=20)
        doc = indicator("203.0.113.77", "green", n=21)  # a documentation address
        r = h.request("POST", "/api/v1/intel/bundles?collection=submissions", token=a,
                      body={"type": "bundle", "id": "bundle--6a1e0f64-3b1d-4c47-8f36-0b7d2b1e0fff",
                            "objects": [mine, doc]})
        self.assertEqual(r.json()["stored"], 2, r)
        p = h.cli("feed", "add", "members", "--kind", "submissions", "--reliability", "C")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = h.cli("feed", "run", "members")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 flagged", p.stdout)
        r = h.request("GET", f"/api/v1/intel/objects/{mine['id']}", token=b)
        self.assertEqual(r.json()["analysis"]["provenance"][0]["source"], "members")
        # The flagged submission: withheld from others, still its submitter's.
        self.assertEqual(h.request("GET", f"/api/v1/intel/objects/{doc['id']}", token=b).status, 404)
        self.assertEqual(h.request("GET", f"/api/v1/intel/objects/{doc['id']}", token=a).status, 200)
        p = h.cli("feed", "explain", doc["id"])
        self.assertIn("special-use-addresses", p.stdout)
        # Nothing new: the next run reads nothing.
        p = h.cli("feed", "run", "members")
        self.assertIn("0 read", p.stdout)


class WarninglistCorpus(CorpusTest):
    """MISP's warninglists repository imported whole; a value on one of them is suppressed."""
    corpus = "misp-warninglists"

    def test_import_the_repository(self):
        hub = Hub("[feeds]\nworker_interval = 0\n")
        try:
            p = hub.cli("warninglist", "import", self.corpus_path("lists"))
            self.assertEqual(p.returncode, 0, p.stderr)
            lists = len([d for d in os.listdir(self.corpus_path("lists"))
                         if os.path.exists(self.corpus_path("lists", d, "list.json"))])
            self.assertIn(f"{lists} lists imported, 0 refused", p.stdout)
            for value, expected in [("8.8.8.8", "List of known IPv4 public DNS resolvers"),
                                    ("d41d8cd98f00b204e9800998ecf8427e", None),
                                    ("192.168.1.1", None)]:
                p = hub.cli("warninglist", "check", value)
                self.assertIn(" is on ", p.stdout, value)
                if expected:
                    self.assertIn(expected, p.stdout)
            # A CSV list reporting a public resolver: flagged, withheld, the list named.
            p = hub.cli("feed", "add", "daily", "--kind", "csv", "--url", fixture("feeds", "indicators.csv"),
                        "--map", "value=2,type_column=3,first_seen=1,comment=4,tlp=5,header")
            self.assertEqual(p.returncode, 0, p.stderr)
            p = hub.cli("feed", "run", "daily", "--now", T0)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertNotIn(" 0 flagged", p.stdout)
            found = [l.split()[1] for l in hub.cli("intel", "search", "8.8.8.8").stdout.splitlines()
                     if " indicator" in l]
            self.assertEqual(len(found), 1)
            an = json.loads(hub.cli("feed", "explain", found[0]).stdout)
            self.assertTrue(an["withheld"])
            self.assertEqual(an["warninglist"], "List of known IPv4 public DNS resolvers")
        finally:
            hub.cleanup()


if __name__ == "__main__":
    main()
