"""Two hubs: hub B (a partner ISAC abroad) pulls from hub A with the token of its partner
organisation at A and receives exactly what that organisation may see; a second pull resumes
after the last object; hub A pushes to B only what the partner may see. A pull from another
TAXII server (a plain HTTP server standing in for the OASIS reference server) takes its empty
envelope `{}` as no objects."""
import http.server
import json
import threading
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


class EnvelopeServer(http.server.BaseHTTPRequestHandler):
    """Answers every GET with the same TAXII envelope (the class attribute `body`)."""
    body = b"{}"
    paths = []

    def do_GET(self):
        EnvelopeServer.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/taxii+json;version=2.1")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


class OtherServer(unittest.TestCase):
    def setUp(self):
        self.hub = Hub()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EnvelopeServer)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.root = "http://127.0.0.1:%d/taxii2/root/" % self.server.server_address[1]
        EnvelopeServer.paths = []

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        self.hub.cleanup()

    def pull(self):
        return self.hub.cli("taxii", "pull", self.root, "--collection", "empty", "--token", "t")

    def test_empty_envelope_is_no_objects(self):
        # The OASIS reference server answers an empty collection with {} (#18 item 9).
        for body in (b"{}", b" {\n}\n", b'{"more": false}', b'{"objects": []}'):
            EnvelopeServer.body = body
            p = self.pull()
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("1 pages, 0 objects, 0 stored, 0 refused", p.stdout, body)
        self.assertTrue(all(x.startswith("/taxii2/root/collections/empty/objects/") for x in EnvelopeServer.paths))
        # Nothing was stored, so nothing was audited as an ingest.
        self.assertNotIn('"intel.ingest"', self.hub.cli("audit", "export").stdout)

    def test_object_in_envelope_still_counted(self):
        EnvelopeServer.body = json.dumps({"objects": [indicator("192.0.2.9", "green")]}).encode()
        p = self.pull()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 pages, 1 objects, 1 stored, 0 refused", p.stdout)
        # A lone object (not an envelope) is still read as what it is: one object.
        EnvelopeServer.body = json.dumps(indicator("192.0.2.10", "green")).encode()
        p = self.pull()
        self.assertIn("1 pages, 1 objects, 1 stored, 0 refused", p.stdout)


if __name__ == "__main__":
    unittest.main()
