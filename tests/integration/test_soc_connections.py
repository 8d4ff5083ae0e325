"""Syslog TCP connections over their lifetime, against a real `finshield serve` and plain
sockets: what an open connection holds (a small read buffer, a frame still coming in; what it
reads is processed by a fixed pool of threads with their workers, however many connections are
open), and that it is all given back when the connection closes (#12 item 12)."""
import socket
import sys
import time
import unittest

from hubtest import Hub, free_port, indicator, org_body, taxii

READ_BUFFER = 16384   # listen.c READ_SIZE
FRAMER_KEEP = 16384   # detect/framing.h DETECT_FRAMER_KEEP


def line(msg):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return f"<134>1 {now} fw01 fw - - - {msg}\n".encode()


class SocConnections(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.hub = h = Hub(f"[soc]\nsyslog_tcp = 127.0.0.1:{cls.port}\nmax_connections = 200\n")
        h.start()
        for code in ("bank-a", "bank-b"):
            assert h.admin("POST", "/api/v1/orgs", org_body(code)).status == 201
        r = h.admin("POST", "/api/v1/soc/sources", {"kind": "cidr", "match": "127.0.0.1/32",
                                                    "org": "bank-a"})
        assert r.status == 201, r
        cls.iocs = {ip: indicator(ip, "green") for ip in
                    ("203.0.113.50", "203.0.113.51", "203.0.113.52")}
        r = taxii(h, "POST", "collections/sector/objects/", h.admin_token,
                  body={"objects": list(cls.iocs.values())})
        assert r.status == 202 and r.json()["success_count"] == len(cls.iocs), r
        deadline = time.time() + 20
        while cls.status()["indicators"]["objects"] < len(cls.iocs) and time.time() < deadline:
            time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        rc = cls.hub.stop()
        cls.hub.cleanup()
        assert rc == 0, "serve did not stop cleanly"

    @classmethod
    def status(cls):
        r = cls.hub.admin("GET", "/api/v1/soc/status")
        assert r.status == 200, r
        return r.json()

    def listeners(self):
        return self.status()["listeners"]

    def wait(self, what, cond, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            st = self.listeners()
            if cond(st):
                return st
            time.sleep(0.1)
        self.fail(f"{what}: {self.listeners()}\nhub's log: "
                  f"{open(self.hub.stderr_path).read()[-3000:]}")

    def alert_count(self, org, ref):
        r = self.hub.admin("GET", f"/api/v1/alerts?org={org}&limit=1000")
        self.assertEqual(r.status, 200, r)
        return sum(a["count"] for a in r.json()["items"] if a["ref"] == ref)

    def test_memory_follows_activity(self):
        n = 60
        before = self.listeners()
        ioc = self.iocs["203.0.113.50"]["id"]
        alerts_before = self.alert_count("bank-a", ioc)
        socks = []
        try:
            for i in range(n):
                s = socket.create_connection(("127.0.0.1", self.port))
                s.sendall(b"".join(line(f"deny src=10.0.{i}.{k} dst=203.0.113.50") for k in range(3)))
                socks.append(s)
            st = self.wait("records of the open connections counted",
                           lambda st: st["records"] >= before["records"] + 3 * n
                           and st["open_connections"] >= n and st["workers_busy"] == 0)
            # Open and idle, a connection holds its read buffer and at most a small framer buffer;
            # the workers (the large part) are the pool's, as many as before the connections.
            self.assertLessEqual(st["connection_buffer_bytes"],
                                 st["open_connections"] * (READ_BUFFER + FRAMER_KEEP))
            self.assertGreaterEqual(st["connection_buffer_bytes"], n * READ_BUFFER)
            self.assertEqual(st["workers"], before["workers"])
            self.assertGreater(st["workers"], 0)
            deadline = time.time() + 20
            while self.alert_count("bank-a", ioc) < alerts_before + 3 * n and time.time() < deadline:
                time.sleep(0.1)
            self.assertEqual(self.alert_count("bank-a", ioc), alerts_before + 3 * n)

            # A long frame coming in: its connection holds it until the end of the frame, then
            # gives the room back; the frame is one record (its indicator at the very end).
            long_ioc = self.iocs["203.0.113.51"]["id"]
            s = socks[0]
            body = line("x" * 400000 + " dst=203.0.113.51")
            s.sendall(body[:300000])
            st = self.wait("a long frame held while it comes in",
                           lambda st: st["connection_buffer_bytes"] >= 290000)
            s.sendall(body[300000:])
            st = self.wait("the long frame's room given back",
                           lambda st: st["connection_buffer_bytes"]
                           <= st["open_connections"] * (READ_BUFFER + FRAMER_KEEP)
                           and st["records"] >= before["records"] + 3 * n + 1)
            deadline = time.time() + 20
            while self.alert_count("bank-a", long_ioc) < 1 and time.time() < deadline:
                time.sleep(0.1)
            self.assertEqual(self.alert_count("bank-a", long_ioc), 1)
        finally:
            for s in socks:
                s.close()
        # Closed: nothing is held for them any more.
        st = self.wait("connections closed and their buffers freed",
                       lambda st: st["open_connections"] == 0 and st["connection_buffer_bytes"] == 0)
        self.assertEqual(st["workers"], before["workers"])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
