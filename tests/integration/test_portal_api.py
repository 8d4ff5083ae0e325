"""What the portal is served with and the endpoints added for its pages (docs/portal.md): the
embedded files at / and /portal/ (our own modules and the npm packages, no query, nothing else),
the hub's settings that are safe to show (no secret, URLs without credentials, the hub's roles and
the supervisor only), and the relationships and sightings of an intelligence object, through the
one policy (an object the caller may not see is "no object")."""
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from hubtest import TLP_IDS, SectorCase, pages, taxii  # noqa: E402


def sdo(kind, tlp, **extra):
    obj = {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid.uuid4()}",
           "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
           "object_marking_refs": [TLP_IDS[tlp]]}
    obj.update(extra)
    return obj


class PortalApi(SectorCase):
    CONFIG = "[notify]\nwebhook_secret = do-not-show-me\nsmtp_url = smtps://mailer:hunter2@mail.example:465/path?x=1\n"

    def test_the_portal_files(self):
        r = self.hub.request("GET", "/")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/html"))
        self.assertIn('<script type="module" src="/portal/main.js">', r.body)
        self.assertNotIn("<script>", r.body)  # no inline script: the CSP would refuse it
        self.assertNotIn("style=", r.body)
        self.assertEqual(self.hub.request("GET", "/?lang=en").status, 200)
        for path, ctype in (("/portal/main.js", "text/javascript"), ("/portal/pages/incident.js", "text/javascript"),
                            ("/portal/style.css", "text/css"), ("/portal/vendor/htm-preact.js", "text/javascript"),
                            ("/portal/vendor/uplot.js", "text/javascript"), ("/portal/vendor/uplot.css", "text/css")):
            r = self.hub.request("GET", path)
            self.assertEqual(r.status, 200, path)
            self.assertTrue(r.headers["Content-Type"].startswith(ctype), (path, r.headers["Content-Type"]))
            self.assertIn("script-src 'self'", r.headers["Content-Security-Policy"])
        for path in ("/portal/nothing.js", "/portal/pages/nothing.js", "/portal/../docs/openapi.yaml",
                     "/portal/main.js?x=1"):
            self.assertIn(self.hub.request("GET", path).status, (400, 404), path)
        self.assertEqual(self.hub.request("POST", "/portal/main.js", body={}).status, 405)

    def test_the_portal_files_are_revalidated_not_fetched_again(self):
        # The browser keeps the files (and its compiled scripts) and asks whether they changed:
        # no-cache with a strong ETag, 304 when it still holds them; the API stays no-store.
        for path in ("/", "/portal/main.js", "/portal/vendor/htm-preact.js"):
            r = self.hub.request("GET", path)
            self.assertEqual(r.status, 200, path)
            self.assertEqual(r.headers["Cache-Control"], "no-cache", path)
            etag = r.headers["ETag"]
            self.assertRegex(etag, r'^"[0-9a-f]{16}"$')
            again = self.hub.request("GET", path, headers={"If-None-Match": etag})
            self.assertEqual((again.status, again.body), (304, ""), path)
            self.assertEqual(again.headers["ETag"], etag)
            other = self.hub.request("GET", path, headers={"If-None-Match": '"0000000000000000"'})
            self.assertEqual(other.status, 200)
        self.assertNotEqual(self.hub.request("GET", "/portal/main.js").headers["ETag"],
                            self.hub.request("GET", "/portal/ui.js").headers["ETag"])
        self.assertEqual(self.get("a1", "/api/v1/me").headers["Cache-Control"], "no-store")

    def test_a_document_the_hub_writes_keeps_its_own_styles_and_runs_no_script(self):
        # The supervisor's HTML report carries its styles inline (it is saved and printed on its
        # own): its answer allows inline styles, and nothing else, instead of the portal's policy.
        r = self.get("s1", "/api/v1/supervision/report?period=2026&format=html")
        self.assertEqual(r.status, 200, r)
        self.assertIn("<style>", r.body)
        csp = [p.strip() for p in r.headers["Content-Security-Policy"].split(";")]
        for part in ("default-src 'none'", "style-src 'unsafe-inline'", "frame-ancestors 'none'"):
            self.assertIn(part, csp)
        self.assertFalse([p for p in csp if p.startswith("script-src")], csp)
        r = self.get("s1", "/api/v1/supervision/report?period=2026")
        self.assertIn("style-src 'self'", r.headers["Content-Security-Policy"])

    def test_settings_safe_to_show(self):
        r = self.get("h1", "/api/v1/settings")
        self.assertEqual(r.status, 200, r)
        values = {i["key"]: i["value"] for i in r.json()["items"]}
        self.assertEqual(values["notify.webhook_secret"], "(set)")
        self.assertEqual(values["notify.smtp_url"], "smtps://mail.example:465")
        self.assertEqual(values["auth.session_idle_minutes"], 30)
        self.assertNotIn("do-not-show-me", r.body)
        self.assertNotIn("hunter2", r.body)
        self.assertEqual(self.get("s1", "/api/v1/settings").status, 200)
        for user in ("a1", "b1"):
            self.assertEqual(self.get(user, "/api/v1/settings").status, 403)

    def test_relationships_and_sightings_of_an_object(self):
        h = self.hub
        malware = sdo("malware", "green", name="TaipeiRAT", is_family=True)
        ind = sdo("indicator", "green", name="RAT C2", pattern="[ipv4-addr:value = '203.0.113.9']",
                  pattern_type="stix", valid_from="2026-01-01T00:00:00Z")
        rel = sdo("relationship", "green", relationship_type="indicates", source_ref=ind["id"], target_ref=malware["id"])
        r = taxii(h, "POST", "collections/sector/objects/", h.admin_token, body={"objects": [malware, ind, rel]})
        self.assertEqual(r.json()["success_count"], 3, r)
        # bank-b's own AMBER relationship and sighting about the same malware: for bank-b (and the hub).
        rel_b = sdo("relationship", "amber", relationship_type="related-to", source_ref=malware["id"],
                    target_ref=ind["id"])
        sighting_b = sdo("sighting", "amber", sighting_of_ref=ind["id"], count=3)
        r = taxii(h, "POST", "collections/submissions/objects/", self.tokens["b1"], body={"objects": [rel_b, sighting_b]})
        self.assertEqual(r.json()["success_count"], 2, r)
        # bank-a's AMBER object: nobody else may learn of it, nor of what refers to it.
        hidden = sdo("malware", "amber", name="Only A knows", is_family=False)
        r = taxii(h, "POST", "collections/submissions/objects/", self.tokens["a1"], body={"objects": [hidden]})
        self.assertEqual(r.json()["success_count"], 1, r)

        def related(user, oid):
            r = self.get(user, f"/api/v1/intel/objects/{oid}/related")
            return r, {i["object"]["id"] for i in r.json().get("items", [])} if r.status == 200 else None

        r, ids = related("a1", malware["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(ids, {rel["id"]})
        _, ids = related("b1", malware["id"])
        self.assertEqual(ids, {rel["id"], rel_b["id"]})
        _, ids = related("b1", ind["id"])
        self.assertEqual(ids, {rel["id"], rel_b["id"], sighting_b["id"]})
        _, ids = related("a1", ind["id"])
        self.assertEqual(ids, {rel["id"]})
        made_up = self.get("b1", f"/api/v1/intel/objects/malware--{uuid.uuid4()}/related").json()["error"]
        r, _ = related("b1", hidden["id"])
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["error"]["where"], made_up["where"])
        self.assertEqual(related("a1", hidden["id"])[0].status, 200)

    def every(self, user, path, limit):
        """Every item of a paged list, and the number of pages read."""
        read = pages(self.hub, path, self.tokens[user], limit, most=50)
        return [i for p in read for i in p["items"]], len(read)

    def test_search_and_relations_page_on_the_hub(self):
        # A value many objects mention: the search and an object's relations come a page at a time
        # (newest first, a "next" cursor), each page through the policy: bank-b's AMBER objects
        # never show to bank-a, and nothing is shown twice or skipped.
        h = self.hub
        value = "198.51.100.77"
        target = sdo("malware", "green", name="PagedRAT", is_family=True)
        r = taxii(h, "POST", "collections/sector/objects/", h.admin_token, body={"objects": [target]})
        self.assertEqual(r.json()["success_count"], 1, r)
        mine, theirs = [], []
        for i in range(7):
            for user, tlp, into in (("a1", "green", mine), ("b1", "amber", theirs)):
                ind = sdo("indicator", tlp, name=f"{user} {i}", pattern=f"[ipv4-addr:value = '{value}']",
                          pattern_type="stix", valid_from="2026-01-01T00:00:00Z")
                rel = sdo("relationship", tlp, relationship_type="indicates", source_ref=ind["id"],
                          target_ref=target["id"])
                r = taxii(h, "POST", "collections/submissions/objects/", self.tokens[user],
                          body={"objects": [ind, rel]})
                self.assertEqual(r.json()["success_count"], 2, r)
                into.append((ind["id"], rel["id"]))
        for user, want in (("a1", mine), ("b1", mine + theirs), ("h1", mine + theirs)):
            items, n = self.every(user, f"/api/v1/intel/search?value={value}", 3)
            ids = [i["object"]["id"] for i in items]
            self.assertEqual(sorted(ids), sorted(i for i, _ in want), user)
            self.assertGreater(n, 2, user)
            items, _ = self.every(user, f"/api/v1/intel/objects/{target['id']}/related", 4)
            self.assertEqual(sorted(i["object"]["id"] for i in items), sorted(r for _, r in want), user)
        r = self.get("a1", f"/api/v1/intel/search?value={value}&limit=2")
        self.assertEqual([i["object"]["id"] for i in r.json()["items"]], [mine[6][0], mine[5][0]])  # newest first
        # The cursors are sealed (docs/security.md, "Paging cursors and ids"): no hub-wide number
        # of the object store, and good only for the value or object they were made for.
        search_next = r.json()["next"]
        related_next = self.get("a1", f"/api/v1/intel/objects/{target['id']}/related?limit=2").json()["next"]
        self.assertTrue(search_next and related_next)
        for cursor in (search_next, related_next):
            self.assertNotRegex(cursor, r"^[0-9]+$")
        self.assertEqual(self.get("a1", f"/api/v1/intel/search?value={value}&after={search_next}").status, 200)
        for path in (f"/api/v1/intel/search?value=198.51.100.78&after={search_next}",
                     f"/api/v1/intel/objects/{target['id']}/related?after={search_next}",
                     f"/api/v1/intel/search?value={value}&after={related_next}",
                     f"/api/v1/intel/objects/{mine[0][0]}/related?after={related_next}"):
            r = self.get("a1", path)
            self.assertEqual((r.status, r.json()["error"]["where"]), (400, "after"), path)
        for bad in ("x", "-1", "0", "1.5", "12"):
            r = self.get("a1", f"/api/v1/intel/search?value={value}&after={bad}")
            self.assertEqual((r.status, r.json()["error"]["where"]), (400, "after"), bad)
            r = self.get("a1", f"/api/v1/intel/objects/{target['id']}/related?after={bad}")
            self.assertEqual((r.status, r.json()["error"]["where"]), (400, "after"), bad)

if __name__ == "__main__":
    unittest.main()
