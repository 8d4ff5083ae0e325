"""Paging tells a caller nothing about what it cannot see (docs/security.md, "Paging cursors and
ids"): a member behind many objects it may not see pages on through the REST export and TAXII
(cursors sealed, never 0, never restarting), sees no place in the hub's audit chain, and gets no
cursor (nor page) for another organisation's register records; every cursor is bound to its list.
(#12 items 2 and 10)"""
import unittest

from hubtest import Hub, indicator, org_body, pages, run, taxii

HIDDEN = 2100  # more than the read budget of a page of one (20 x 1 + 2000 rows)


class Paging(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = h = Hub().start()
        for code in ("bank-a", "bank-b"):
            assert h.admin("POST", "/api/v1/orgs", org_body(code)).status == 201
        cls.tokens = {}
        for user, org, role in (("a-admin", "bank-a", "member-admin"), ("b-admin", "bank-b", "member-admin"),
                                ("b-analyst", "bank-b", "member-analyst")):
            r = h.admin("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user,
                                                  "role": role})
            assert r.status == 201, r
            cls.tokens[user] = h.admin("POST", "/api/v1/tokens", {"user": user, "name": "t"}).json()["token"]
        # What bank-b sees, then many objects of bank-a's it may not see, then more it sees.
        cls.visible = []
        for part in ("before", "after"):
            objs = [indicator(f"192.0.2.{i}", "green", n=len(part)) for i in range(1, 4)]
            for o in objs:
                o["name"] = f"{part} {o['name']}"
            r = taxii(h, "POST", "collections/submissions/objects/", cls.tokens["b-analyst"], body={"objects": objs})
            assert r.json()["success_count"] == 3, r
            cls.visible += [o["id"] for o in objs]
            if part == "before":
                hidden = [indicator(f"10.{i // 250}.{i % 250}.1", "amber+strict") for i in range(HIDDEN)]
                r = taxii(h, "POST", "collections/submissions/objects/", cls.tokens["a-admin"],
                          body={"objects": hidden})
                assert r.json()["success_count"] == HIDDEN, r

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def test_rest_export_goes_on_past_what_it_cannot_see(self):
        got, after, requests = [], None, 0
        while True:
            q = "/api/v1/intel/export?collection=submissions&limit=1" + (f"&after={after}" if after else "")
            r = self.hub.request("GET", q, token=self.tokens["b-analyst"])
            self.assertEqual(r.status, 200, r)
            requests += 1
            self.assertLess(requests, 50, "paging does not progress")
            got += [o["id"] for o in r.json()["objects"]]
            after = r.headers.get("X-Finshield-Next-After")
            if not after:
                break
            self.assertNotRegex(after, r"^[0-9]+$")  # a sealed cursor, never a position (nor 0)
        self.assertEqual(sorted(got), sorted(self.visible))  # each once (a batch's order is its own)
        # A cursor is good for its own list only.
        r = self.hub.request("GET", "/api/v1/intel/export?collection=submissions&limit=1",
                             token=self.tokens["b-analyst"])
        cursor = r.headers["X-Finshield-Next-After"]
        r = self.hub.request("GET", f"/api/v1/intel/export?collection=sector&after={cursor}",
                             token=self.tokens["b-analyst"])
        self.assertEqual(r.status, 400)
        r = self.hub.request("GET", f"/api/v1/audit?after={cursor}", token=self.tokens["b-admin"])
        self.assertEqual(r.status, 400)

    def test_taxii_goes_on_past_what_it_cannot_see(self):
        got, nxt, requests = [], None, 0
        while True:
            q = "collections/submissions/objects/?limit=1" + (f"&next={nxt}" if nxt else "")
            env = taxii(self.hub, "GET", q, self.tokens["b-analyst"]).json()
            requests += 1
            self.assertLess(requests, 50, "paging does not progress")
            got += [o["id"] for o in env.get("objects", [])]
            nxt = env.get("next")
            if not env.get("more"):
                break
            self.assertNotRegex(nxt, r"^[0-9]+$")  # sealed, as the REST export's
        self.assertEqual(sorted(got), sorted(self.visible))  # each once (a batch's order is its own)

    def test_audit_of_an_organisation_has_no_place_in_the_chain(self):
        # A second record of bank-a's, after bank-b's and the hub's: its pages of one go past them.
        r = self.hub.request("POST", "/api/v1/tokens", token=self.tokens["a-admin"],
                             body={"user": "a-admin", "name": "audit"})
        self.assertEqual(r.status, 201, r)
        read = pages(self.hub, "/api/v1/audit", self.tokens["a-admin"])
        self.assertGreater(len(read), 1)
        mine = [rec for p in read for rec in p["items"]]
        for rec in mine:
            for key in ("seq", "prev_hash", "hash"):
                self.assertNotIn(key, rec)
        self.assertTrue(mine)
        whole = self.hub.admin("GET", "/api/v1/audit?limit=1000").json()["items"]
        org_a = self.hub.admin("GET", "/api/v1/orgs/bank-a").json()["id"]
        self.assertEqual([r["at"] for r in mine], [r["at"] for r in whole if r["actor_org"] == org_a])
        self.assertTrue(all("seq" in r for r in whole))  # the hub's roles read the chain

    def test_another_organisations_registers_give_no_cursor(self):
        for i in range(3):
            p = self.hub.cli("register", "bcm-services", "add", "--org", "bank-a", "-f", f"code=svc-{i}",
                             "-f", f"name=Service {i}", "-f", "mtpd_hours=4", "-f", "rto_hours=2")
            self.assertEqual(p.returncode, 0, p.stderr)
        r = self.hub.request("GET", "/api/v1/registers/bcm-services?org=bank-a&limit=1",
                             token=self.tokens["b-admin"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"items": [], "next": None})
        r = self.hub.request("GET", "/api/v1/registers/bcm-services?org=bank-a&limit=1",
                             token=self.tokens["a-admin"])
        self.assertEqual(len(r.json()["items"]), 1)
        self.assertIsNotNone(r.json()["next"])


if __name__ == "__main__":
    unittest.main()
