"""Server-Sent Events: the audit stream delivers each change as it happens, resumes from
Last-Event-ID, keeps several streams open without starving ordinary requests, and ends cleanly
when the server stops."""
import json
import unittest

from hubtest import Hub, open_stream, org_body, read_events


class Streams(unittest.TestCase):
    def test_audit_stream(self):
        hub = Hub().start()
        try:
            conn, resp = open_stream(hub, "/api/v1/audit/stream", hub.admin_token)
            self.assertEqual(resp.status, 200)
            self.assertTrue(resp.getheader("Content-Type").startswith("text/event-stream"))
            # Other streams and ordinary requests go on while streams wait: seven open streams
            # are more than the server's threads, and each request below is still answered (a
            # starved one would hang until the client's own timeout, and fail the test then).
            others = [open_stream(hub, "/api/v1/audit/stream", hub.admin_token) for _ in range(6)]
            for i in range(3):
                self.assertEqual(hub.admin("POST", "/api/v1/orgs", org_body(f"live-{i}")).status, 201)
            events = read_events(resp, 3)
            self.assertEqual([json.loads(e["data"])["action"] for e in events], ["org.create"] * 3)
            self.assertEqual([e["event"] for e in events], ["audit"] * 3)
            last = int(events[0]["id"])
            conn.close()
            # Resume after the first: the other two come again.
            conn2, resp2 = open_stream(hub, "/api/v1/audit/stream", hub.admin_token, last_id=last)
            again = read_events(resp2, 2)
            self.assertEqual([int(e["id"]) for e in again], [last + 1, last + 2])
            conn2.close()
            for c, _ in others:
                c.close()
            # A member may not read the whole trail.
            hub.admin("POST", "/api/v1/orgs", org_body("bank-m"))
            hub.admin("POST", "/api/v1/users", {"org": "bank-m", "username": "m1", "display_name": "m", "role": "member-analyst"})
            tok = hub.admin("POST", "/api/v1/tokens", {"user": "m1", "name": "t"}).json()["token"]
            c3, r3 = open_stream(hub, "/api/v1/audit/stream", tok)
            self.assertEqual(r3.status, 403)
            c3.close()
            # Stopping the server with a stream open ends it cleanly.
            c4, r4 = open_stream(hub, "/api/v1/audit/stream", hub.admin_token)
            self.assertEqual(r4.status, 200)
            self.assertEqual(hub.stop(), 0)
            c4.close()
        finally:
            hub.cleanup()


if __name__ == "__main__":
    unittest.main()
