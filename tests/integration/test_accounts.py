"""Accounts over real HTTP, as an attacker with a member's token or no token at all would try
them: every user- and token-addressed route answers a foreign organisation's user exactly as a
user that does not exist (status, code, message and place); failed logins lock one user name
out for one address only, and answer alike for user names that do not exist."""
import datetime
import http.client
import json
import re
import unittest
import urllib.parse
import uuid

from hubtest import Hub, Response, org_body, totp, write_clock

T0 = datetime.datetime(2026, 6, 1, 2, 0, 0, tzinfo=datetime.timezone.utc)

PASSWORD = "a long enough password"


class Accounts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = h = Hub(config="[http]\nrate_per_second = 1000\nrate_burst = 1000\n")
        cls.clock = h.path("clock.txt")
        cls.set_clock(T0)
        h.write_config("[auth]\nargon2 = interactive\nlogin_max_failures = 3\nlogin_lockout_minutes = 15\n"
                       "[http]\nrate_per_second = 1000\nrate_burst = 1000\n[hub]\nclock_file = %s\n" % cls.clock)
        h.start()
        for body in (org_body("fhc-a", "financial_holding"), org_body("bank-a", parent_id="fhc-a"),
                     org_body("bank-b")):
            assert h.admin("POST", "/api/v1/orgs", body).status == 201
        cls.tokens, cls.token_ids = {}, {}
        for user, org, role in (("a-admin", "bank-a", "member-admin"), ("a-analyst", "bank-a", "member-analyst"),
                                ("fa-admin", "fhc-a", "member-admin"), ("b-user", "bank-b", "member-analyst"),
                                ("b-admin", "bank-b", "member-admin")):
            r = h.admin("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user,
                                                  "role": role, "password": PASSWORD})
            assert r.status == 201, r
            r = h.admin("POST", "/api/v1/tokens", {"user": user, "name": "t"})
            assert r.status == 201, r
            cls.tokens[user], cls.token_ids[user] = r.json()["token"], r.json()["id"]
        r = h.admin("POST", "/api/v1/teams", {"org": "fhc-a", "code": "fhc-a-irt", "name_zh": "甲金控小組",
                                              "name_en": "Group A IRT", "kind": "group", "skills": ["forensics"]})
        assert r.status == 201, r

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    @classmethod
    def set_clock(cls, t):
        write_clock(cls.clock, t)

    def login(self, username, password, source="127.0.0.1", code=None):
        """POST /api/v1/session from a given loopback address (the hub listens on 127.0.0.1;
        Linux lets a client send from any 127.x address)."""
        u = urllib.parse.urlparse(self.hub.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60, source_address=(source, 0))
        try:
            body = {"username": username, "password": password}
            if code:
                body["totp"] = code
            conn.request("POST", "/api/v1/session", body=json.dumps(body), headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            return Response(r.status, dict(r.getheaders()), r.read().decode())
        finally:
            conn.close()

    def req(self, who, method, path, body=None, **kw):
        return self.hub.request(method, path, token=self.tokens[who], body=body, **kw)

    def answer(self, r, name):
        """What a caller learns from an answer, with the name it asked about taken out."""
        e = r.json().get("error", {}) if r.body.startswith("{") else {}
        return (r.status, e.get("code"), (e.get("detail") or "").replace(name, "NAME"), e.get("where"))

    def test_foreign_users_and_tokens_answer_as_absent(self):
        """#12 item 9: every route that names a user or a token, for a user of another
        organisation and for one that does not exist: the same answer."""
        long_pw = {"password": "another long password"}
        user_routes = (
            ("GET", "/api/v1/users/{u}", None),
            ("PATCH", "/api/v1/users/{u}", {"display_name": "x"}),
            ("POST", "/api/v1/users/{u}/password", long_pw),
            ("POST", "/api/v1/users/{u}/password", dict(long_pw, current_password=PASSWORD)),
            ("POST", "/api/v1/users/{u}/totp", None),
            ("POST", "/api/v1/users/{u}/totp/confirm", {"code": "123456"}),
            ("DELETE", "/api/v1/users/{u}/totp", None),
            ("GET", "/api/v1/tokens?user={u}", None),
            ("POST", "/api/v1/tokens", {"user": "{u}", "name": "stolen"}),
            ("POST", "/api/v1/teams/fhc-a-irt/members", {"user": "{u}"}),
            ("DELETE", "/api/v1/teams/fhc-a-irt/members/{u}", None),
        )
        absent = "nobody-" + uuid.uuid4().hex[:8]
        for who in ("a-admin", "a-analyst", "fa-admin"):
            for method, path, body in user_routes:
                seen = {}
                for target in ("b-user", absent):
                    b = {k: (v.replace("{u}", target) if isinstance(v, str) else v) for k, v in (body or {}).items()}
                    r = self.req(who, method, path.replace("{u}", target), b if body is not None else None)
                    seen[target] = self.answer(r, target)
                with self.subTest(who=who, route=f"{method} {path}"):
                    self.assertEqual(seen["b-user"], seen[absent])
                    self.assertNotEqual(seen["b-user"][0] // 100, 2, seen)
        # Tokens by id: another organisation's token is as absent as a made-up one.
        for who in ("a-admin", "a-analyst"):
            foreign = self.answer(self.req(who, "DELETE", "/api/v1/tokens/" + self.token_ids["b-user"]),
                                  self.token_ids["b-user"])
            made_up = str(uuid.uuid4())
            self.assertEqual(foreign, self.answer(self.req(who, "DELETE", "/api/v1/tokens/" + made_up), made_up))
            self.assertEqual(foreign[0], 404)
        # Nothing of it happened.
        self.assertEqual(self.req("b-user", "GET", "/api/v1/me").status, 200)
        r = self.hub.admin("GET", "/api/v1/users/b-user").json()
        self.assertEqual((r["display_name"], r["totp_enabled"]), ("b-user", False))
        r = self.hub.admin("GET", "/api/v1/teams/fhc-a-irt").json()
        self.assertEqual(r["members"], [])
        # What one may see still answers as before: one's own organisation, a group's subsidiary.
        self.assertEqual(self.req("a-admin", "PATCH", "/api/v1/users/a-analyst", {"display_name": "A"}).status, 200)
        r = self.req("a-analyst", "PATCH", "/api/v1/users/a-admin", {"display_name": "x"})
        self.assertEqual(r.status, 404)  # an analyst sees only itself
        r = self.req("a-analyst", "PATCH", "/api/v1/users/a-analyst", {"role": "member-admin"})
        self.assertEqual(r.status, 403)  # itself, seen, but not its own role
        r = self.req("fa-admin", "POST", "/api/v1/teams/fhc-a-irt/members", {"user": "a-analyst"})
        self.assertEqual(r.status, 201, r)
        r = self.req("fa-admin", "DELETE", "/api/v1/teams/fhc-a-irt/members/a-analyst")
        self.assertEqual(r.status, 200, r)
        r = self.req("fa-admin", "DELETE", "/api/v1/teams/fhc-a-irt/members/a-analyst")
        self.assertEqual(r.status, 404, r)  # no longer a member: as absent as anyone
        self.assertEqual(self.req("a-admin", "GET", "/api/v1/tokens?user=a-analyst").status, 200)

    def test_new_user_names_tell_nothing_of_other_organisations(self):
        """User names are unique across the hub: a member's administrator names its users
        NAME@CODE, its own organisation's code, so a name it is refused cannot be another
        organisation's. A name taken elsewhere and a free one answer alike."""
        h = self.hub
        taken = "taken-" + uuid.uuid4().hex[:6]
        r = h.admin("POST", "/api/v1/users", {"org": "bank-a", "username": taken, "display_name": "T",
                                              "role": "member-analyst"})
        self.assertEqual(r.status, 201, r)
        r = h.admin("POST", "/api/v1/users", {"org": "bank-a", "username": "q@bank-a", "display_name": "Q",
                                              "role": "member-analyst"})
        self.assertEqual(r.status, 201, r)

        def create(name):
            return self.req("b-admin", "POST", "/api/v1/users",
                            {"org": "bank-b", "username": name, "display_name": "N", "role": "member-analyst"})
        free = "free-" + uuid.uuid4().hex[:6]
        for a, b in ((taken, free), ("q@bank-a", "q@bank-z"), ("q@bank-a", free + "@nowhere")):
            with self.subTest(taken=a, free=b):
                ra, rb = create(a), create(b)
                self.assertEqual(self.answer(ra, a), self.answer(rb, b))
                self.assertEqual(ra.status, 400)
                self.assertIn("@bank-b", ra.json()["error"]["detail"])
        r = create("q@bank-b")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(create("q@bank-b").status, 409)  # its own organisation's user: it sees it
        self.assertEqual(self.req("b-admin", "GET", "/api/v1/users/q@bank-b").status, 200)
        r = create("bad@@bank-b")
        self.assertEqual((r.status, r.json()["error"]["where"]), (400, "$.username"), r)
        # The hub's administrators name users freely, but NAME@CODE only with the user's own code.
        r = h.admin("POST", "/api/v1/users", {"org": "bank-a", "username": "x@bank-b", "display_name": "X",
                                              "role": "member-analyst"})
        self.assertEqual(r.status, 400, r)
        # A new code carries the organisation's users with it, and frees the old one whole.
        old = h.admin("GET", "/api/v1/orgs/bank-b").json()
        r = h.admin("PATCH", "/api/v1/orgs/bank-b", {"code": "bank-b2", "version": old["version"]})
        self.assertEqual(r.status, 200, r)
        try:
            self.assertEqual(h.admin("GET", "/api/v1/users/q@bank-b2").status, 200)
            self.assertEqual(h.admin("GET", "/api/v1/users/q@bank-b").status, 404)
            self.assertEqual(h.admin("GET", "/api/v1/users/b-admin").status, 200)  # not NAME@CODE
            items = h.admin("GET", "/api/v1/audit?limit=1000").json()["items"]
            self.assertIn(1, [e["detail"].get("users_renamed") for e in items if e["action"] == "org.update"])
        finally:
            new = h.admin("GET", "/api/v1/orgs/bank-b2").json()
            r = h.admin("PATCH", "/api/v1/orgs/bank-b2", {"code": "bank-b", "version": new["version"]})
            self.assertEqual(r.status, 200, r)
        self.assertEqual(h.admin("GET", "/api/v1/users/q@bank-b").status, 200)

    def test_lockout_per_user_and_address(self):
        """#12 item 8: failures lock a user name out for the address they came from only, and an
        unknown user name is answered exactly like a known one, before and after the lock."""
        h = self.hub
        r = h.admin("POST", "/api/v1/users", {"org": "bank-b", "username": "carol", "display_name": "C",
                                              "role": "member-analyst", "password": PASSWORD})
        self.assertEqual(r.status, 201, r)
        ghost = "ghost-" + uuid.uuid4().hex[:8]
        attacker = "127.0.0.2"
        answers = {}
        for name in ("carol", ghost):
            got = [self.answer(self.login(name, "wrong password %d" % i, attacker), name) for i in range(3)]
            got.append(self.answer(self.login(name, PASSWORD, attacker), name))  # right, but locked out
            answers[name] = got
        self.assertEqual(answers["carol"], answers[ghost])
        self.assertEqual(answers["carol"][0][:3], (401, "unauthenticated", "invalid credentials"))
        locked = answers["carol"][3]
        self.assertEqual(locked[:2], (401, "unauthenticated"))
        self.assertIn("too many failed logins", locked[2])
        self.assertNotIn("account", locked[2])
        # Carol, from her own address, is not locked out by the attacker.
        r = self.login("carol", PASSWORD, "127.0.0.1")
        self.assertEqual(r.status, 201, r)
        self.assertTrue(h.admin("GET", "/api/v1/users/carol").json()["locked"])
        # The lock ends after auth.login_lockout_minutes.
        self.set_clock(T0 + datetime.timedelta(minutes=16))
        try:
            self.assertEqual(self.login("carol", PASSWORD, attacker).status, 201)
            self.assertFalse(h.admin("GET", "/api/v1/users/carol").json()["locked"])
        finally:
            self.set_clock(T0)
        audit = [a for a in h.admin("GET", "/api/v1/audit?limit=1000").json()["items"]
                 if a["action"] == "user.login_failed"]
        self.assertEqual(len(audit), 3)

    def test_second_factor_needs_proof(self):
        """#12 item 13: a bearer token alone neither removes nor replaces the second factor; the
        current password or a current code does, as for a password change."""
        h = self.hub
        r = h.admin("POST", "/api/v1/users", {"org": "bank-b", "username": "dave", "display_name": "D",
                                              "role": "member-analyst", "password": PASSWORD})
        self.assertEqual(r.status, 201, r)
        tok = h.admin("POST", "/api/v1/tokens", {"user": "dave", "name": "t"}).json()["token"]

        def as_dave(method, path, body=None):
            return h.request(method, path, token=tok, body=body)

        def at(minutes):
            self.set_clock(T0 + datetime.timedelta(minutes=minutes))
            return T0.timestamp() + minutes * 60

        def secret_of(r):
            self.assertEqual(r.status, 201, r)
            return re.search(r"secret=([A-Z2-7]+)", r.json()["otpauth_uri"]).group(1)

        try:
            t = at(0)
            # Enrolling needs it too: a token thief could otherwise put in its own device.
            r = as_dave("POST", "/api/v1/users/dave/totp")
            self.assertEqual((r.status, r.json()["error"]["where"]), (403, "$.current_password"))
            s1 = secret_of(as_dave("POST", "/api/v1/users/dave/totp", {"current_password": PASSWORD}))
            self.assertEqual(as_dave("POST", "/api/v1/users/dave/totp/confirm", {"code": totp(s1, t)}).status, 200)
            # The token alone, or with a wrong password or code, changes nothing.
            for method in ("DELETE", "POST"):
                for body in (None, {"current_password": "not the password at all"}, {"code": "000000"}):
                    r = as_dave(method, "/api/v1/users/dave/totp", body)
                    self.assertEqual(r.status, 403, (method, body, r))
            self.assertTrue(h.admin("GET", "/api/v1/users/dave").json()["totp_enabled"])
            t = at(1)
            self.assertEqual(self.login("dave", PASSWORD).status, 401)
            self.assertEqual(self.login("dave", PASSWORD, code=totp(s1, t)).status, 201)
            # Re-enrolling with the password: the old factor holds until the new one is confirmed.
            s2 = secret_of(as_dave("POST", "/api/v1/users/dave/totp", {"current_password": PASSWORD}))
            t = at(2)
            self.assertEqual(self.login("dave", PASSWORD, code=totp(s1, t)).status, 201)
            self.assertEqual(as_dave("POST", "/api/v1/users/dave/totp/confirm", {"code": totp(s2, t)}).status, 200)
            t = at(3)
            self.assertEqual(self.login("dave", PASSWORD, code=totp(s1, t)).status, 401)
            self.assertEqual(self.login("dave", PASSWORD, code=totp(s2, t)).status, 201)
            # Removing it with a current code.
            t = at(4)
            r = as_dave("DELETE", "/api/v1/users/dave/totp", {"code": totp(s2, t)})
            self.assertEqual(r.status, 200, r)
            self.assertEqual(self.login("dave", PASSWORD).status, 201)
            # An administrator removes another's factor without either (a lost device).
            s3 = secret_of(as_dave("POST", "/api/v1/users/dave/totp", {"current_password": PASSWORD}))
            t = at(5)
            self.assertEqual(as_dave("POST", "/api/v1/users/dave/totp/confirm", {"code": totp(s3, t)}).status, 200)
            self.assertEqual(h.admin("DELETE", "/api/v1/users/dave/totp").status, 200)
            self.assertFalse(h.admin("GET", "/api/v1/users/dave").json()["totp_enabled"])
        finally:
            self.set_clock(T0)

    def test_cli_names_absent_users_alike(self):
        """The CLI acts as the local operator, who sees everyone: an absent user is named alike
        on every user and token command."""
        absent = "nobody-" + uuid.uuid4().hex[:8]
        for args in (("user", "show", absent), ("user", "update", absent, "--name", "x"),
                     ("user", "totp", absent, "--status", "off"), ("token", "create", "--user", absent),
                     ("token", "list", "--user", absent)):
            p = self.hub.cli(*args)
            with self.subTest(args=args):
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn(f'no user "{absent}"', p.stderr)


if __name__ == "__main__":
    unittest.main()
