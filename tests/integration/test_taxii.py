"""TAXII 2.1 over real HTTP (urllib and curl): every endpoint, filter and error, status
resources, versions, delete, and the paging of a 10,000-object collection by cursor and by
added_after; a cursor tells nothing of the objects the reader cannot see."""
import base64
import calendar
import json
import subprocess
import unittest
import urllib.parse

from hubtest import TAXII, TLP_IDS, Hub, indicator, org_body, taxii


class Taxii(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(config="[taxii]\nmax_content_length = 20000000\n").start()
        h = cls.hub
        assert h.admin("POST", "/api/v1/orgs", org_body("bank-a")).status == 201
        r = h.admin("POST", "/api/v1/users", {"org": "bank-a", "username": "a1", "display_name": "A", "role": "member-analyst"})
        assert r.status == 201
        cls.member = h.admin("POST", "/api/v1/tokens", {"user": "a1", "name": "t"}).json()["token"]
        cls.admin = h.admin_token

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def test_discovery_root_collections(self):
        r = taxii(self.hub, "GET", "/taxii2/", self.member)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["Content-Type"], TAXII)
        d = r.json()
        self.assertTrue(d["default"].endswith("/taxii2/hub/"))
        r = taxii(self.hub, "GET", "", self.member)
        self.assertIn(TAXII, r.json()["versions"])
        self.assertEqual(r.json()["max_content_length"], 20000000)
        cols = taxii(self.hub, "GET", "collections/", self.member).json()["collections"]
        by_alias = {c["alias"]: c for c in cols}
        self.assertTrue(by_alias["sector"]["can_read"])
        self.assertFalse(by_alias["sector"]["can_write"])
        self.assertTrue(by_alias["submissions"]["can_write"])
        r = taxii(self.hub, "GET", "collections/" + by_alias["sector"]["id"] + "/", self.member)
        self.assertEqual(r.json()["alias"], "sector")
        # With curl too: unversioned Accept is the current version.
        out = subprocess.run(["curl", "-s", "-u", "x:" + self.member, "-H", "Accept: application/taxii+json",
                              self.hub.url + "/taxii2/hub/collections/sector/"], capture_output=True, text=True)
        self.assertEqual(json.loads(out.stdout)["alias"], "sector")

    def test_errors(self):
        h = self.hub
        r = taxii(h, "GET", "collections/", None)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["http_status"], 401)
        r = taxii(h, "GET", "collections/", self.member, accept="application/json")
        self.assertEqual(r.status, 406)
        self.assertEqual(r.json()["http_status"], 406)
        r = taxii(h, "GET", "collections/", self.member, accept="application/taxii+json;version=2.0")
        self.assertEqual(r.status, 406)
        r = taxii(h, "POST", "collections/submissions/objects/", self.member, body={"objects": []}, ctype="application/json")
        self.assertEqual(r.status, 415)
        r = taxii(h, "POST", "collections/sector/objects/", self.member, body={"objects": [indicator("198.51.100.1")]})
        self.assertEqual(r.status, 403)
        r = taxii(h, "GET", "collections/no-such/", self.member)
        self.assertEqual(r.status, 404)
        self.assertIn("title", r.json())
        r = taxii(h, "GET", "collections/sector/objects/?next=AAAA", self.member)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["details"]["where"], "next")
        # The Traditional Chinese in details, where TAXII leaves room for the server (#18 item 12).
        e = r.json()
        self.assertEqual(e["details"]["title_zh"], "輸入內容有誤")
        self.assertTrue(e["details"]["description_zh"])
        self.assertNotEqual(e["details"]["description_zh"], e["description"])
        r = taxii(h, "GET", "collections/sector/objects/?match[colour]=red", self.member)
        self.assertEqual(r.status, 400)
        r = taxii(h, "GET", "collections/sector/objects/?added_after=yesterday", self.member)
        self.assertEqual(r.status, 400)
        r = taxii(h, "POST", "collections/submissions/objects/", self.member, raw=b'{"objects": [', ctype=TAXII)
        self.assertEqual(r.status, 400)
        big = json.dumps({"objects": [indicator("198.51.100.2", description="x" * 21000000)]}).encode()
        r = taxii(h, "POST", "collections/submissions/objects/", self.member, raw=big)
        self.assertEqual(r.status, 413)
        self.assertEqual(r.json()["http_status"], 413)

    def test_post_keeps_valid_and_lists_failures(self):
        h = self.hub
        good = indicator("198.51.100.10", "green")
        bad = indicator("198.51.100.11", "green")
        bad["valid_until"] = "2025-01-01T00:00:00Z"  # before valid_from
        broken = {"type": "indicator", "id": "indicator--nope"}
        r = taxii(h, "POST", "collections/submissions/objects/", self.member, body={"objects": [good, bad, broken]})
        self.assertEqual(r.status, 202, r)
        s = r.json()
        self.assertEqual((s["total_count"], s["success_count"], s["failure_count"]), (3, 1, 2))
        self.assertEqual(s["status"], "complete")
        msgs = " ".join(f["message"] for f in s["failures"])
        self.assertIn("valid_until", msgs)
        self.assertEqual(s["failures"][0]["id"], bad["id"])
        r = taxii(h, "GET", f"status/{s['id']}/", self.member)
        self.assertEqual(r.json()["success_count"], 1)
        # Another organisation's token cannot read that status.
        self.assertEqual(taxii(h, "GET", f"status/{s['id']}/", "fsk_" + "C" * 43).status, 401)
        r = taxii(h, "GET", f"collections/submissions/objects/{good['id']}/", self.member)
        self.assertEqual(r.json()["objects"][0]["id"], good["id"])
        self.assertEqual(taxii(h, "GET", f"collections/submissions/objects/{bad['id']}/", self.member).status, 404)

    def test_versions_filters_delete(self):
        h = self.hub
        uid = "0b7f1c84-2d67-4fa1-9d0e-5d3b1cfa0001"
        v1 = indicator("203.0.113.7", "green", uid=uid, modified="2026-02-01T00:00:00.000Z")
        v2 = indicator("203.0.113.7", "green", uid=uid, modified="2026-03-01T00:00:00.000Z", name="renamed")
        v3 = indicator("203.0.113.7", "green", uid=uid, modified="2026-04-01T00:00:00.123456Z")
        for v in (v2, v1, v3):  # out of order on purpose
            self.assertEqual(taxii(h, "POST", "collections/sector/objects/", self.admin, body={"objects": [v]}).status, 202)
        oid = v1["id"]
        r = taxii(h, "GET", f"collections/sector/objects/{oid}/versions/", self.member)
        self.assertEqual(r.json()["versions"], [v1["modified"], v2["modified"], v3["modified"]])
        self.assertIn("X-TAXII-Date-Added-First", r.headers)
        get = lambda q: [o["modified"] for o in taxii(h, "GET", f"collections/sector/objects/{oid}/{q}", self.member).json()["objects"]]
        self.assertEqual(get(""), [v3["modified"]])
        self.assertEqual(get("?match[version]=first"), [v1["modified"]])
        self.assertEqual(get("?match[version]=all"), [v1["modified"], v2["modified"], v3["modified"]])
        self.assertEqual(get("?match[version]=" + urllib.parse.quote(v2["modified"])), [v2["modified"]])
        self.assertEqual(get("?match[version]=first,last"), [v1["modified"], v3["modified"]])
        # Lists: the latest version by default, all on request, by id and type.
        objs = taxii(h, "GET", f"collections/sector/objects/?match[id]={oid}", self.member).json()["objects"]
        self.assertEqual([o["modified"] for o in objs], [v3["modified"]])
        objs = taxii(h, "GET", f"collections/sector/objects/?match[id]={oid}&match[version]=all", self.member).json()["objects"]
        self.assertEqual(len(objs), 3)
        self.assertEqual(taxii(h, "GET", "collections/sector/objects/?match[type]=malware", self.member).json()["objects"], [])
        self.assertEqual(taxii(h, "GET", "collections/sector/objects/?match[spec_version]=2.0", self.member).json()["objects"], [])
        man = taxii(h, "GET", f"collections/sector/manifest/?match[id]={oid}&match[version]=all", self.member).json()["objects"]
        self.assertEqual([m["version"] for m in sorted(man, key=lambda m: m["version"])],
                         [v1["modified"], v2["modified"], v3["modified"]])
        self.assertEqual(man[0]["media_type"], "application/stix+json;version=2.1")
        # A member may not delete the hub's object; the hub may, and the latest becomes v2.
        self.assertEqual(taxii(h, "DELETE", f"collections/sector/objects/{oid}/", self.member).status, 403)
        r = taxii(h, "DELETE", f"collections/sector/objects/{oid}/?match[version]=last", self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(get(""), [v2["modified"]])
        self.assertEqual(taxii(h, "DELETE", f"collections/sector/objects/{oid}/", self.admin).status, 200)
        self.assertEqual(taxii(h, "GET", f"collections/sector/objects/{oid}/", self.member).status, 404)

    def test_cached_pages_follow_changes_and_visibility(self):
        h = self.hub
        r = h.admin("POST", "/api/v1/intel/collections", {"alias": "cache-test", "kind": "group", "default_tlp": "green", "members": ["bank-a"]})
        self.assertEqual(r.status, 201, r)
        first = indicator("198.51.100.40", "green", n=40)
        taxii(h, "POST", "collections/cache-test/objects/", self.admin, body={"objects": [first]})
        page = lambda tok: [o["id"] for o in taxii(h, "GET", "collections/cache-test/objects/", tok).json()["objects"]]
        self.assertEqual(page(self.member), [first["id"]])
        self.assertEqual(page(self.member), [first["id"]])  # served from the cache
        # A change makes the cached page stale at once.
        second = indicator("198.51.100.41", "green", n=41)
        taxii(h, "POST", "collections/cache-test/objects/", self.admin, body={"objects": [second]})
        self.assertEqual(page(self.member), [first["id"], second["id"]])
        # A RED object for its producer only: the producer's page shows it; the member's does not,
        # even right after the producer's page was computed (pages with such rows are never shared).
        amber = indicator("198.51.100.42", "red", n=42)
        taxii(h, "POST", "collections/cache-test/objects/", self.admin, body={"objects": [amber]})
        self.assertIn(amber["id"], page(self.admin))
        self.assertNotIn(amber["id"], page(self.member))
        self.assertIn(amber["id"], page(self.admin))

    def test_paging_10000_objects(self):
        h = self.hub
        alias = "paging"
        r = h.admin("POST", "/api/v1/intel/collections", {"alias": alias, "kind": "group", "default_tlp": "green", "members": ["bank-a"]})
        self.assertEqual(r.status, 201, r)
        objs = [indicator(f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}", n=i) for i in range(10000)]
        r = taxii(h, "POST", f"collections/{alias}/objects/", self.admin, body={"objects": objs})
        self.assertEqual(r.status, 202)
        self.assertEqual(r.json()["success_count"], 10000)
        seen, pages, nxt, last_added = [], 0, None, None
        while True:
            q = "?limit=1000" + (f"&next={urllib.parse.quote(nxt)}" if nxt else "")
            r = taxii(h, "GET", f"collections/{alias}/objects/{q}", self.member)
            self.assertEqual(r.status, 200)
            env = r.json()
            seen += [o["id"] for o in env["objects"]]
            pages += 1
            first = r.headers["X-TAXII-Date-Added-First"]
            if last_added:
                self.assertGreater(first, last_added)  # ascending, no overlap
            last_added = r.headers["X-TAXII-Date-Added-Last"]
            if not env["more"]:
                break
            nxt = env["next"]
        self.assertEqual(pages, 10)
        self.assertEqual(len(seen), 10000)
        self.assertEqual(set(seen), {o["id"] for o in objs})
        # Paging by added_after gives the same.
        after, total = None, 0
        while True:
            q = "?limit=2500" + (f"&added_after={urllib.parse.quote(after)}" if after else "")
            r = taxii(h, "GET", f"collections/{alias}/objects/{q}", self.member)
            n = len(r.json()["objects"])
            total += n
            if n == 0:
                break
            after = r.headers["X-TAXII-Date-Added-Last"]
        self.assertEqual(total, 10000)
        # A cursor is bound to its query: reusing it with other filters is refused.
        r = taxii(h, "GET", f"collections/{alias}/objects/?limit=10", self.member)
        cur = r.json()["next"]
        r = taxii(h, "GET", f"collections/{alias}/objects/?limit=10&match[type]=indicator&next={urllib.parse.quote(cur)}", self.member)
        self.assertEqual(r.status, 400)
        # limit beyond taxii.page_limit is cut, not refused.
        r = taxii(h, "GET", f"collections/{alias}/manifest/?limit=50000", self.member)
        self.assertEqual(len(r.json()["objects"]), 1000)


def added_us(text):
    """A TAXII date added ("2026-01-02T03:04:05.123456Z") as microseconds since the epoch."""
    whole, _, frac = text.rstrip("Z").partition(".")
    secs = calendar.timegm(__import__("time").strptime(whole, "%Y-%m-%dT%H:%M:%S"))
    return secs * 1000000 + int((frac + "000000")[:6])


class CursorSecrecy(unittest.TestCase):
    """#12 item 10: a next cursor is encrypted, so it does not carry the date added (or the row)
    of an object the reader may not see, which the page skipped just before it."""

    def setUp(self):
        self.hub = Hub().start()
        h = self.hub
        self.tokens = {}
        for org, user in (("bank-a", "a1"), ("bank-b", "b1")):
            self.assertEqual(h.admin("POST", "/api/v1/orgs", org_body(org)).status, 201)
            h.admin("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user, "role": "member-analyst"})
            self.tokens[user] = h.admin("POST", "/api/v1/tokens", {"user": user, "name": "t"}).json()["token"]

    def tearDown(self):
        rc = self.hub.stop()
        self.hub.cleanup()
        self.assertEqual(rc, 0)

    def test_cursor_hides_skipped_rows(self):
        h, a, b = self.hub, self.tokens["a1"], self.tokens["b1"]
        post = lambda tok, obj: taxii(h, "POST", "collections/submissions/objects/", tok, body={"objects": [obj]})
        g1, hidden, g2 = (indicator("203.0.113.1", "green", n=1), indicator("203.0.113.2", "amber+strict", n=2),
                          indicator("203.0.113.3", "green", n=3))
        self.assertEqual(post(a, g1).json()["success_count"], 1)
        self.assertEqual(post(b, hidden).json()["success_count"], 1)
        self.assertEqual(post(a, g2).json()["success_count"], 1)
        # bank-b's AMBER+STRICT object is not bank-a's to see; its date added is secret from bank-a.
        r = taxii(h, "GET", "collections/submissions/manifest/?match[id]=" + hidden["id"], b)
        secret = added_us(r.json()["objects"][0]["date_added"])
        r = taxii(h, "GET", "collections/submissions/objects/?limit=1", a)
        env = r.json()
        self.assertEqual([o["id"] for o in env["objects"]], [g1["id"]])
        self.assertTrue(env["more"])
        raw = base64.urlsafe_b64decode(env["next"] + "=" * (-len(env["next"]) % 4))
        self.assertNotIn(secret.to_bytes(8, "big"), raw)
        self.assertNotIn(secret.to_bytes(8, "little"), raw)
        # Another request for the same page gives another cursor (nothing to compare across readers).
        again = taxii(h, "GET", "collections/submissions/objects/?limit=1", a).json()["next"]
        self.assertNotEqual(again, env["next"])
        # The cursor still works, and only here: the next page is g2, the hidden object is skipped.
        nxt = urllib.parse.quote(env["next"])
        r = taxii(h, "GET", "collections/submissions/objects/?limit=1&next=" + nxt, a)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([o["id"] for o in r.json()["objects"]], [g2["id"]])
        self.assertFalse(r.json()["more"])
        # An altered cursor is refused like an unknown one.
        bad = env["next"][:10] + ("A" if env["next"][10] != "A" else "B") + env["next"][11:]
        r = taxii(h, "GET", "collections/submissions/objects/?limit=1&next=" + urllib.parse.quote(bad), a)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["details"]["where"], "next")


if __name__ == "__main__":
    unittest.main()
