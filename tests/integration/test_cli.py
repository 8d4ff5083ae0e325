"""The command line: help and exit codes, init, organisations, users, tokens, audit, config
errors, and the loopback rule."""
import json
import os
import shutil
import tempfile
import unittest

from hubtest import ENV, Hub, run


class HelpAndExitCodes(unittest.TestCase):
    def test_help(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        for cmd in ("init", "serve", "demo", "org", "user", "token", "audit"):
            self.assertIn(cmd, p.stdout)
        for cmd in ("init", "serve", "demo"):
            p = run(cmd, "--help")
            self.assertEqual(p.returncode, 0, cmd)
            self.assertIn("Usage", p.stdout)
        for cmd in ("org", "user", "token", "audit"):
            p = run(cmd, "--help")
            self.assertEqual(p.returncode, 0, cmd)
            p = run(cmd, "list" if cmd != "audit" else "verify", "--help")
            self.assertEqual(p.returncode, 0, cmd)

    def test_usage_errors_exit_2(self):
        self.assertEqual(run().returncode, 2)
        self.assertEqual(run("no-such-command").returncode, 2)
        p = run("init", "--no-such-option")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown option", p.stderr)
        self.assertEqual(run("org", "frobnicate").returncode, 2)
        self.assertEqual(run("serve", "--listen").returncode, 2)

    def test_required_options_named(self):
        # An option a command cannot go without is named when missing, before anything is opened,
        # and marked in the help.
        cases = [(("vault", "replicate", "--repo", "/nonexistent"), "--to DIR"),
                 (("vault", "restore", "latest", "--repo", "/nonexistent"), "--target DIR"),
                 (("vault", "deposit", "--repo", "/nonexistent", "x.csv"), "--business-date YYYY-MM-DD"),
                 (("vault", "partner-keygen"), "--out PREFIX"),
                 (("vault", "serve", "--repo", "/nonexistent"), "--tokens FILE"),
                 (("vault", "token", "create", "--tokens", "/nonexistent"), "--name NAME"),
                 (("taxii", "pull", "https://example.org/taxii2/api/"), "--collection ID")]
        for args, missing in cases:
            p = run(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("missing " + missing, p.stderr, args)
        p = run("vault", "replicate", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("(required)", p.stdout)
        env = dict(ENV, FINSHIELD_LANG="zh-TW")
        p = run("vault", "replicate", "--repo", "/nonexistent", env=env)
        self.assertIn("缺少 --to DIR", p.stderr)

    def test_chinese_by_default(self):
        env = {k: v for k, v in ENV.items() if k not in ("FINSHIELD_LANG", "LANG", "LC_ALL", "LC_MESSAGES")}
        p = run("--help", env=env)
        self.assertIn("指令", p.stdout)


class Init(unittest.TestCase):
    def test_init_prints_token_once_and_refuses_twice(self):
        d = tempfile.mkdtemp()
        try:
            p = run("init", "--data", d)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertRegex(p.stdout, r"^fsk_[A-Za-z0-9_-]{43}\n$")
            self.assertEqual(oct(os.stat(os.path.join(d, "secrets", "hub.key")).st_mode & 0o777), "0o400")
            self.assertEqual(oct(os.stat(os.path.join(d, "hub.db")).st_mode & 0o777), "0o600")
            p2 = run("init", "--data", d)
            self.assertEqual(p2.returncode, 1)
            self.assertIn("already exists", p2.stderr)
            self.assertEqual(p2.stdout, "")
            # The token is stored only as its hash.
            with open(os.path.join(d, "hub.db"), "rb") as f:
                self.assertNotIn(p.stdout.strip().encode(), f.read())
        finally:
            shutil.rmtree(d)

    def test_commands_without_hub(self):
        d = tempfile.mkdtemp()
        try:
            p = run("org", "list", "--data", d)
            self.assertEqual(p.returncode, 1)
            self.assertIn("finshield init", p.stderr)
        finally:
            shutil.rmtree(d)


class Commands(unittest.TestCase):
    def setUp(self):
        self.hub = Hub()

    def tearDown(self):
        self.hub.cleanup()

    def test_orgs(self):
        h = self.hub
        p = h.cli("org", "add", "--code", "fhc-x", "--name-zh", "甲金控", "--name-en", "X FHC",
                  "--industry", "financial_holding", "--tier", "large")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = h.cli("org", "add", "--code", "bank-x", "--name-zh", "甲銀行", "--name-en", "X Bank",
                  "--industry", "bank", "--tier", "large", "--group", "fhc-x",
                  "--contact", "ciso:王小明:ciso@x.example:+886-2-1234-5678")
        self.assertEqual(p.returncode, 0, p.stderr)
        org = json.loads(p.stdout)
        self.assertEqual(org["parent_code"], "fhc-x")
        self.assertEqual(org["contacts"][0]["name"], "王小明")
        p = h.cli("org", "add", "--code", "bank-y", "--name-zh", "乙", "--name-en", "Y",
                  "--industry", "casino", "--tier", "large")
        self.assertEqual(p.returncode, 1)
        self.assertIn("industry", p.stderr)
        p = h.cli("org", "update", "bank-x", "--status", "suspended")
        self.assertEqual(json.loads(p.stdout)["status"], "suspended")
        p = h.cli("org", "list", "--group", "fhc-x")
        self.assertIn("bank-x", p.stdout)
        self.assertIn("1 organisations", p.stdout)
        # --limit stops the walk; --json gives the same rows in code order.
        p = h.cli("org", "list", "--json")
        codes = [o["code"] for o in json.loads(p.stdout)]
        self.assertEqual(codes, sorted(codes))
        self.assertGreaterEqual(len(codes), 3)
        p = h.cli("org", "list", "--json", "--limit", "2")
        self.assertEqual([o["code"] for o in json.loads(p.stdout)], codes[:2])
        p = h.cli("org", "show", "nope")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no organisation", p.stderr)

    def test_import_is_all_or_nothing(self):
        h = self.hub
        path = h.path("orgs.jsonl")
        with open(path, "w") as f:
            f.write(json.dumps({"code": "a-1", "name_zh": "甲", "name_en": "A", "industry": "bank", "size_tier": "small"}) + "\n")
            f.write(json.dumps({"code": "a-2", "name_zh": "乙", "name_en": "B", "industry": "bank", "size_tier": "tiny"}) + "\n")
        p = h.cli("org", "import", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn("orgs.jsonl:2", p.stderr)
        self.assertIn("size_tier", p.stderr)
        self.assertNotIn("a-1", h.cli("org", "list").stdout)
        with open(path, "w") as f:
            for i in range(3):
                f.write(json.dumps({"code": f"b-{i}", "name_zh": "甲", "name_en": "A", "industry": "insurance", "size_tier": "small"}) + "\n")
        p = h.cli("org", "import", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("3 organisations imported", p.stdout)

    def test_users_tokens_audit(self):
        h = self.hub
        h.cli("org", "add", "--code", "bank-x", "--name-zh", "甲", "--name-en", "X",
              "--industry", "bank", "--tier", "small", check=True)
        pw = h.path("pw")
        with open(pw, "w") as f:
            f.write("a long enough password\n")
        p = h.cli("user", "add", "--org", "bank-x", "--username", "alice", "--role", "member-admin",
                  "--email", "alice@x.example", "--password-file", pw)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(json.loads(p.stdout)["has_password"])
        p = h.cli("user", "add", "--org", "bank-x", "--username", "bob", "--role", "member-analyst")
        self.assertEqual(p.returncode, 0, p.stderr)  # no password: token access only
        self.assertFalse(json.loads(p.stdout)["has_password"])
        p = h.cli("user", "add", "--org", "bank-x", "--username", "eve", "--role", "hub-admin")
        self.assertEqual(p.returncode, 1)
        p = h.cli("user", "passwd", "alice", input="short\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("12 characters", p.stderr)
        p = h.cli("token", "create", "--user", "alice", "--name", "siem", "--days", "30")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^fsk_")
        p = h.cli("token", "list", "--user", "alice", "--json")
        tokens = json.loads(p.stdout)
        self.assertEqual(len(tokens), 1)
        self.assertNotIn("hash", tokens[0])
        p = h.cli("token", "revoke", tokens[0]["id"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(json.loads(h.cli("token", "list", "--user", "alice", "--json").stdout)[0]["active"])
        p = h.cli("audit", "verify")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("chain intact", p.stdout)
        lines = h.cli("audit", "export").stdout.splitlines()
        actions = [json.loads(l)["action"] for l in lines]
        for a in ("hub.create", "org.create", "user.create", "token.create", "token.revoke"):
            self.assertIn(a, actions)
        self.assertTrue(all(json.loads(l)["actor_name"] for l in lines))
        head = h.cli("audit", "head").stdout.strip()
        self.assertRegex(head, r"^\d+:[0-9a-f]{64}:1:\d+:[0-9a-f]{128}$")  # signed
        self.assertEqual(h.cli("audit", "verify", "--expect-head", head).returncode, 0)

    def test_bad_config_names_file_and_line(self):
        h = self.hub
        h.write_config("[http]\nthreads = 4\nthreads = many\n")
        p = h.cli("org", "list")
        self.assertEqual(p.returncode, 1)
        self.assertIn("finshield.ini:3", p.stderr)
        self.assertIn("threads", p.stderr)
        h.write_config("[http]\ncolour = blue\n")
        p = h.cli("org", "list")
        self.assertIn("colour", p.stderr)

    def test_plain_http_only_on_loopback(self):
        p = run("serve", "--data", self.hub.dir, "--listen", "0.0.0.0:0")
        self.assertEqual(p.returncode, 1)
        self.assertIn("loopback", p.stderr)


if __name__ == "__main__":
    unittest.main()
