"""Syslog TCP connections over their lifetime, against a real `finshield serve` and plain
sockets: what an open connection holds (a small read buffer, a frame still coming in; what it
reads is processed by a fixed pool of threads with their workers, however many connections are
open), and that it is all given back when the connection closes (#12 item 12); and that a change
of the registered sources made with the CLI (another process) applies to connections already
open: a removed source's connection is cut, a sender whose range now belongs to another
organisation is attributed to it from then on (#18 item 3). Senders use other loopback
addresses (127.0.0.2, ...) so that each test has its own."""
import socket
import sys
import time
import unittest

from hubtest import HANG_GUARD, Hub, free_port, indicator, org_body, taxii, wait_engine, wait_for

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
        gen = cls.status()["listeners"]["sources_generation"]
        r = h.admin("POST", "/api/v1/soc/sources", {"kind": "cidr", "match": "127.0.0.1/32",
                                                    "org": "bank-a"})
        assert r.status == 201, r
        wait_for(lambda: cls.status()["listeners"]["sources_generation"] > gen,
                 "serve applied the first source")
        cls.iocs = {ip: indicator(ip, "green") for ip in
                    ("203.0.113.50", "203.0.113.51", "203.0.113.52", "203.0.113.53")}
        r = taxii(h, "POST", "collections/sector/objects/", h.admin_token,
                  body={"objects": list(cls.iocs.values())})
        assert r.status == 202 and r.json()["success_count"] == len(cls.iocs), r
        wait_engine(h, len(cls.iocs))

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    @classmethod
    def status(cls):
        r = cls.hub.admin("GET", "/api/v1/soc/status")
        assert r.status == 200, r
        return r.json()

    def listeners(self):
        return self.status()["listeners"]

    def wait(self, what, cond):
        return wait_for(lambda: (lambda st: st if cond(st) else None)(self.listeners()),
                        lambda: f"{what}: {self.listeners()}\nhub's log: "
                        f"{open(self.hub.stderr_path).read()[-3000:]}")

    def alert_count(self, org, ref):
        r = self.hub.admin("GET", f"/api/v1/alerts?org={org}&limit=1000")
        self.assertEqual(r.status, 200, r)
        return sum(a["count"] for a in r.json()["items"] if a["ref"] == ref)

    def connect_from(self, addr):
        s = socket.socket()
        s.bind((addr, 0))
        s.connect(("127.0.0.1", self.port))
        return s

    def cli_ok(self, *args):
        p = self.hub.cli(*args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def change_sources(self, *args):
        """Changes the sources with the CLI (another process) and waits until serve has applied
        the change to its open connections. Every change goes through here, so the generation
        serve reports before one is that of every earlier change: a later generation can only be
        this change's (serve reads the newest when it polls)."""
        before = self.listeners()["sources_generation"]
        self.cli_ok("soc", "source", *args)
        self.wait("serve applied the sources' change", lambda st: st["sources_generation"] > before)

    def wait_alerts(self, org, ref, n):
        wait_for(lambda: self.alert_count(org, ref) >= n, lambda: f"{n} alerts of {ref} at {org}")
        return self.alert_count(org, ref)

    def test_removed_source_cuts_open_connection(self):
        ioc = self.iocs["203.0.113.52"]["id"]
        self.change_sources("add", "--org", "bank-a", "--cidr", "127.0.0.2/32")
        s = self.connect_from("127.0.0.2")
        try:
            s.sendall(line("deny src=10.9.9.9 dst=203.0.113.52"))
            self.assertEqual(self.wait_alerts("bank-a", ioc, 1), 1)
            # Removed by the CLI, another process: serve closes the connection.
            self.change_sources("remove", "127.0.0.2/32")
            s.settimeout(HANG_GUARD)
            try:
                self.assertEqual(s.recv(100), b"")  # closed by the hub
            except ConnectionResetError:
                pass
            # What the sender writes now goes nowhere: no record is taken, no alert raised.
            records = self.listeners()["records"]
            try:
                for _ in range(3):
                    s.sendall(line("deny src=10.9.9.9 dst=203.0.113.52"))
                    time.sleep(0.2)
            except OSError:
                pass
            time.sleep(1)
            self.assertEqual(self.listeners()["records"], records)
            self.assertEqual(self.alert_count("bank-a", ioc), 1)
            self.assertGreaterEqual(self.listeners()["connections_cut"], 1)
        finally:
            s.close()
        # A new connection from there is refused as an unknown sender.
        unknown = self.listeners()["unknown_senders"]
        s = self.connect_from("127.0.0.2")
        s.settimeout(HANG_GUARD)
        try:
            self.assertEqual(s.recv(100), b"")
        except ConnectionResetError:
            pass
        s.close()
        self.wait("the sender counted as unknown", lambda st: st["unknown_senders"] > unknown)

    def test_changed_organisation_applies_to_open_connection(self):
        ioc = self.iocs["203.0.113.53"]["id"]
        self.change_sources("add", "--org", "bank-a", "--cidr", "127.0.0.128/25")
        s = self.connect_from("127.0.0.130")
        try:
            before_b = self.alert_count("bank-b", ioc)
            a = self.alert_count("bank-a", ioc)
            s.sendall(line("deny src=10.8.8.8 dst=203.0.113.53"))
            wait_for(lambda: self.alert_count("bank-a", ioc) != a, "the alert at bank-a")
            after_a = self.alert_count("bank-a", ioc)
            self.assertGreater(after_a, a)
            # The sender's own address now belongs to bank-b (the most specific range wins).
            self.change_sources("add", "--org", "bank-b", "--cidr", "127.0.0.130/32")
            s.sendall(line("deny src=10.8.8.8 dst=203.0.113.53"))
            self.assertEqual(self.wait_alerts("bank-b", ioc, before_b + 1), before_b + 1)
            time.sleep(0.5)
            self.assertEqual(self.alert_count("bank-a", ioc), after_a)
            # The connection stays open and keeps sending as bank-b.
            s.sendall(line("deny src=10.8.8.8 dst=203.0.113.53"))
            self.assertEqual(self.wait_alerts("bank-b", ioc, before_b + 2), before_b + 2)
        finally:
            s.close()
            self.change_sources("remove", "127.0.0.130/32")
            self.change_sources("remove", "127.0.0.128/25")

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
            self.wait_alerts("bank-a", ioc, alerts_before + 3 * n)
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
            self.wait_alerts("bank-a", long_ioc, 1)
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
