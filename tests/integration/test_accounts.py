"""Accounts over real HTTP, as an attacker with a member's token or no token at all would try
them: every user- and token-addressed route answers a foreign organisation's user exactly as a
user that does not exist (status, code, message and place)."""
import unittest
import uuid

from hubtest import Hub, org_body

PASSWORD = "a long enough password"


class Accounts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = h = Hub(config="[http]\nrate_per_second = 1000\nrate_burst = 1000\n").start()
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
        rc = cls.hub.stop()
        cls.hub.cleanup()
        assert rc == 0, f"serve exited with {rc} (leak or crash?)"

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
