"""Alerts as the portal's monitoring page works them (docs/soc.md, "Working alerts"): filtered
pages in either order, one alert with its event and matched field, acknowledgement and false
positives by the alert's organisation or the hub's analysts (audited), and each member seeing its
own organisation's event sources. What a caller may not see answers exactly as what does not
exist."""
import os
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from hubtest import SectorCase, indicator, pages, taxii, wait_engine  # noqa: E402


class AlertReview(SectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        h = cls.hub
        cls.green = indicator("203.0.113.5", "green")
        r = taxii(h, "POST", "collections/sector/objects/", h.admin_token, body={"objects": [cls.green]})
        assert r.status == 202, r
        cls.amber = indicator("198.51.100.7", "amber")
        # Shared by bank-a with bank-b alone: their alerts of it are theirs, the hub sees none.
        cls.strict = indicator("198.51.100.88", "amber+strict", x_finshield_recipients={"orgs": ["bank-b"]})
        r = taxii(h, "POST", "collections/submissions/objects/", cls.tokens["a1"],
                  body={"objects": [cls.amber, cls.strict]})
        assert r.status == 202, r
        wait_engine(h, 3)
        # The hub's alerts with one it may not see between them and another at the newest end.
        for user, lines in (("a1", ["src=203.0.113.5 dst=10.0.0.1 action=allow",
                                    "src=10.0.0.2 dst=198.51.100.7 action=allow"]),
                            ("b1", ["src=10.0.0.3 dst=198.51.100.88 action=allow"]),
                            ("b1", ["src=203.0.113.5 dst=10.0.0.9 action=deny"]),
                            ("a1", ["src=10.0.0.4 dst=198.51.100.88 action=allow"])):
            r = h.request("POST", "/api/v1/events", token=cls.tokens[user], raw="\n".join(lines).encode(),
                          headers={"Content-Type": "text/plain"})
            assert r.status == 200 and r.json()["alerts"] >= 1, r

    def alerts(self, user, query=""):
        r = self.get(user, "/api/v1/alerts" + query)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_filters_and_both_orders(self):
        everything = self.alerts("h1", "?limit=1000")["items"]
        self.assertEqual(len(everything), 3)
        self.assertFalse([a for a in everything if "seq" in a or a["ref"] == self.strict["id"]])
        newest = self.alerts("h1", "?order=newest&limit=1")
        self.assertEqual(newest["items"][0]["id"], everything[-1]["id"])
        second = self.alerts("h1", "?order=newest&limit=1&after=" + newest["next"])
        self.assertEqual(second["items"][0]["id"], everything[-2]["id"])
        self.assertEqual([a["org_code"] for a in self.alerts("h1", "?value=203.0.113.5")["items"]],
                         ["bank-a", "bank-b"])
        self.assertEqual(len(self.alerts("h1", "?ref=" + self.amber["id"])["items"]), 1)
        self.assertEqual(len(self.alerts("h1", "?source=http:127.0.0.1")["items"]), 3)
        self.assertEqual(len(self.alerts("h1", "?source=syslog:10.9.9.9")["items"]), 0)
        self.assertEqual(len(self.alerts("h1", "?since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z")["items"]), 3)
        self.assertEqual(len(self.alerts("h1", "?until=2000-01-01T00:00:00Z")["items"]), 0)
        # A member sees its own organisation's alone, whatever it asks.
        self.assertEqual({a["org_code"] for a in self.alerts("a1", "?limit=1000")["items"]}, {"bank-a"})
        self.assertEqual(self.get("a1", "/api/v1/alerts?org=bank-b").status, 403)
        r = self.get("a1", "/api/v1/alerts?since=yesterday")
        self.assertEqual((r.status, r.json()["error"]["where"]), (400, "since"))
        self.assertEqual(self.get("s1", "/api/v1/alerts").status, 403)

    def test_filtered_pages_read_past_what_the_reader_may_not_see(self):
        # Every filter and both orders page through one loop (docs/security.md, "Paging cursors
        # and ids"): full pages until the last, over alerts the reader may not see (bank-a's and
        # bank-b's of the strict indicator, the newest among them), sealed cursors, no seq.
        everything = [a["id"] for a in self.alerts("h1", "?limit=1000")["items"]]
        for query, expected in (("order=newest", everything[::-1]),
                                ("order=newest&source=http:127.0.0.1", everything[::-1]),
                                ("source=http:127.0.0.1&since=2000-01-01T00:00:00Z", everything),
                                ("order=newest&status=new&kind=ioc", everything[::-1])):
            read = pages(self.hub, "/api/v1/alerts?" + query, self.tokens["h1"], most=10)
            self.assertEqual([len(p["items"]) for p in read[:-1]], [1] * (len(read) - 1), query)
            self.assertFalse([a for p in read for a in p["items"] if "seq" in a], query)
            self.assertEqual([a["id"] for p in read for a in p["items"]], expected, query)
        # Filtered on the strict indicator's value: nothing for the hub, and no cursor saying
        # that something is there; its recipient sees its own.
        page = self.alerts("h1", "?order=newest&limit=1&value=198.51.100.88")
        self.assertEqual((page["items"], page["next"]), ([], None))
        self.assertEqual(len(self.alerts("b1", "?order=newest&value=198.51.100.88")["items"]), 1)

    def test_a_cursor_is_good_for_its_own_filters_and_order(self):
        newest = self.alerts("h1", "?order=newest&limit=1")["next"]
        by_value = self.alerts("h1", "?value=203.0.113.5&limit=1")["next"]
        self.assertTrue(newest and by_value)
        for query in (f"after={newest}", f"order=oldest&after={newest}",
                      f"order=newest&status=new&after={newest}", f"order=newest&value=203.0.113.5&after={newest}",
                      f"value=203.0.113.6&after={by_value}", f"value=203.0.113.5&order=newest&after={by_value}",
                      f"value=203.0.113.5&source=http:127.0.0.1&after={by_value}",
                      f"value=203.0.113.5&until=2999-01-01T00:00:00Z&after={by_value}", "after=12"):
            r = self.get("h1", "/api/v1/alerts?" + query)
            self.assertEqual((r.status, r.json()["error"]["where"]), (400, "after"), query)
        # The same list goes on whatever the page size; another caller's cursor tells it nothing.
        self.assertEqual(self.get("h1", f"/api/v1/alerts?order=newest&limit=5&after={newest}").status, 200)
        self.assertEqual(self.get("h1", f"/api/v1/alerts?value=203.0.113.5&after={by_value}").status, 200)

    def test_one_alert_and_who_sees_it(self):
        mine = [a for a in self.alerts("a1")["items"] if a["value"] == "198.51.100.7"][0]
        r = self.get("a1", "/api/v1/alerts/" + mine["id"])
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertIn("198.51.100.7", doc["event"])
        self.assertEqual(doc["review"]["status"], "new")
        self.assertTrue(doc["field"])
        # bank-b, the supervisor, and a made-up id: the same 404.
        made_up = self.get("b1", "/api/v1/alerts/" + str(uuid.uuid4())).json()["error"]
        for user in ("b1", "s1"):
            r = self.get(user, "/api/v1/alerts/" + mine["id"])
            self.assertEqual(r.status, 404, (user, r))
            self.assertEqual(r.json()["error"]["where"], made_up["where"])
            r = self.hub.request("POST", f"/api/v1/alerts/{mine['id']}/review", token=self.tokens[user],
                                 body={"status": "acknowledged"})
            self.assertEqual(r.status, 404, (user, r))
        # The hub's analysts receive submissions: they see the indicator, and so the alert.
        self.assertEqual(self.get("h1", "/api/v1/alerts/" + mine["id"]).status, 200)

    def test_review_by_the_organisation_and_the_hub(self):
        a = [x for x in self.alerts("a1")["items"] if x["value"] == "203.0.113.5"][0]
        path = f"/api/v1/alerts/{a['id']}/review"
        r = self.hub.request("POST", path, token=self.tokens["a1"], body={"status": "done"})
        self.assertEqual((r.status, r.json()["error"]["where"]), (400, "$.status"))
        r = self.hub.request("POST", path, token=self.tokens["a1"],
                             body={"status": "acknowledged", "note": "blocked at the firewall"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["review"]["status"], r.json()["review"]["by"]), ("acknowledged", "a1"))
        self.assertEqual([x["id"] for x in self.alerts("a1", "?status=acknowledged")["items"]], [a["id"]])
        r = self.hub.request("POST", path, token=self.tokens["h1"], body={"status": "false_positive"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.get("a1", "/api/v1/alerts/" + a["id"]).json()["review"]["status"], "false_positive")
        audit = self.hub.admin("GET", "/api/v1/audit?limit=1000").json()["items"]
        self.assertEqual(sum(1 for e in audit if e["action"] == "alert.review" and e["object_id"] == a["id"]), 2)

    def test_members_see_their_own_sources(self):
        h = self.hub
        for match, org in (("192.0.2.0/24", "bank-a"), ("198.18.0.0/15", "bank-b")):
            r = h.admin("POST", "/api/v1/soc/sources", {"kind": "cidr", "match": match, "org": org})
            self.assertEqual(r.status, 201, r)
        r = self.get("a1", "/api/v1/soc/sources")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([s["match"] for s in r.json()["items"]], ["192.0.2.0/24"])
        self.assertEqual(len(self.get("h1", "/api/v1/soc/sources").json()["items"]), 2)
        self.assertEqual(self.get("s1", "/api/v1/soc/sources").status, 403)

    def test_sources_page_on_the_hub(self):
        # The hub's list of every member's sources comes a page at a time (by kind, then match),
        # a member's only its own; another organisation's source is no cursor for a member.
        h = self.hub
        ids = {}
        for i in range(5):
            for org, net in (("bank-a", "10.77"), ("bank-b", "10.78")):
                r = h.admin("POST", "/api/v1/soc/sources", {"kind": "cidr", "match": f"{net}.{i}.0/24", "org": org})
                self.assertEqual(r.status, 201, r)
                ids[f"{net}.{i}.0/24"] = r.json()["id"]

        def every(user, limit):
            read = pages(self.hub, "/api/v1/soc/sources", self.tokens[user], limit, most=40)
            return [s for p in read for s in p["items"]], len(read)

        all_h1, n = every("h1", 3)
        self.assertGreater(n, 3)
        matches = [s["match"] for s in all_h1]
        self.assertEqual(matches, sorted(matches))
        self.assertTrue(set(ids) <= set(matches))
        self.assertEqual(len(matches), len(set(matches)))
        mine, _ = every("a1", 2)
        self.assertEqual({s["org"] for s in mine}, {"bank-a"})
        self.assertTrue({f"10.77.{i}.0/24" for i in range(5)} <= {s["match"] for s in mine})
        made_up = self.get("a1", "/api/v1/soc/sources?after=00000000-0000-4000-8000-000000000000")
        theirs = self.get("a1", "/api/v1/soc/sources?after=" + ids["10.78.0.0/24"])
        self.assertEqual((made_up.status, made_up.json()["error"]["where"]), (400, "after"))
        same = lambda r: (r.status, {k: v for k, v in r.json()["error"].items() if k != "request_id"})  # noqa: E731
        self.assertEqual(same(theirs), same(made_up))


class SectorAlertPages(SectorCase):
    """Sector alerts page on the hub (newest first, a cursor to the next page), as alerts do: those
    from an indicator the reader may not see are read past, neither counted nor named by a cursor."""
    CONFIG = "[soc]\nsector_threshold = 2\n"

    def test_pages(self):
        h, tokens = self.hub, self.tokens
        iocs = [indicator(f"203.0.113.{n}", "green") for n in (21, 22, 23)]
        r = taxii(h, "POST", "collections/sector/objects/", h.admin_token, body={"objects": iocs})
        self.assertEqual(r.status, 202, r)
        # bank-a's indicator for bank-b alone: its sector alert is neither the hub's nor the
        # supervisor's to see.
        strict = indicator("203.0.113.99", "amber+strict", x_finshield_recipients={"orgs": ["bank-b"]})
        r = taxii(h, "POST", "collections/submissions/objects/", tokens["a1"], body={"objects": [strict]})
        self.assertEqual(r.status, 202, r)
        wait_engine(h, 4)
        # One after the other: four sector alerts, the 23 newest, the hidden 99 among them.
        for n in (21, 99, 22, 99, 23):
            for user in ("a1", "b1"):
                r = h.request("POST", "/api/v1/events", token=tokens[user],
                              raw=f"src=203.0.113.{n} dst=10.0.0.1".encode(), headers={"Content-Type": "text/plain"})
                self.assertEqual(r.status, 200, r)
            time.sleep(0.01)
        everything = self.get("h1", "/api/v1/alerts/sector?limit=10").json()
        self.assertEqual(len(everything["items"]), 3)
        self.assertIsNone(everything.get("next"))
        self.assertNotIn(strict["id"], [x["ref"] for x in everything["items"]])
        theirs = self.get("b1", "/api/v1/alerts?value=203.0.113.99").json()["items"]
        self.assertTrue(theirs and theirs[0]["sector_alert"], theirs)  # it is there, hidden
        for user, limit in (("s1", 2), ("h1", 1)):
            read = pages(h, "/api/v1/alerts/sector", tokens[user], limit)
            self.assertEqual([x["id"] for p in read for x in p["items"]], [x["id"] for x in everything["items"]], user)
            for p in read[:-1]:
                # Full until the last page; the cursor names the last one shown.
                self.assertEqual(len(p["items"]), limit, user)
                self.assertTrue(p["next"].endswith("." + p["items"][-1]["id"]), p["next"])
        self.assertIn("203.0.113.23", everything["items"][0]["ref_name"])
        r = self.get("h1", "/api/v1/alerts/sector?after=nonsense")
        self.assertEqual((r.status, r.json()["error"]["where"]), (400, "after"))


if __name__ == "__main__":
    unittest.main()
