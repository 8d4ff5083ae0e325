"""The HTTP layer under hostile input (issue #12): errors never go out as 2xx or without a body
when a path segment or an echoed value is not valid UTF-8; an address that spent its budget of
failed authentications cannot test tokens at all; pages of other sites cannot make a browser change
anything with its stored credentials; a caller is authenticated from the headers before any body
is read or reserved, and bodies in flight share one memory budget; slow clients are cut and one
address cannot take every connection."""
import http.client
import json
import re
import socket
import time
import unittest
import urllib.parse

from hubtest import TAXII, Hub, open_stream, org_body, read_events, taxii, wait_for


def raw_open(hub, source=None, timeout=60):
    """A plain socket to the hub (from another loopback address when source is given)."""
    u = urllib.parse.urlparse(hub.url)
    return socket.create_connection((u.hostname, u.port), timeout=timeout,
                                    source_address=(source, 0) if source else None)


def raw_head(method, path, headers):
    lines = [f"{method} {path} HTTP/1.1", "Host: hub"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def raw_response(sock):
    """Reads one response: (status, headers with lower-case names, body)."""
    f = sock.makefile("rb")
    status_line = f.readline().decode()
    status = int(status_line.split()[1]) if status_line else 0
    headers = {}
    while True:
        line = f.readline().decode().rstrip("\r\n")
        if not line:
            break
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    body = f.read(int(headers.get("content-length", "0")))
    return status, headers, body.decode()


def metric(hub, name):
    """The value of an unlabelled metric of the hub's /metrics."""
    m = re.search(r"^%s (\d+)" % re.escape(name), hub.request("GET", "/metrics").body, re.M)
    return int(m.group(1)) if m else None


def request_from(hub, source, method, path, headers=None, body=None):
    """One request from another loopback address (127.0.0.0/8 is all loopback on Linux)."""
    u = urllib.parse.urlparse(hub.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode()
    finally:
        conn.close()


def stop(test, hub):
    rc = hub.stop()
    hub.cleanup()
    test.assertEqual(rc, 0, f"serve exited with {rc} (leak or crash?)")


class SharedHub(unittest.TestCase):
    """One hub (with `config`) for all the tests of a class."""
    config = ""

    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(config=cls.config).start()

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()


class InvalidBytes(SharedHub):
    """#12 item 7: invalid UTF-8 in a path segment or in an echoed value."""

    def assert_error(self, r, statuses, raw=b"\xff"):
        self.assertIn(r.status, statuses, r)
        self.assertTrue(r.body, "an error without a body")
        self.assertNotIn(raw.decode("latin-1"), r.body)
        return r.json()

    def test_path_segments_are_refused_with_the_offset(self):
        h = self.hub
        for method, path, body in (("PATCH", "/api/v1/users/%FF", {"display_name": "x"}),
                                   ("DELETE", "/api/v1/tokens/%FF", None),
                                   ("GET", "/api/v1/users/%FF", None),
                                   ("GET", "/api/v1/orgs/ok%C3%28", None),
                                   ("GET", "/api/v1/orgs/%ED%A0%80", None),
                                   ("GET", "/api/v1/nothing/%FF", None)):
            with self.subTest(path=path):
                r = h.admin(method, path, body)
                err = self.assert_error(r, (400,))["error"]
                self.assertEqual(err["code"], "invalid")
                self.assertRegex(err["where"], r"^path byte \d+$")
        # The offset is the start of the segment, counted in the request target as sent.
        r = h.admin("GET", "/api/v1/users/%FF")
        self.assertEqual(r.json()["error"]["where"], "path byte 14")
        # A NUL would cut the segment ("a%00b" would act on "a"), a control character likewise.
        for path in ("/api/v1/users/a%00b", "/api/v1/users/a%0Ab"):
            r = h.admin("GET", path)
            self.assertEqual(r.status, 400, r)
            self.assertEqual(r.json()["error"]["where"], "path byte 15")
        # The refused DELETE revoked nothing: the token used still works.
        self.assertEqual(h.admin("GET", "/api/v1/me").status, 200)

    def test_taxii_routes_answer_with_a_taxii_error(self):
        for path in ("collections/%FF/", "collections/%FF/objects/", "collections/sector/objects/%FF/"):
            with self.subTest(path=path):
                r = taxii(self.hub, "GET", path, self.hub.admin_token)
                self.assertEqual(r.status, 400, r)
                self.assertEqual(r.headers["Content-Type"], TAXII)
                self.assertEqual(r.json()["http_status"], 400)

    def test_echoed_values_cut_inside_a_character(self):
        # "unknown query parameter" echoes the name cut at 64 bytes: inside a 3-byte character.
        name = "金" * 22
        r = self.hub.admin("GET", "/api/v1/orgs?" + urllib.parse.quote(name) + "=1")
        err = self.assert_error(r, (400,))["error"]
        self.assertIn("金" * 21, err["detail"])
        json.dumps(err)  # valid text


class FailureBudget(unittest.TestCase):
    """#12 item 15: the per-address budget of failed authentications is consulted before the
    token is looked up, so a blocked address cannot test tokens, valid ones included."""

    def test_blocked_address_cannot_test_tokens(self):
        hub = Hub(config="[http]\nauth_failures_per_minute = 1\nauth_failure_burst = 2\n").start()
        try:
            bad = "fsk_" + "B" * 43
            self.assertEqual([hub.request("GET", "/api/v1/me", token=bad).status for _ in range(2)], [401, 401])
            r = hub.request("GET", "/api/v1/me", token=bad)
            self.assertEqual(r.status, 429, r)
            self.assertGreaterEqual(int(r.headers["Retry-After"]), 1)
            self.assertNotIn("unknown token", r.body)
            # A valid token from the blocked address is not looked up either (Bearer or Basic).
            r = hub.admin("GET", "/api/v1/me")
            self.assertEqual(r.status, 429, r)
            self.assertEqual(r.json()["error"]["code"], "rate_limited")
            r = hub.request("GET", "/api/v1/me", basic="x:" + hub.admin_token)
            self.assertEqual(r.status, 429, r)
            # TAXII clients get the same, in TAXII's shape.
            r = taxii(hub, "GET", "collections/", hub.admin_token)
            self.assertEqual(r.status, 429, r)
            self.assertEqual(r.json()["http_status"], 429)
            # No credentials: nothing to test, the usual 401; public routes still answer.
            self.assertEqual(hub.request("GET", "/api/v1/me").status, 401)
            self.assertEqual(hub.request("GET", "/healthz").status, 200)
            # Another address is not blocked.
            status, _, body = request_from(hub, "127.0.0.2", "GET", "/api/v1/me",
                                           {"Authorization": "Bearer " + hub.admin_token})
            self.assertEqual(status, 200, body)
            status, _, body = request_from(hub, "127.0.0.2", "GET", "/metrics")
            self.assertRegex(body, r"finshield_http_rate_limited_total [1-9]")
        finally:
            stop(self, hub)


class CrossSite(SharedHub):
    """#12 item 14: state-changing requests with a foreign Origin are refused; the API no longer
    asks browsers for Basic credentials (TAXII still does: its clients use Basic)."""

    def events(self, origin=None, method="POST"):
        headers = {"Content-Type": "text/plain"}
        if origin is not None:
            headers["Origin"] = origin
        return self.hub.request(method, "/api/v1/events?format=text", raw=b"cross-site test line\n",
                                headers=headers, basic="x:" + self.hub.admin_token)

    def test_foreign_origin_cannot_change_anything(self):
        h = self.hub
        own = h.url  # scheme://host:port, as the browser would send it
        for origin in ("https://evil.example", "null", own.replace("http://", "https://"),
                       own + "0", own.rsplit(":", 1)[0], own + "/"):
            with self.subTest(origin=origin):
                r = self.events(origin)
                self.assertEqual(r.status, 403, r)
                self.assertEqual(r.json()["error"]["where"], "Origin")
        # The hub's own pages, and clients that send no Origin (scripts, TAXII), are served.
        r = self.events(own)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["records"], 1)
        self.assertEqual(self.events().status, 200)
        # Reads are not refused (the browser's same-origin policy keeps the answer from the page).
        r = h.admin("GET", "/api/v1/me", headers={"Origin": "https://evil.example"})
        self.assertEqual(r.status, 200, r)
        # Other writes, the public login and TAXII writes likewise.
        evil = {"Origin": "https://evil.example"}
        r = h.admin("PATCH", "/api/v1/orgs/nothing", {"name_en": "x"}, headers=evil)
        self.assertEqual(r.status, 403, r)
        r = h.admin("DELETE", "/api/v1/tokens/nothing", headers=evil)
        self.assertEqual(r.status, 403, r)
        r = h.request("POST", "/api/v1/session", body={"username": "admin", "password": "x" * 12}, headers=evil)
        self.assertEqual(r.status, 403, r)
        r = h.request("POST", "/taxii2/hub/collections/submissions/objects/", raw=b'{"objects": []}',
                      headers=dict(evil, Accept=TAXII, **{"Content-Type": TAXII}), basic="x:" + h.admin_token)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json()["http_status"], 403)

    def test_api_401_does_not_ask_for_basic(self):
        r = self.hub.request("POST", "/api/v1/events", raw=b"x", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 401)
        self.assertEqual(r.headers.get("WWW-Authenticate"), 'Bearer realm="finshield"')
        r = taxii(self.hub, "GET", "collections/", None)
        self.assertEqual(r.status, 401)
        self.assertIn("Basic", r.headers.get("WWW-Authenticate", ""))


TAXII_POST = "/taxii2/hub/collections/submissions/objects/"
BIG = 95 * 1024 * 1024  # the penetration test's anonymous bodies


class AnonymousBodies(SharedHub):
    """#12 item 3: a caller is authenticated from the headers; without a valid token it is answered
    before any body is read or reserved, and its body may not exceed a small limit."""

    def test_big_anonymous_body_is_answered_from_the_headers(self):
        # Sizes within the routes' limits (TAXII 100 MiB, REST 10 MiB): they used to be reserved.
        for path, size, headers in ((TAXII_POST, BIG, {"Accept": TAXII, "Content-Type": TAXII}),
                                    ("/api/v1/events", 9 << 20, {"Content-Type": "text/plain"}),
                                    ("/api/v1/events", 9 << 20, {"Content-Type": "text/plain",
                                                                 "Authorization": "Bearer fsk_" + "C" * 43})):
            with self.subTest(path=path, auth="Authorization" in headers):
                with raw_open(self.hub) as s:
                    # Only the headers are sent: the answer must not wait for the body.
                    s.sendall(raw_head("POST", path, dict(headers, **{"Content-Length": str(size)})))
                    status, h, body = raw_response(s)
                    self.assertEqual(status, 401, body)
        self.assertEqual(metric(self.hub, "finshield_http_body_bytes"), 0)

    def test_expect_100_continue_gets_the_refusal_instead(self):
        with raw_open(self.hub) as s:
            s.sendall(raw_head("POST", "/api/v1/events", {"Content-Type": "text/plain", "Content-Length": "4096",
                                                          "Expect": "100-continue"}))
            status, _, _ = raw_response(s)
            self.assertEqual(status, 401)

    def test_small_anonymous_body_is_read_and_dropped(self):
        # Clients that send their whole body before reading still see the answer.
        r = self.hub.request("POST", "/api/v1/events", raw=b"x" * 20000, headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.json()["error"]["code"], "unauthenticated")

    def test_public_routes_take_small_bodies_only(self):
        # The login is public: its body is limited to http.max_anonymous_body_bytes (64 KiB).
        pad = " " * 200000
        raw = (json.dumps({"username": "admin", "password": "not the password"}) + pad).encode()
        r = self.hub.request("POST", "/api/v1/session", raw=raw, headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 413, r)
        with raw_open(self.hub) as s:
            s.sendall(raw_head("POST", "/api/v1/session", {"Content-Type": "application/json",
                                                           "Content-Length": str(BIG)}))
            status, _, _ = raw_response(s)
            self.assertEqual(status, 413)
        r = self.hub.request("POST", "/api/v1/session", body={"username": "admin", "password": "not the password"})
        self.assertEqual(r.status, 401, r)


class BodyBudget(SharedHub):
    """#12 item 3: all bodies in flight share http.body_memory_bytes; a reservation is made only
    after authentication, and one that does not fit is answered 503 with Retry-After."""
    # (no minimum body rate: the bodies held half-sent here must not be cut meanwhile)
    config = ("[http]\nmax_body_bytes = 1048576\nbody_memory_bytes = 1572864\nbody_min_rate = 0\n"
              "[taxii]\nmax_content_length = 1048576\n")
    SIZE = 1000000

    def events_head(self, token=None):
        headers = {"Content-Type": "text/plain", "Content-Length": str(self.SIZE)}
        if token:
            headers["Authorization"] = "Bearer " + token
        return raw_head("POST", "/api/v1/events?format=text", headers)

    def body(self):
        line = b"budget test event " + b"x" * 981 + b"\n"  # 1,000 bytes
        return line * (self.SIZE // len(line))

    def test_budget(self):
        h = self.hub
        token = h.admin_token
        held = lambda: metric(h, "finshield_http_body_bytes")
        # Anonymous callers announcing big bodies reserve nothing while they send.
        anon = [raw_open(h) for _ in range(2)]
        for s in anon:
            s.sendall(self.events_head() + b"x" * 1000)
        first = raw_open(h)
        first.sendall(self.events_head(token) + self.body()[:1000])
        wait_for(lambda: (held() or 0) >= self.SIZE, "the first body's reservation")
        # A second one does not fit beside it: 503 once its body is in (it is not kept).
        with raw_open(h) as second:
            second.sendall(self.events_head(token) + self.body())
            status, headers, body = raw_response(second)
            self.assertEqual(status, 503, body)
            self.assertEqual(headers.get("retry-after"), "1")
            self.assertIn("request bodies", json.loads(body)["error"]["detail"])
        # The first finishes normally; its memory is given back and a third fits.
        first.sendall(self.body()[1000:])
        status, _, body = raw_response(first)
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["records"], self.SIZE // 1000)
        first.close()
        with raw_open(h) as third:
            third.sendall(self.events_head(token) + self.body())
            status, _, body = raw_response(third)
            self.assertEqual(status, 200, body)
        for s in anon:
            s.close()
        wait_for(lambda: held() == 0, "the memory given back")
        self.assertGreaterEqual(metric(h, "finshield_http_body_memory_refused_total"), 1)


def labelled(hub, name, labels):
    m = re.search(r"^%s\{%s\} (\d+)" % (re.escape(name), re.escape(labels)),
                  hub.request("GET", "/metrics").body, re.M)
    return int(m.group(1)) if m else None


def closed_by_peer(sock):
    """True when the server has closed (or reset) the connection."""
    sock.setblocking(False)
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


class SlowClients(SharedHub):
    """#12 item 6: trickling connections from one address cannot take the hub offline: a
    per-address connection limit, a deadline for a request's head, a minimum rate for its body,
    and what was cut counted in /metrics."""
    PER_ADDRESS = 16
    config = "[http]\nmax_connections_per_address = %d\nhead_timeout = 2\nbody_min_rate = 1000\n" % PER_ADDRESS

    def test_trickling_connections(self):
        h = self.hub
        cut = lambda: labelled(h, "finshield_http_connections_cut_total", 'reason="head"') or 0
        refused = lambda: metric(h, "finshield_http_connections_refused_total") or 0
        cut0 = cut()
        socks = []
        try:
            # 1,100 connections from 127.0.0.2, each sending a request line and then one header
            # line at a time: never idle, never done.
            for _ in range(1100):
                s = raw_open(h, source="127.0.0.2")
                try:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n")
                except OSError:
                    pass
                socks.append(s)
            # The hub answers others while they are open (the time taken is in docs/benchmarks.md).
            for _ in range(3):
                self.assertEqual(h.request("GET", "/healthz").status, 200)
            def trickle():
                for s in socks:
                    try:
                        s.sendall(b"X-Trickle: 1\r\n")
                    except OSError:
                        pass
                return cut() >= cut0 + self.PER_ADDRESS
            wait_for(trickle, "the trickling connections cut")
            self.assertEqual(h.request("GET", "/healthz").status, 200)
            # Past the per-address limit, connections were closed at once, and counted.
            self.assertGreaterEqual(refused(), 1100 - self.PER_ADDRESS)
            wait_for(lambda: all(closed_by_peer(s) for s in socks), "every trickling connection closed")
        finally:
            for s in socks:
                s.close()

    def test_slow_body(self):
        h = self.hub
        cut = lambda: labelled(h, "finshield_http_connections_cut_total", 'reason="body"') or 0
        cut0 = cut()
        for token in (h.admin_token, None):  # a refused body is dropped at the same minimum rate
            with self.subTest(authenticated=bool(token)), raw_open(h) as s:
                headers = {"Content-Type": "text/plain", "Content-Length": "100000"}
                if token:
                    headers["Authorization"] = "Bearer " + token
                s.sendall(raw_head("POST", "/api/v1/events?format=text", headers) + b"slow\n")
                def trickle():
                    try:
                        s.sendall(b"x")
                    except OSError:
                        return True
                    return closed_by_peer(s)
                wait_for(trickle, "the slow body cut")
        self.assertGreaterEqual(cut(), cut0 + 2)

    def test_answers_and_kept_alive_connections_are_not_cut(self):
        h = self.hub
        # A connection kept alive past the head deadline serves its next request.
        u = urllib.parse.urlparse(h.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        try:
            conn.request("GET", "/healthz")
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
            time.sleep(3)  # longer than head_timeout: waiting for the next request is not slow
            conn.request("GET", "/healthz")
            self.assertEqual(conn.getresponse().status, 200)
        finally:
            conn.close()
        # An event stream is an answer being sent: no deadline.
        conn, resp = open_stream(h, "/api/v1/audit/stream", h.admin_token)
        try:
            self.assertEqual(resp.status, 200)
            time.sleep(3)
            self.assertEqual(h.admin("POST", "/api/v1/orgs", org_body("slow-1")).status, 201)
            self.assertEqual(len(read_events(resp, 1)), 1)
        finally:
            conn.close()


if __name__ == "__main__":
    unittest.main()
