"""#12 item 5: the audit trail must not undo an anonymous submission. Records of anonymous actions
show their actor only to the hub's roles; the supervisor (and a member administrator) read them
without actor, source or exact time, on every read path (REST list, its organisation filter, the
SSE stream, the CLI export), while the chain stays checkable: verify, links, signed heads."""
import calendar
import json
import time
import unittest
import urllib.parse

from hubtest import Hub, audit_make_unkeyed, indicator, open_stream, org_body, read_events, taxii

ACTOR = ("actor_user", "actor_name", "actor_org", "source")


def ms_of(text):
    """An RFC 3339 time ("2026-01-02T03:04:05.678Z", any fraction) in milliseconds."""
    whole, _, frac = text.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) * 1000 + int((frac + "000")[:3])


class Anonymous(unittest.TestCase):
    def setUp(self):
        self.hub = Hub().start()
        h = self.hub
        self.assertEqual(h.admin("POST", "/api/v1/orgs", org_body("bank-a")).status, 201)
        self.assertEqual(h.admin("POST", "/api/v1/orgs", {"code": "fsc", "name_zh": "主管機關", "name_en": "Supervisor",
                                                          "industry": "regulator", "size_tier": "large"}).status, 201)
        self.tokens = {}
        for user, org, role in (("submitter-a", "bank-a", "member-analyst"), ("aa", "bank-a", "member-admin"),
                                ("sup", "fsc", "supervisor")):
            self.assertEqual(h.admin("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user,
                                                               "role": role}).status, 201)
            self.tokens[user] = h.admin("POST", "/api/v1/tokens", {"user": user, "name": "t"}).json()["token"]
        me = h.request("GET", "/api/v1/me", token=self.tokens["submitter-a"]).json()
        self.a1_id, self.bank_a = me["user"]["id"], me["org"]["id"]

    def tearDown(self):
        rc = self.hub.stop()
        self.hub.cleanup()
        self.assertEqual(rc, 0)

    def get(self, who, path):
        r = self.hub.request("GET", path, token=self.tokens[who] if who != "admin" else self.hub.admin_token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def submit_anonymously(self, n):
        """One anonymous submission through the REST API, one through TAXII (the object's flag)."""
        h, tok = self.hub, self.tokens["submitter-a"]
        rest = indicator(f"192.0.2.{n}", "green", n=n)
        r = h.request("POST", "/api/v1/intel/bundles?collection=submissions&anonymous=true", token=tok,
                      body={"type": "bundle", "id": "bundle--6f1f7ae0-0000-4000-8000-%012d" % n, "objects": [rest]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["stored"], 1)
        flagged = indicator(f"192.0.2.{n + 100}", "green", n=n + 100, x_finshield_anonymous=True)
        r = taxii(h, "POST", "collections/submissions/objects/", tok, body={"objects": [flagged]})
        self.assertEqual(r.json()["success_count"], 1, r)
        return [rest, flagged]

    def assert_hidden(self, rec, date_added_ms=()):
        """rec, read by someone other than the hub, names nobody and gives only the hour."""
        self.assertTrue(rec["actor_hidden"], rec)
        for k in ACTOR:
            self.assertIsNone(rec[k], rec)
        text = json.dumps(rec)
        for secret in (self.a1_id, self.bank_a, "submitter-a", "127.0.0.1"):
            self.assertNotIn(secret, text)
        at = ms_of(rec["at"])
        self.assertEqual(at % 3600000, 0, rec["at"])
        for ms in date_added_ms:
            self.assertNotEqual(at, ms)
        self.assertRegex(rec["hash"], r"^[0-9a-f]{64}$")  # keyed: shown, and it proves nothing

    def test_every_read_path(self):
        # bank-a also shares something under its own name.
        r = taxii(self.hub, "POST", "collections/submissions/objects/", self.tokens["submitter-a"],
                  body={"objects": [indicator("192.0.2.250", "green", n=250)]})
        self.assertEqual(r.json()["success_count"], 1, r)
        objs = self.submit_anonymously(1)
        added = [ms_of(taxii(self.hub, "GET", "collections/submissions/manifest/?match[id]=" + o["id"],
                             self.hub.admin_token).json()["objects"][0]["date_added"]) for o in objs]

        # The hub's roles see who did it.
        full = [r for r in self.get("admin", "/api/v1/audit?limit=1000")["items"]
                if r["action"] == "intel.ingest" and r["detail"]["anonymous"]]
        self.assertEqual(len(full), 2)
        for r in full:
            self.assertTrue(r["detail"]["anonymous"], r)
            self.assertEqual((r["actor_user"], r["actor_org"]), (self.a1_id, self.bank_a))
            self.assertNotIn("actor_hidden", r)

        # The supervisor reads the whole trail: the records are there (chained), without the actor.
        page = self.get("sup", "/api/v1/audit?limit=1000")["items"]
        hidden = [r for r in page if r.get("actor_hidden")]
        self.assertEqual([r["seq"] for r in hidden], [r["seq"] for r in full])
        for r, f in zip(hidden, full):
            self.assert_hidden(r, added)
            self.assertEqual((r["hash"], r["prev_hash"], r["digest"]), (f["hash"], f["prev_hash"], f["digest"]))
        for before, after in zip(page, page[1:]):
            self.assertEqual(after["prev_hash"], before["hash"])  # the links are all there
        self.assertTrue(self.get("sup", "/api/v1/audit/verify")["intact"])
        # ...and the organisation filter does not find them (that would name the organisation).
        anonymous = lambda items: [r["seq"] for r in items if r["detail"].get("anonymous")]
        by_org = self.get("sup", "/api/v1/audit?limit=1000&org=" + self.bank_a)["items"]
        self.assertEqual([r["action"] for r in by_org], ["intel.ingest"])  # the one under its name
        self.assertEqual(anonymous(by_org), [])
        self.assertEqual(len(anonymous(self.get("admin", "/api/v1/audit?limit=1000&org=" + self.bank_a)["items"])), 2)
        # A member administrator's view of its organisation leaves them out too.
        mine = self.get("aa", "/api/v1/audit?limit=1000")["items"]
        self.assertEqual([r["action"] for r in mine], ["intel.ingest"])
        self.assertEqual(anonymous(mine), [])

        # The live stream: the supervisor's events come without the actor, the hub-admin's with it.
        conn_s, resp_s = open_stream(self.hub, "/api/v1/audit/stream", self.tokens["sup"])
        conn_h, resp_h = open_stream(self.hub, "/api/v1/audit/stream", self.hub.admin_token)
        try:
            self.assertEqual(resp_s.status, 200)
            more = self.submit_anonymously(2)
            ev_s = [json.loads(e["data"]) for e in read_events(resp_s, 2)]
            ev_h = [json.loads(e["data"]) for e in read_events(resp_h, 2)]
            self.assertEqual([e["action"] for e in ev_s], ["intel.ingest"] * 2)
            for e in ev_s:
                self.assert_hidden(e)
            self.assertEqual([e["actor_user"] for e in ev_h], [self.a1_id] * 2)
        finally:
            conn_s.close()
            conn_h.close()

        # Deleting one's own anonymous object does not name its organisation either.
        r = taxii(self.hub, "DELETE", "collections/submissions/objects/" + more[0]["id"] + "/", self.tokens["submitter-a"])
        self.assertEqual(r.status, 200, r)
        dels = [r for r in self.get("sup", "/api/v1/audit?limit=1000")["items"] if r["action"] == "intel.delete"]
        self.assertEqual(len(dels), 1)
        self.assert_hidden(dels[0])

        # The CLI: the operator's export is whole; --redacted is what the supervisor may be given.
        self.assertEqual(self.hub.stop(), 0)
        lines = [json.loads(l) for l in self.hub.cli("audit", "export").stdout.splitlines()]
        self.assertEqual(sum(1 for r in lines if r["actor_user"] == self.a1_id and r["action"] == "intel.ingest"), 5)
        red = [json.loads(l) for l in self.hub.cli("audit", "export", "--redacted").stdout.splitlines()]
        self.assertEqual(len(red), len(lines))
        self.assertEqual(sum(1 for r in red if r.get("actor_hidden")), 5)  # 4 submissions, 1 deletion
        for r in red:
            if r.get("actor_hidden") or r["detail"].get("anonymous"):
                self.assert_hidden(r)
        red_org = [json.loads(l) for l in self.hub.cli("audit", "export", "--redacted", "--org", self.bank_a).stdout.splitlines()]
        self.assertEqual(len(red_org), 1)
        self.hub.start()


class AnonymousBeforeKeying(unittest.TestCase):
    """An anonymous record from before records were keyed: its SHA-256 hash commits to its actor
    and could be tried against guesses, so readers other than the hub get neither it nor the next
    record's link to it."""

    def test_unkeyed_hash_withheld(self):
        hub = Hub().start()
        try:
            self.assertEqual(hub.admin("POST", "/api/v1/orgs", org_body("bank-a")).status, 201)
            self.assertEqual(hub.admin("POST", "/api/v1/orgs", {"code": "fsc", "name_zh": "主管機關", "name_en": "S",
                                                                "industry": "regulator", "size_tier": "large"}).status, 201)
            hub.admin("POST", "/api/v1/users", {"org": "bank-a", "username": "a1", "display_name": "a", "role": "member-analyst"})
            hub.admin("POST", "/api/v1/users", {"org": "fsc", "username": "sup", "display_name": "s", "role": "supervisor"})
            a1 = hub.admin("POST", "/api/v1/tokens", {"user": "a1", "name": "t"}).json()["token"]
            sup = hub.admin("POST", "/api/v1/tokens", {"user": "sup", "name": "t"}).json()["token"]
            r = taxii(hub, "POST", "collections/submissions/objects/", a1,
                      body={"objects": [indicator("192.0.2.7", "green", x_finshield_anonymous=True)]})
            self.assertEqual(r.json()["success_count"], 1)
            hub.admin("POST", "/api/v1/orgs", org_body("bank-z"))  # a record after it
            self.assertEqual(hub.stop(), 0)
            audit_make_unkeyed(hub)
            hub.start()  # the upgrade marks anonymous records again, then keys the trail
            items = hub.request("GET", "/api/v1/audit?limit=1000", token=sup).json()["items"]
            i = next(i for i, r in enumerate(items) if r["action"] == "intel.ingest")
            rec, nxt = items[i], items[i + 1]
            self.assertTrue(rec["actor_hidden"])
            self.assertIsNone(rec["actor_org"])
            self.assertIsNone(rec["hash"])
            self.assertIsNone(nxt["prev_hash"])
            self.assertIsNotNone(items[i - 1]["hash"])
            self.assertEqual(rec["prev_hash"], items[i - 1]["hash"])
            full = hub.admin("GET", "/api/v1/audit?limit=1000").json()["items"]
            self.assertEqual(full[i + 1]["prev_hash"], full[i]["hash"])
            self.assertIsNotNone(full[i]["actor_org"])
            self.assertTrue(hub.request("GET", "/api/v1/audit/verify", token=sup).json()["intact"])
        finally:
            rc = hub.stop()
            hub.cleanup()
            self.assertEqual(rc, 0)


if __name__ == "__main__":
    unittest.main()
