"""Two hubs: hub B (a partner ISAC abroad) pulls from hub A with the token of its partner
organisation at A and receives exactly what that organisation may see; a second pull resumes
after the last object; hub A pushes to B only what the partner may see."""
import json
import unittest

from hubtest import Hub, indicator, org_body, run, taxii


class TwoHubs(unittest.TestCase):
    def setUp(self):
        self.a = Hub().start()
        self.b = Hub().start()
        self.c = Hub().start()

    def tearDown(self):
        for h in (self.a, self.b, self.c):
            rc = h.stop()
            h.cleanup()
            self.assertEqual(rc, 0)

    def test_pull_and_push_enforce_tlp(self):
        a, b = self.a, self.b
        # At hub A: the partner ISAC is an organisation with a user and a token.
        self.assertEqual(a.admin("POST", "/api/v1/orgs", org_body("isac-jp", "partner")).status, 201)
        self.assertEqual(a.admin("POST", "/api/v1/orgs", org_body("bank-a")).status, 201)
        a.admin("POST", "/api/v1/users", {"org": "isac-jp", "username": "jp", "display_name": "JP", "role": "member-analyst"})
        partner_token = a.admin("POST", "/api/v1/tokens", {"user": "jp", "name": "sync"}).json()["token"]
        objs = {
            "green": indicator("198.51.100.1", "green", n=1),
            "amber-to-partner": indicator("198.51.100.2", "amber", n=2, x_finshield_recipients={"orgs": ["isac-jp"]}),
            "amber-other": indicator("198.51.100.3", "amber", n=3, x_finshield_recipients={"orgs": ["bank-a"]}),
            "strict-to-partner": indicator("198.51.100.4", "amber+strict", n=4, x_finshield_recipients={"orgs": ["isac-jp"]}),
            "red": indicator("198.51.100.5", "red", n=5),
            "clear": indicator("198.51.100.6", "clear", n=6),
        }
        r = taxii(a, "POST", "collections/sector/objects/", a.admin_token, body={"objects": list(objs.values())})
        self.assertEqual(r.json()["success_count"], len(objs))
        expected = {objs[k]["id"] for k in ("green", "amber-to-partner", "strict-to-partner", "clear")}

        # Hub B pulls A's sector collection into its own sector collection.
        p = b.cli("taxii", "pull", a.url + "/taxii2/hub/", "--collection", "sector", "--token", partner_token, "--limit", "2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("4 objects", p.stdout)
        got = {o["id"] for o in json.loads(b.cli("intel", "export").stdout)["objects"]}
        self.assertEqual(got, expected)

        # A new object at A: the next pull brings only it.
        new = indicator("198.51.100.7", "green", n=7)
        taxii(a, "POST", "collections/sector/objects/", a.admin_token, body={"objects": [new]})
        p = b.cli("taxii", "pull", a.url + "/taxii2/hub/", "--collection", "sector", "--token", partner_token)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 objects", p.stdout)
        got = {o["id"] for o in json.loads(b.cli("intel", "export").stdout)["objects"]}
        self.assertEqual(got, expected | {new["id"]})

        # A wrong token is refused with the server's reason.
        p = b.cli("taxii", "pull", a.url + "/taxii2/hub/", "--collection", "sector", "--token", "fsk_" + "Z" * 43)
        self.assertEqual(p.returncode, 1)
        self.assertIn("401", p.stderr)

        # Hub A pushes to hub C's submissions what the partner may see, and nothing else.
        c = self.c
        self.assertEqual(c.admin("POST", "/api/v1/orgs", org_body("isac-tw", "partner")).status, 201)
        c.admin("POST", "/api/v1/users", {"org": "isac-tw", "username": "tw", "display_name": "TW", "role": "member-analyst"})
        c_token = c.admin("POST", "/api/v1/tokens", {"user": "tw", "name": "sync"}).json()["token"]
        p = a.cli("taxii", "push", c.url + "/taxii2/hub/", "--collection", "submissions", "--for", "isac-jp", "--token", c_token)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("5 objects, 5 stored", p.stdout)
        pushed = {o["id"] for o in json.loads(c.cli("intel", "export", "--collection", "submissions", "--as", "tw").stdout)["objects"]}
        self.assertEqual(pushed, expected | {new["id"]})
        # Pushing again sends nothing new.
        p = a.cli("taxii", "push", c.url + "/taxii2/hub/", "--collection", "submissions", "--for", "isac-jp", "--token", c_token)
        self.assertIn("0 objects", p.stdout)
        p = a.cli("taxii", "push", c.url + "/taxii2/hub/", "--collection", "submissions", "--token", c_token)
        self.assertEqual(p.returncode, 2)  # --for is required
        # Re-sharing someone else's AMBER object into another collection is refused.
        amber = objs["amber-to-partner"]
        r = taxii(b, "POST", "collections/submissions/objects/", c_token, body={"objects": [amber]})
        self.assertEqual(r.status, 401)  # C's token means nothing at B


if __name__ == "__main__":
    unittest.main()
