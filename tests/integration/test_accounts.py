"""Accounts over real HTTP and the CLI."""
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
