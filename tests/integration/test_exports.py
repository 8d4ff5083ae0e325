"""Exports for members' defences (firewall lists, CSV, STIX, Suricata rules and datasets, Zeek
intel files) filtered by the requester's visibility, with ETag / If-None-Match; correlation of a
value across objects and the graph around an object, which never name or count what the caller
cannot see (#15)."""
import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import uuid

from hubtest import TLP_IDS, Hub, org_body, run, taxii, wait_for

USERS = {"a1": ("bank-a", "member-analyst"), "b1": ("bank-b", "member-analyst"),
         "c1": ("bank-c", "member-analyst"), "h1": ("hub", "hub-analyst")}


def ind(name, pattern, tlp="green", **extra):
    oid = "indicator--" + str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    o = {"type": "indicator", "spec_version": "2.1", "id": oid, "created": "2026-01-01T00:00:00.000Z",
         "modified": "2026-01-01T00:00:00.000Z", "name": name, "pattern": pattern,
         "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
         "object_marking_refs": [TLP_IDS[tlp]]}
    o.update(extra)
    return o


# name -> (object, who sees it)
ALL = set(USERS)
OBJECTS = {
    "ip-green": (ind("ip-green", "[ipv4-addr:value = '198.51.100.1']"), ALL),
    "net-green": (ind("net-green", "[ipv4-addr:value = '203.0.113.0/24']"), ALL),
    "ip6-green": (ind("ip6-green", "[ipv6-addr:value = '2001:db8::1']"), ALL),
    "ip-amber": (ind("ip-amber", "[ipv4-addr:value = '198.51.100.2']", "amber",
                     x_finshield_recipients={"orgs": ["bank-b"]}), {"a1", "b1", "h1"}),
    "dom-red": (ind("dom-red", "[domain-name:value = 'red.example']", "red",
                    x_finshield_recipients={"users": ["b1"]}), {"a1", "b1"}),
    "dom-green": (ind("dom-green", "[domain-name:value = 'Evil.Example'] OR "
                      "[domain-name:value = 'bad.example']"), ALL),
    "url-green": (ind("url-green", "[url:value = 'http://evil.example:8080/x;y\"z?q=1']"), ALL),
    "hash-green": (ind("hash-green", "[file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E' OR "
                       "file:hashes.'SHA-256' = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855']"), ALL),
    "mail-green": (ind("mail-green", "[email-addr:value = 'phish@evil.example']"), ALL),
    "expired": (ind("expired", "[ipv4-addr:value = '198.51.100.9']",
                    valid_until="2026-01-02T00:00:00Z"), set()),
    "revoked": (ind("revoked", "[ipv4-addr:value = '198.51.100.10']", revoked=True), set()),
    "compound": (ind("compound", "[ipv4-addr:value = '198.51.100.11' AND "
                     "ipv4-addr:value = '198.51.100.12']"), set()),
}


class Exports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = h = Hub()
        # The hub's clock: every indicator above is valid except "expired".
        with open(h.path("clock"), "w") as f:
            f.write("2026-03-01T00:00:00Z\n")
        h.write_config(open(h.path("finshield.ini")).read() + "[hub]\nclock_file = %s\n" % h.path("clock"))
        h.start()
        for code in ("bank-a", "bank-b", "bank-c"):
            assert h.admin("POST", "/api/v1/orgs", org_body(code)).status == 201
        cls.tokens = {}
        for user, (org, role) in USERS.items():
            r = h.admin("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user,
                                                   "role": role})
            assert r.status == 201, r
            cls.tokens[user] = h.admin("POST", "/api/v1/tokens", {"user": user, "name": "t"}).json()["token"]
        objs = [o for o, _ in OBJECTS.values()]
        r = taxii(h, "POST", "collections/submissions/objects/", cls.tokens["a1"], body={"objects": objs})
        assert r.status == 202 and r.json()["success_count"] == len(objs), r

    @classmethod
    def tearDownClass(cls):
        rc = cls.hub.stop()
        cls.hub.cleanup()
        assert rc == 0

    def get(self, user, fmt, query="", headers=None):
        return self.hub.request("GET", f"/api/v1/intel/exports/{fmt}{query}", token=self.tokens[user],
                                headers=headers)

    def lines(self, user, fmt, query=""):
        r = self.get(user, fmt, query)
        self.assertEqual(r.status, 200, r)
        return [l for l in r.body.splitlines() if l and not l.startswith("#")]

    def test_firewall_lists_follow_visibility(self):
        for user in USERS:
            # (other tests add their own indicators: only this table's are compared)
            ips = set(self.lines(user, "ips")) & {"198.51.100.1", "198.51.100.2", "203.0.113.0/24",
                                                  "2001:db8::1", "198.51.100.9", "198.51.100.10",
                                                  "198.51.100.11", "198.51.100.12"}
            want = {"198.51.100.1", "203.0.113.0/24", "2001:db8::1"}
            if user in OBJECTS["ip-amber"][1]:
                want.add("198.51.100.2")
            self.assertEqual(ips, want, user)
            doms = set(self.lines(user, "domains"))
            want = {"evil.example", "bad.example"} | ({"red.example"} if user in OBJECTS["dom-red"][1] else set())
            self.assertEqual(doms, want, user)
            # EDL URLs carry no scheme (test_values_in_order_once adds pipe.example's)
            urls = [l for l in self.lines(user, "urls") if not l.startswith("pipe.example/")]
            self.assertEqual(urls, ['evil.example:8080/x;y"z?q=1'])

    def test_csv_and_stix(self):
        r = self.get("c1", "csv")
        self.assertTrue(r.headers["Content-Type"].startswith("text/csv"))
        rows = r.body.splitlines()
        self.assertEqual(rows[0], "indicator,kind,value,tlp,valid_until")
        values = {row.split(",")[2] for row in rows[1:] if not row.startswith(OBJECTS["url-green"][0]["id"])}
        self.assertIn("d41d8cd98f00b204e9800998ecf8427e", values)
        self.assertIn("phish@evil.example", values)
        self.assertNotIn("198.51.100.2", values)  # AMBER for bank-b
        self.assertIn('"http://evil.example:8080/x;y""z?q=1"', r.body)  # RFC 4180 quoting
        bundle = self.get("c1", "stix").json()
        ids = {o["id"] for o in bundle["objects"]} & {o["id"] for o, _ in OBJECTS.values()}
        # a compound pattern has no values for lists, but the bundle carries the indicator itself
        seen = {n for n, (o, who) in OBJECTS.items() if "c1" in who} | {"compound"}
        self.assertEqual(ids, {OBJECTS[n][0]["id"] for n in seen})
        # The same content gives the same bundle (its id comes from its content).
        self.assertEqual(self.get("c1", "stix").body, self.get("c1", "stix").body)

    def test_zeek_intel_file_by_its_spec(self):
        r = self.get("b1", "zeek")
        lines = r.body.splitlines()
        self.assertEqual(lines[0], "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc")
        types = {"Intel::ADDR", "Intel::SUBNET", "Intel::DOMAIN", "Intel::URL", "Intel::FILE_HASH",
                 "Intel::EMAIL"}
        rows = {}
        for line in lines[1:]:
            f = line.split("\t")
            self.assertEqual(len(f), 4, line)
            self.assertIn(f[1], types)
            self.assertTrue(f[0] and "\t" not in f[0])
            rows[f[0]] = f[1]
        self.assertEqual(rows["203.0.113.0/24"], "Intel::SUBNET")
        self.assertEqual(rows["2001:db8::1"], "Intel::ADDR")
        self.assertEqual(rows["red.example"], "Intel::DOMAIN")  # b1 is the RED recipient
        self.assertEqual(rows['evil.example:8080/x;y"z?q=1'], "Intel::URL")  # no scheme
        self.assertEqual(rows["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
                         "Intel::FILE_HASH")
        for v, t in rows.items():
            if t == "Intel::DOMAIN":
                self.assertEqual(v, v.lower())

    def test_suricata_rules_and_datasets(self):
        rules = self.lines("c1", "suricata")
        rule = re.compile(r'^alert (ip|dns|tls|http) any any (->|<>) (\S+) any \((.*)\)$')
        sids = set()
        for r in rules:
            m = rule.match(r)
            self.assertTrue(m, r)
            opts = [o.strip() for o in re.split(r'(?<!\\);', m.group(4)) if o.strip()]
            self.assertTrue(opts[0].startswith('msg:"finshield '), r)
            sid = [o for o in opts if o.startswith("sid:")]
            self.assertEqual(len(sid), 1, r)
            sids.add(sid[0])
            for o in opts:
                if o.startswith("content:"):
                    self.assertRegex(o, r'^content:"[^";\\]*"$')
        self.assertEqual(len(sids), len(rules))
        self.assertTrue(any('dns.query; dotprefix; content:".bad.example"' in r for r in rules))
        self.assertTrue(any('http.host; content:"evil.example"' in r and "|3B|" in r for r in rules))
        self.assertFalse(any("198.51.100.2" in r for r in rules))
        ds = self.lines("c1", "suricata-dataset", "?dataset=domains")
        self.assertEqual({base64.b64decode(x).decode() for x in ds}, {"evil.example", "bad.example"})
        self.assertEqual(self.lines("c1", "suricata-dataset", "?dataset=md5"),
                         ["d41d8cd98f00b204e9800998ecf8427e"])
        self.assertEqual(self.get("c1", "suricata-dataset").status, 400)
        if not shutil.which("suricata"):
            self.skipTest("suricata is not installed (Debian 12 here has no suricata package): "
                          "rules checked for their shape only")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "finshield.rules")
            with open(path, "w") as f:
                f.write(self.get("c1", "suricata").body)
            p = subprocess.run(["suricata", "-T", "-S", path, "-l", d], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)

    def test_etag_and_304(self):
        r1 = self.get("c1", "ips")
        etag = r1.headers["ETag"]
        self.assertIn("no-cache", r1.headers["Cache-Control"])
        r2 = self.get("c1", "ips", headers={"If-None-Match": etag})
        self.assertEqual(r2.status, 304)
        self.assertEqual(r2.body, "")
        self.assertEqual(r2.headers["ETag"], etag)
        # Another class's ETag is not this one's (RED and AMBER differ).
        self.assertNotEqual(self.get("b1", "ips").headers["ETag"], etag)
        # A new indicator c1 may see: the old ETag no longer matches.
        new = ind("etag-new", "[ipv4-addr:value = '198.51.100.77']")
        r = taxii(self.hub, "POST", "collections/submissions/objects/", self.tokens["a1"], body={"objects": [new]})
        self.assertEqual(r.json()["success_count"], 1)
        r3 = self.get("c1", "ips", headers={"If-None-Match": etag})
        self.assertEqual(r3.status, 200)
        self.assertIn("198.51.100.77", r3.body)
        # An indicator c1 may not see changes the store, not c1's export: still 304.
        hidden = ind("etag-hidden", "[ipv4-addr:value = '198.51.100.78']", "amber",
                     x_finshield_recipients={"orgs": ["bank-b"]})
        taxii(self.hub, "POST", "collections/submissions/objects/", self.tokens["a1"], body={"objects": [hidden]})
        self.assertEqual(self.get("c1", "ips", headers={"If-None-Match": r3.headers["ETag"]}).status, 304)
        # A change made by another process (the CLI) is seen too.
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"type": "bundle", "id": "bundle--" + str(uuid.uuid4()),
                       "objects": [ind("etag-cli", "[ipv4-addr:value = '198.51.100.79']")]}, f)
        self.assertEqual(self.hub.cli("intel", "import", f.name, "--collection", "sector").returncode, 0)
        os.unlink(f.name)
        def changed():  # seen within intel.export_revalidate_ms of the import
            r = self.get("c1", "ips", headers={"If-None-Match": r3.headers["ETag"]})
            return r if r.status == 200 else None

        r4 = wait_for(changed, "the export seeing the CLI's import")
        self.assertIn("198.51.100.79", r4.body)

    def test_values_in_order_once(self):
        # Values are written in the order they were stored, each once, whether short or too long
        # to wait in the export's queue of probes (more than its 8 places, long ones between).
        values = ["pipe.example/%d" % i for i in range(10)]
        values += ["pipe.example/" + "L" * 300, "pipe.example/3", "pipe.example/10",
                   "pipe.example/" + "M" * 300, "pipe.example/11", "pipe.example/0"]
        for i, v in enumerate(values):  # one POST each: stored in this order
            o = ind("pipe-%d" % i, "[url:value = 'http://%s']" % v)
            r = taxii(self.hub, "POST", "collections/submissions/objects/", self.tokens["a1"],
                      body={"objects": [o]})
            self.assertEqual(r.json()["success_count"], 1, r)
        want = list(dict.fromkeys(values))
        for user in ("c1", "h1"):
            got = [l for l in self.lines(user, "urls") if l.startswith("pipe.example/")]
            self.assertEqual(got, want, user)
        p = self.hub.cli("intel", "export", "--format", "urls", "--as", "c1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([l for l in p.stdout.split() if l.startswith("pipe.example/")], want)

    def test_cli_export_matches_rest(self):
        p = self.hub.cli("intel", "export", "--format", "ips", "--as", "c1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(p.stdout.split()), sorted(self.lines("c1", "ips")))
        self.assertEqual(self.hub.cli("intel", "export", "--format", "nope").returncode, 2)
        self.assertEqual(self.get("c1", "nope").status, 404)

    def test_correlation_counts_only_what_is_visible(self):
        h = self.hub
        # Three organisations report the same address at different levels.
        objs = [ind("corr-a", "[ipv4-addr:value = '192.0.2.99']"),
                ind("corr-b", "[ipv4-addr:value = '192.0.2.99']", "amber",
                    x_finshield_recipients={"orgs": ["bank-b"]}),
                ind("corr-c", "[ipv4-addr:value = '192.0.2.99'] OR [ipv4-addr:value = '192.0.2.98']", "red")]
        r = taxii(h, "POST", "collections/submissions/objects/", self.tokens["a1"], body={"objects": objs})
        self.assertEqual(r.json()["success_count"], 3)
        counts = {u: h.request("GET", "/api/v1/intel/correlations?value=192.0.2.99", token=t).json()
                  for u, t in self.tokens.items()}
        self.assertEqual(counts["c1"]["count"], 1)
        self.assertEqual(counts["b1"]["count"], 2)
        self.assertEqual(counts["a1"]["count"], 3)
        self.assertEqual(counts["h1"]["count"], 2)  # hub analysts see AMBER, not RED
        for u, c in counts.items():
            self.assertEqual(len(c["objects"]), c["count"])
            self.assertFalse(c["popular"])
        # Popular: more visible objects than the fan-out are counted, not listed.
        r = h.request("GET", "/api/v1/intel/correlations?value=192.0.2.99&fanout=1", token=self.tokens["b1"]).json()
        self.assertTrue(r["popular"])
        self.assertEqual((r["count"], r["objects"]), (2, []))
        # c1 sees one object: fan-out 1 is not popular for c1 (no hint of the others).
        r = h.request("GET", "/api/v1/intel/correlations?value=192.0.2.99&fanout=1", token=self.tokens["c1"]).json()
        self.assertFalse(r["popular"])
        # Graph: the RED object is 404 to c1; c1's graph of its own view names nothing it cannot see.
        red = objs[2]["id"]
        self.assertEqual(h.request("GET", f"/api/v1/intel/objects/{red}/graph", token=self.tokens["c1"]).status, 404)
        g = h.request("GET", f"/api/v1/intel/objects/{objs[0]['id']}/graph", token=self.tokens["c1"]).json()
        ids = {n["id"] for n in g["nodes"]}
        self.assertIn(objs[0]["id"], ids)
        self.assertNotIn(objs[1]["id"], ids)
        self.assertNotIn(red, ids)
        obs = [n for n in g["nodes"] if n["type"] == "observable"]
        self.assertEqual([(n["value"], n["mentions"]) for n in obs], [("192.0.2.99", 1)])
        g = h.request("GET", f"/api/v1/intel/objects/{objs[0]['id']}/graph", token=self.tokens["a1"]).json()
        self.assertTrue({objs[1]["id"], red} <= {n["id"] for n in g["nodes"]})
        b = h.request("GET", f"/api/v1/intel/objects/{objs[0]['id']}/graph?format=stix", token=self.tokens["b1"]).json()
        self.assertEqual(b["type"], "bundle")
        self.assertEqual({o["id"] for o in b["objects"]}, {objs[0]["id"], objs[1]["id"]})
        p = h.cli("intel", "correlate", "192.0.2.99", "--as", "c1", "--json")
        self.assertEqual(json.loads(p.stdout)["count"], 1)


if __name__ == "__main__":
    unittest.main()
