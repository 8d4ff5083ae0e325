"""The portal's sessions over plain HTTP (docs/security.md, "Portal sessions"): the HttpOnly
SameSite=Strict cookie (Secure under TLS) that sign-in sets instead of showing a token, the CSRF
token every change made with it needs, idle and absolute expiry on the hub's clock, rotation at
sign-in, sign-out, the preferences kept with the user, the security headers of every answer, and
bearer tokens working as before."""
import datetime
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hubtest import Hub, org_body, totp, write_clock  # noqa: E402

PASSWORD = "correct horse battery staple 42"
T0 = datetime.datetime(2026, 3, 2, 1, 0, 0, tzinfo=datetime.timezone.utc)


def cookie_of(r):
    """The fs_session value a Set-Cookie header gives (None when it sets none)."""
    h = r.headers.get("Set-Cookie", "")
    if not h.startswith("fs_session="):
        return None
    return h.split(";")[0].split("=", 1)[1]


class PortalSession(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        hub = Hub()
        cls.hub = hub
        cls.clock_path = hub.path("clock.txt")
        cls.set_clock(T0)
        hub.write_config("[auth]\nargon2 = interactive\nsession_idle_minutes = 10\nsession_hours = 1\n"
                         "[http]\naccess_log = off\nrate_per_second = 0\n"
                         "[hub]\nclock_file = %s\n" % cls.clock_path)
        hub.start()
        for code, industry in (("bank-a", "bank"), ("bank-b", "bank"), ("fsc", "regulator")):
            assert hub.admin("POST", "/api/v1/orgs", org_body(code, industry)).status == 201
        for user, org, role in (("alice", "bank-a", "member-analyst"), ("bob", "bank-b", "member-analyst"),
                                ("carol", "bank-a", "member-admin"), ("sue", "fsc", "supervisor")):
            r = hub.admin("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user,
                                                    "role": role, "password": PASSWORD})
            assert r.status == 201, r

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    @classmethod
    def set_clock(cls, t):
        write_clock(cls.clock_path, t)

    def setUp(self):
        self.set_clock(T0)

    def sign_in(self, user="alice", cookie=None, **extra):
        body = {"username": user, "password": PASSWORD, "cookie": True}
        body.update(extra)
        h = {"Cookie": "fs_session=" + cookie} if cookie else {}
        r = self.hub.request("POST", "/api/v1/session", body=body, headers=h)
        self.assertEqual(r.status, 201, r)
        return cookie_of(r), r.json()["csrf_token"], r

    def call(self, method, path, cookie, csrf=None, body=None, headers=None):
        h = {"Cookie": "fs_session=" + cookie}
        if csrf:
            h["X-CSRF-Token"] = csrf
        h.update(headers or {})
        return self.hub.request(method, path, body=body, headers=h)

    def test_sign_in_sets_an_httponly_strict_cookie_and_no_token(self):
        cookie, csrf, r = self.sign_in()
        attrs = [a.strip() for a in r.headers["Set-Cookie"].split(";")]
        self.assertIn("HttpOnly", attrs)
        self.assertIn("SameSite=Strict", attrs)
        self.assertIn("Path=/", attrs)
        self.assertNotIn("Secure", attrs)  # plain HTTP on loopback: a Secure cookie would not come back
        doc = r.json()
        self.assertNotIn("token", doc)
        self.assertNotIn(cookie, r.body)
        self.assertEqual(doc["user"]["username"], "alice")
        self.assertEqual(doc["prefs"], {"lang": "zh-TW", "calendar": "gregorian"})
        me = self.call("GET", "/api/v1/session", cookie)
        self.assertEqual(me.status, 200, me)
        self.assertEqual((me.json()["csrf_token"], me.json()["cookie"]), (csrf, True))
        # Without "cookie" the login still answers a bearer token, as before, and sets no cookie.
        r = self.hub.request("POST", "/api/v1/session", body={"username": "alice", "password": PASSWORD})
        self.assertEqual(r.status, 201)
        self.assertIsNone(cookie_of(r))
        tok = r.json()["token"]
        me = self.hub.request("GET", "/api/v1/session", token=tok)
        self.assertEqual(me.status, 200)
        self.assertFalse(me.json()["cookie"])
        self.assertNotIn("csrf_token", me.json())
        self.assertEqual(self.hub.request("PATCH", "/api/v1/me", token=tok, body={"lang": "zh-TW"}).status, 200)

    def test_every_change_with_the_cookie_needs_the_sessions_csrf_token(self):
        cookie, csrf, _ = self.sign_in()
        bob_cookie, bob_csrf, _ = self.sign_in("bob")
        self.assertNotEqual(csrf, bob_csrf)
        for token in (None, "", "x" * 43, bob_csrf, csrf[:-1]):
            r = self.call("PATCH", "/api/v1/me", cookie, token, body={"lang": "en"})
            self.assertEqual(r.status, 403, (token, r))
            self.assertEqual(r.json()["error"]["where"], "X-CSRF-Token")
            r = self.call("DELETE", "/api/v1/session", cookie, token)
            self.assertEqual(r.status, 403, r)
        # Reads need none; the right one lets the change through.
        self.assertEqual(self.call("GET", "/api/v1/me", cookie).status, 200)
        r = self.call("PATCH", "/api/v1/me", cookie, csrf, body={"lang": "en"})
        self.assertEqual(r.status, 200, r)
        # A page of another site is refused even with the right token.
        r = self.call("PATCH", "/api/v1/me", cookie, csrf, body={"lang": "en"},
                      headers={"Origin": "http://evil.example"})
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"]["where"], "Origin")
        self.call("PATCH", "/api/v1/me", cookie, csrf, body={"lang": "zh-TW"})

    def test_preferences_are_kept_with_the_user(self):
        cookie, csrf, _ = self.sign_in("bob")
        r = self.call("PATCH", "/api/v1/me", cookie, csrf, body={"lang": "fr"})
        self.assertEqual((r.status, r.json()["error"]["where"]), (400, "$.lang"))
        r = self.call("PATCH", "/api/v1/me", cookie, csrf, body={"calendar": "julian"})
        self.assertEqual((r.status, r.json()["error"]["where"]), (400, "$.calendar"))
        r = self.call("PATCH", "/api/v1/me", cookie, csrf, body={"lang": "en", "calendar": "roc"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["prefs"], {"lang": "en", "calendar": "roc"})
        # A new session (another browser) finds them; the change is in the audit trail.
        _, _, r = self.sign_in("bob")
        self.assertEqual(r.json()["prefs"], {"lang": "en", "calendar": "roc"})
        r = self.hub.admin("GET", "/api/v1/audit?limit=1000")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(any(e["action"] == "user.prefs" for e in r.json()["items"]), r)

    def test_the_session_says_what_the_policy_lets_the_user_do(self):
        # The portal offers a form or a tab only when "may" says so; the policy decides each
        # (auth/policy.c, policy_abilities), the page never decides by the role's name.
        want = {
            "alice": {"alerts_read", "incident_report", "incident_work", "incident_publish", "team_answer"},
            "carol": {"user_manage", "audit_read", "alerts_read", "incident_report", "incident_work",
                      "incident_publish", "team_answer"},
            "sue": {"audit_read", "settings_read", "sector_alerts_read", "incidents_read_all",
                    "registers_read_all", "audit_read_all"},
        }
        for user, allowed in want.items():
            cookie, _, r = self.sign_in(user)
            may = r.json()["may"]
            self.assertEqual({k for k, v in may.items() if v}, allowed, user)
            self.assertEqual(len(may), 17, may)
            self.assertTrue(all(isinstance(v, bool) for v in may.values()), may)
            r = self.call("GET", "/api/v1/session", cookie)
            self.assertEqual((r.status, r.json()["may"]), (200, may), user)
        # What "may" does not offer, the hub still refuses (the supervisor's alerts).
        cookie, _, _ = self.sign_in("sue")
        self.assertEqual(self.call("GET", "/api/v1/alerts", cookie).status, 403)

    def test_sign_in_rotates_and_sign_out_ends_the_session(self):
        old, _, _ = self.sign_in()
        new, csrf, _ = self.sign_in(cookie=old)
        self.assertNotEqual(old, new)
        r = self.call("GET", "/api/v1/session", old)
        self.assertEqual(r.status, 401)
        self.assertTrue(r.headers["Set-Cookie"].startswith("fs_session=;"), r.headers)
        self.assertIn("Max-Age=0", r.headers["Set-Cookie"])
        self.assertEqual(self.call("GET", "/api/v1/session", new).status, 200)
        r = self.call("DELETE", "/api/v1/session", new, csrf)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Max-Age=0", r.headers["Set-Cookie"])
        self.assertEqual(self.call("GET", "/api/v1/session", new).status, 401)

    def test_the_cookie_takes_only_a_session(self):
        # An API token is a bearer credential: in the cookie it authenticates nothing.
        r = self.hub.admin("POST", "/api/v1/tokens", {"user": "alice", "name": "script"})
        self.assertEqual(r.status, 201, r)
        api = r.json()["token"]
        r = self.call("GET", "/api/v1/session", api)
        self.assertEqual(r.status, 401, r)
        self.assertIn("no session", r.json()["error"]["detail"])

    def test_idle_and_absolute_expiry(self):
        cookie, _, _ = self.sign_in()
        # Used every 9 minutes, it lives on until its lifetime (1 hour) ends.
        t = T0
        for _ in range(6):
            t += datetime.timedelta(minutes=9)
            self.set_clock(t)
            self.assertEqual(self.call("GET", "/api/v1/session", cookie).status, 200, t)
        self.set_clock(T0 + datetime.timedelta(minutes=61))
        r = self.call("GET", "/api/v1/session", cookie)
        self.assertEqual(r.status, 401)
        self.assertIn("expired", r.json()["error"]["detail"])
        # Left alone for the idle time, it ends.
        self.set_clock(T0)
        cookie, _, _ = self.sign_in()
        self.set_clock(T0 + datetime.timedelta(minutes=10))
        r = self.call("GET", "/api/v1/session", cookie)
        self.assertEqual(r.status, 401)
        self.assertIn("idle", r.json()["error"]["detail"])

    def test_cookie_sessions_with_totp(self):
        cookie, csrf, _ = self.sign_in("bob")
        r = self.call("POST", "/api/v1/users/bob/totp", cookie, csrf, body={"current_password": PASSWORD})
        self.assertEqual(r.status, 201, r)
        secret = re.search(r"secret=([A-Z2-7]+)", r.json()["otpauth_uri"]).group(1)
        t = T0.timestamp()
        r = self.call("POST", "/api/v1/users/bob/totp/confirm", cookie, csrf, body={"code": totp(secret, t)})
        self.assertEqual(r.status, 200, r)
        r = self.hub.request("POST", "/api/v1/session",
                             body={"username": "bob", "password": PASSWORD, "cookie": True})
        self.assertEqual(r.status, 401)
        self.assertIsNone(cookie_of(r))
        self.set_clock(T0 + datetime.timedelta(seconds=60))
        c2, csrf2, _ = self.sign_in("bob", totp=totp(secret, t + 60))
        r = self.call("DELETE", "/api/v1/users/bob/totp", c2, csrf2, body={"current_password": PASSWORD})
        self.assertEqual(r.status, 200, r)

    def test_the_cookie_is_not_a_taxii_credential_and_bearer_tokens_need_no_csrf(self):
        cookie, _, _ = self.sign_in()
        r = self.hub.request("GET", "/taxii2/", headers={"Cookie": "fs_session=" + cookie,
                                                         "Accept": "application/taxii+json;version=2.1"})
        self.assertEqual(r.status, 401)
        r = self.hub.admin("PATCH", "/api/v1/me", body={"lang": "en"})
        self.assertEqual(r.status, 200, r)

    def test_security_headers_on_every_answer(self):
        for path in ("/", "/healthz", "/api/v1/session"):
            r = self.hub.request("GET", path)
            csp = r.headers.get("Content-Security-Policy", "")
            for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                         "frame-ancestors 'none'"):
                self.assertIn(part, csp, path)
            self.assertNotIn("unsafe-inline", csp)
            self.assertEqual(r.headers.get("X-Frame-Options"), "DENY")
            self.assertEqual(r.headers.get("X-Content-Type-Options"), "nosniff")


class PortalSessionTls(unittest.TestCase):
    def test_the_cookie_is_secure_under_tls(self):
        hub = Hub(init_args=("--self-signed",))
        try:
            hub.write_config("[auth]\nargon2 = interactive\n"
                             "[http]\ntls_cert = tls/cert.pem\ntls_key = tls/key.pem\n")
            hub.start()
            self.assertTrue(hub.url.startswith("https://"))
            r = hub.admin("POST", "/api/v1/users", {"org": hub.admin("GET", "/api/v1/me").json()["org"]["id"],
                                                    "username": "carol", "display_name": "carol",
                                                    "role": "hub-analyst", "password": PASSWORD})
            self.assertEqual(r.status, 201, r)
            r = hub.request("POST", "/api/v1/session",
                            body={"username": "carol", "password": PASSWORD, "cookie": True})
            self.assertEqual(r.status, 201, r)
            attrs = [a.strip() for a in r.headers["Set-Cookie"].split(";")]
            self.assertIn("Secure", attrs)
            self.assertIn("HttpOnly", attrs)
        finally:
            hub.close()


if __name__ == "__main__":
    unittest.main()
